// The category picker of the labeling and review pages: the active tree is loaded once, then type-ahead
// over full paths runs in the browser (word-prefix matching: "foo hi" finds Sports > Football > Match
// highlights), three columns browse level by level with the arrow keys, recently used categories are
// kept per project, and the standard of the highlighted category is fetched lazily and cached.
// Data goes into the page with textContent only.
(function () {
  "use strict";
  const el = (tag, cls, text) => {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  };
  const tokens = (s) => (s.toLocaleLowerCase().match(/[\p{L}\p{N}]+/gu) || []);

  function flatten(roots) {
    const all = [], byId = new Map();
    const walk = (nodes, parent) => nodes.forEach((n) => {
      const e = { id: n.id, code: n.code, name: n.name, depth: n.depth, parent, children: [] };
      e.path = parent ? parent.path + " > " + n.name : n.name;
      e.words = tokens(e.path);
      e.nameWords = tokens(n.name);
      e.lower = e.path.toLocaleLowerCase();
      all.push(e); byId.set(e.id, e);
      if (parent) parent.children.push(e);
      walk(n.children || [], e);
    });
    walk(roots, null);
    return { all, byId, roots: all.filter((e) => !e.parent) };
  }

  // Every query word must start a word of the path (or, for scripts without spaces, occur in it).
  function search(index, query, limit) {
    const q = tokens(query);
    if (!q.length) return [];
    const scored = [];
    for (const e of index.all) {
      let score = 0, ok = true;
      for (const w of q) {
        if (e.words.some((x) => x.startsWith(w))) score += 2;
        else if (e.lower.includes(w)) score += 1;
        else { ok = false; break; }
      }
      if (!ok) continue;
      const last = q[q.length - 1];
      const own = e.nameWords.some((x) => x.startsWith(last)) || e.name.toLocaleLowerCase().includes(last);
      scored.push([score, own ? 1 : 0, -e.depth, -e.path.length, e]);
    }
    scored.sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2] || b[3] - a[3]);
    return scored.slice(0, limit || 12).map((s) => s[4]);
  }

  function create(opts) {
    const { input, results, browse, standard, chosenEl } = opts;
    const recentKey = opts.recentKey;
    let index = { all: [], byId: new Map(), roots: [] };
    let items = [], hl = -1, listTitle = "";
    let chosen = null, chosenNote = "";
    const sel = [0, 0, 0];
    let col = 0;
    const standards = new Map();
    let stdTimer = null, shownStd = null;

    const recent = () => {
      try { return (JSON.parse(localStorage.getItem(recentKey) || "[]") || []).map((id) => index.byId.get(id)).filter(Boolean); }
      catch (e) { return []; }
    };
    const remember = (id) => {
      const ids = [id, ...recent().map((e) => e.id).filter((x) => x !== id)].slice(0, 8);
      try { localStorage.setItem(recentKey, JSON.stringify(ids)); } catch (e) { /* storage full: not worth failing */ }
    };

    function renderList() {
      const kids = [];
      if (items.length && listTitle) kids.push(el("li", "list-title", listTitle));
      items.forEach((it, i) => {
        const li = el("li", i === hl ? "hl" : "");
        li.dataset.id = it.id;
        if (it.parent) li.append(el("span", "muted", it.parent.path + " > "));
        li.append(el("strong", null, it.name));
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(it.id, { user: true }); });
        li.addEventListener("mouseenter", () => { hl = i; renderList(); });
        kids.push(li);
      });
      if (!items.length && input.value.trim()) kids.push(el("li", "muted", "No category matches; try fewer letters."));
      results.replaceChildren(...kids);
      results.hidden = kids.length === 0;
      if (hl >= 0) {
        const node = results.querySelector("li.hl");
        if (node) node.scrollIntoView({ block: "nearest" });
        highlight(items[hl]);
      }
    }

    function refresh() {
      const q = input.value.trim();
      if (q) { items = search(index, q, 12); listTitle = ""; }
      else { items = recent(); listTitle = items.length ? "Recently used" : ""; }
      hl = items.length ? 0 : -1;
      renderList();
    }
    const close = () => { results.hidden = true; items = []; hl = -1; highlight(chosen); };

    function move(delta) {
      if (results.hidden) { refresh(); return; }
      if (!items.length) return;
      hl = Math.max(0, Math.min(items.length - 1, hl + delta));
      renderList();
    }

    // --- browse by level -------------------------------------------------------------------------------
    const columnItems = (c) => {
      let list = index.roots;
      for (let i = 0; i < c; i++) {
        const parent = list[sel[i]];
        list = parent ? parent.children : [];
      }
      return list;
    };
    function renderBrowse() {
      if (!browse) return;
      const cols = [];
      for (let c = 0; c < 3; c++) {
        const list = columnItems(c);
        const ul = el("ul", "browse-col" + (c === col ? " active" : ""));
        list.forEach((e, i) => {
          const li = el("li", i === sel[c] ? (c === col ? "hl" : "on") : "", e.name + (e.children.length ? " ›" : ""));
          li.dataset.id = e.id;
          li.addEventListener("click", () => { col = c; sel[c] = i; for (let k = c + 1; k < 3; k++) sel[k] = 0; renderBrowse(); });
          li.addEventListener("dblclick", () => choose(e.id, { user: true }));
          ul.append(li);
        });
        cols.push(ul);
      }
      browse.replaceChildren(...cols);
      const cur = columnItems(col)[sel[col]];
      if (document.activeElement === browse && cur) highlight(cur);
      browse.querySelectorAll("li.hl").forEach((n) => n.scrollIntoView({ block: "nearest" }));
    }
    function browseTo(entry) {
      const chain = [];
      for (let e = entry; e; e = e.parent) chain.unshift(e);
      chain.forEach((e, c) => { const i = columnItems(c).indexOf(e); sel[c] = i < 0 ? 0 : i; });
      for (let c = chain.length; c < 3; c++) sel[c] = 0;
      col = Math.max(0, chain.length - 1);
      renderBrowse();
    }
    function browseKey(e) {
      const list = columnItems(col);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        sel[col] = Math.max(0, Math.min(list.length - 1, sel[col] + (e.key === "ArrowDown" ? 1 : -1)));
        for (let k = col + 1; k < 3; k++) sel[k] = 0;
      } else if (e.key === "ArrowRight") {
        if (col < 2 && list[sel[col]] && list[sel[col]].children.length) { col += 1; sel[col] = 0; }
      } else if (e.key === "ArrowLeft") {
        if (col > 0) col -= 1;
      } else if (e.key === "Enter") {
        if (list[sel[col]]) choose(list[sel[col]].id, { user: true });
      } else return false;
      renderBrowse();
      return true;
    }

    // --- the standard of the highlighted category ---------------------------------------------------------
    function fetchStandard(id) {
      if (!standards.has(id)) {
        const url = opts.standardsUrl.replace("/0/", "/" + id + "/");
        standards.set(id, ClipCat.api("GET", url).then((list) => (list && list.length ? list[0] : null))
          .catch((err) => { standards.delete(id); throw err; }));
      }
      return standards.get(id);
    }
    function renderStandard(entry, rev) {
      const dl = el("dl", "std");
      const row = (label, text) => { dl.append(el("dt", null, label), el("dd", null, text || "—")); };
      if (!rev) dl.append(el("dd", "muted", "No standard written yet."));
      else {
        row("Definition", rev.definition); row("Include", rev.include_rules); row("Exclude", rev.exclude_rules);
        if (rev.notes) row("Notes", rev.notes);
        const ex = el("dd");
        (rev.examples || []).forEach((x) => ex.append(el("div", null, (x.kind === "negative" ? "✗ " : "✓ ") + (x.ref || "") + (x.note ? " · " + x.note : ""))));
        if (!(rev.examples || []).length) ex.textContent = "—";
        dl.append(el("dt", null, "Examples"), ex);
      }
      const head = el("h2", null, "Standard");
      const path = el("p", "std-path", entry.path);
      standard.replaceChildren(head, path, dl);
      if (rev) standard.append(el("p", "muted", "Revision r" + rev.number + (rev.author ? " by " + rev.author : "")));
    }
    function highlight(entry) {
      if (!standard || !entry || shownStd === entry.id) return;
      shownStd = entry.id;
      clearTimeout(stdTimer);
      stdTimer = setTimeout(() => {
        fetchStandard(entry.id).then((rev) => { if (shownStd === entry.id) renderStandard(entry, rev); })
          .catch((err) => { if (shownStd === entry.id) standard.replaceChildren(el("p", "error", "Standard not loaded: " + err.message)); });
      }, standards.has(entry.id) ? 0 : 90);
    }

    // --- choosing ---------------------------------------------------------------------------------------
    function renderChosen() {
      if (!chosenEl) return;
      if (!chosen) { chosenEl.replaceChildren(el("span", "muted", opts.emptyText || "No category chosen yet")); return; }
      chosenEl.replaceChildren(el("span", "chosen-path", chosen.path));
      if (chosenNote) chosenEl.append(" ", el("span", "badge model", chosenNote));
    }
    function choose(id, how) {
      const entry = index.byId.get(id) || null;
      chosen = entry; chosenNote = (how && how.note) || "";
      input.value = "";
      close();
      if (entry) browseTo(entry);
      renderChosen();
      highlight(entry);
      if (how && how.user) { input.blur(); if (browse) browse.blur(); }
      if (opts.onChoose && how && how.user) opts.onChoose(entry);
    }

    input.addEventListener("input", refresh);
    input.addEventListener("focus", refresh);
    input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) close(); }, 120));
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") { move(e.key === "ArrowDown" ? 1 : -1); e.preventDefault(); e.stopPropagation(); }
      else if (e.key === "Enter" && !results.hidden && hl >= 0) { choose(items[hl].id, { user: true }); e.preventDefault(); e.stopPropagation(); }
      else if (e.key === "Escape") { input.value = ""; close(); input.blur(); e.stopPropagation(); }
    });
    if (browse) {
      browse.addEventListener("keydown", (e) => {
        if (browseKey(e)) { e.preventDefault(); e.stopPropagation(); }
        else if (e.key === "Escape") { browse.blur(); e.stopPropagation(); }
      });
      browse.addEventListener("focus", () => { const cur = columnItems(col)[sel[col]]; renderBrowse(); if (cur) highlight(cur); });
      browse.addEventListener("blur", () => renderBrowse());
    }

    const ready = fetch(opts.treeUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error("the category tree did not load (" + r.status + ")"); return r.json(); })
      .then((roots) => {
        index = flatten(roots); renderBrowse(); renderChosen();
        if (document.activeElement === input && input.value.trim()) refresh();  // typed before the tree arrived
        return index;
      });

    return {
      ready,
      byId: (id) => index.byId.get(id),
      get chosen() { return chosen; },
      choose: (id, how) => choose(id, how || {}),
      clear: () => {
        chosen = null; chosenNote = ""; input.value = ""; shownStd = null;
        sel.fill(0); col = 0;
        if (standard) standard.replaceChildren(el("h2", null, "Standard"), el("p", "muted", "The standard of the highlighted category shows here."));
        close(); renderChosen(); renderBrowse();
      },
      remember,
      move,
      focusSearch: () => { input.focus(); input.select(); },
      focusBrowse: () => { if (browse) browse.focus(); },
      search: (q) => search(index, q, 12),
    };
  }

  window.ClipCatPicker = { create, search, flatten };
})();
