// The taxonomy editor: a lazily rendered tree (fast at 10,000 categories), type-ahead search,
// drag-and-drop moves through the API, and category pickers for forms.
(function () {
  "use strict";
  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") n.className = v; else if (k === "text") n.textContent = v; else n.setAttribute(k, v);
    }
    kids.forEach((k) => n.append(k));
    return n;
  };

  function typeahead(input, list, url, onPick) {
    let items = [], hl = -1, timer = null, seq = 0;
    const close = () => { list.hidden = true; hl = -1; };
    const render = () => {
      list.replaceChildren(...items.map((it, i) => {
        const li = el("li", { class: i === hl ? "hl" : "", text: it.path });
        li.addEventListener("mousedown", (e) => { e.preventDefault(); onPick(it); close(); });
        return li;
      }));
      list.hidden = items.length === 0;
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) { items = []; render(); onPick(null, true); return; }
      timer = setTimeout(async () => {
        const mine = ++seq;
        const data = await ClipCat.api("GET", url + "?q=" + encodeURIComponent(q));
        if (mine !== seq) return;
        items = data; hl = items.length ? 0 : -1; render();
      }, 80);
    });
    input.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { hl = Math.min(hl + 1, items.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { hl = Math.max(hl - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter" && hl >= 0) { onPick(items[hl]); close(); e.preventDefault(); }
      else if (e.key === "Escape") close();
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  function bindPickers(searchUrl) {
    document.querySelectorAll("input.pick").forEach((input) => {
      const hidden = document.getElementById(input.dataset.target);
      typeahead(input, input.nextElementSibling, searchUrl, (it, cleared) => {
        if (cleared) { hidden.value = ""; return; }
        hidden.value = it ? it.id : ""; input.value = it ? it.path : "";
      });
    });
  }

  function initTree(root) {
    const catUrl = (id) => root.dataset.categoryUrl.replace("/0/", "/" + id + "/");
    const moveUrl = (id) => root.dataset.moveUrl.replace("/0/", "/" + id + "/");
    const editable = root.dataset.editable === "1";
    let dragged = null;

    async function move(id, parent) {
      try {
        await ClipCat.api("POST", moveUrl(id), { parent: parent, reason: "Moved in the tree editor" });
        await load();
      } catch (err) { alert("Move refused: " + err.message); }
    }
    function dropTarget(node, parentId) {
      node.addEventListener("dragover", (e) => { e.preventDefault(); node.classList.add("drop"); });
      node.addEventListener("dragleave", () => node.classList.remove("drop"));
      node.addEventListener("drop", (e) => {
        e.preventDefault(); node.classList.remove("drop");
        if (dragged !== null && dragged !== parentId) move(dragged, parentId);
      });
    }
    function item(n) {
      const li = el("li", { class: n.status, "data-id": n.id });
      const toggle = el("span", { class: "toggle", text: n.children.length ? "▸" : "" });
      const row = el("div", { class: "node" }, toggle,
        el("a", { href: catUrl(n.id), text: n.name }),
        el("span", { class: "count", text: n.descendants ? String(n.descendants) : "" }));
      li.append(row);
      let open = false, sub = null;
      toggle.addEventListener("click", () => {
        if (!n.children.length) return;
        open = !open; toggle.textContent = open ? "▾" : "▸";
        if (open && !sub) { sub = el("ul"); n.children.forEach((c) => sub.append(item(c))); li.append(sub); }
        if (sub) sub.hidden = !open;
      });
      if (editable) {
        row.draggable = true;
        row.addEventListener("dragstart", () => { dragged = n.id; });
        dropTarget(row, n.id);
      }
      return li;
    }
    async function load() {
      const data = await ClipCat.api("GET", root.dataset.url);
      root.replaceChildren(...data.map(item));
      if (!data.length) root.append(el("li", { class: "muted", text: "No categories yet." }));
    }
    const rootDrop = document.getElementById("drop-root");
    if (rootDrop) dropTarget(rootDrop, null);
    const search = document.getElementById("search");
    if (search) typeahead(search, document.getElementById("search-results"), root.dataset.search,
      (it) => { if (it) window.location = catUrl(it.id); });
    const parentPick = document.getElementById("parent-pick");
    if (parentPick) typeahead(parentPick, parentPick.nextElementSibling, root.dataset.search, (it, cleared) => {
      const hidden = document.getElementById("parent-id");
      if (cleared || !it) { hidden.value = ""; return; }
      hidden.value = it.id; parentPick.value = it.path;
    });
    load();
  }

  window.ClipCatTree = { bindPickers, initTree };
  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("tree");
    if (root) initTree(root);
  });
})();
