// The labeling page: one clip at a time from the project's queue, labeled by keyboard. The next clip is
// leased and its video preloaded while the current one is on screen, so Enter shows it at once. Leases
// are renewed every minute while the page is visible. A label that could not be sent stays on screen
// and in localStorage (keyed by lease) and is sent again on Enter or on the next visit.
(function () {
  "use strict";
  const root = document.getElementById("labeling");
  if (!root) return;
  const cfg = root.dataset;
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  };
  const assignmentUrl = (id, action) => cfg.assignmentsUrl.replace("/0/", "/" + id + "/") + (action ? action + "/" : "");
  const pendingPrefix = "clipcat:pending:" + cfg.project + ":";

  // fetch that tells a refusal (err.status, keep nothing) from a lost connection (err.network, retry).
  async function call(method, url, body) {
    let res;
    try {
      res = await fetch(url, {
        method,
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": ClipCat.cookie("csrftoken") },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      const err = new Error("the server could not be reached");
      err.network = true;
      throw err;
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text.slice(0, 200) }; }
    if (!res.ok) {
      const detail = data && (data.detail || Object.values(data).flat().join(" ")) || res.statusText;
      const err = new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
      err.status = res.status;
      err.network = res.status >= 500;
      throw err;
    }
    return { status: res.status, data };
  }

  const state = {
    current: null, next: null, nextPromise: null, mode: "loading", sending: false,
    suggestion: null, program: null, flag: "", shownAt: 0, spentMs: 0, visibleSince: null,
  };

  // --- visible-tab time spent on the current clip ---------------------------------------------------------
  const clockStart = () => { state.spentMs = 0; state.visibleSince = document.hidden ? null : performance.now(); };
  const clockRead = () => state.spentMs + (state.visibleSince === null ? 0 : performance.now() - state.visibleSince);
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && state.visibleSince !== null) { state.spentMs += performance.now() - state.visibleSince; state.visibleSince = null; }
    else if (!document.hidden && state.visibleSince === null) { state.visibleSince = performance.now(); renewAll(); }
  });

  // --- messages -----------------------------------------------------------------------------------------
  const say = ClipCat.say;

  // --- widgets ------------------------------------------------------------------------------------------
  const player = ClipCatPlayer.bind($("player"), { strip: $("strip"), timeEl: $("play-time"), speedEl: $("play-speed") });
  const picker = ClipCatPicker.create({
    input: $("cat-search"), results: $("cat-results"), browse: $("browse"), standard: $("standard"), chosenEl: $("chosen"),
    treeUrl: cfg.treeUrl, standardsUrl: cfg.standardsUrl, recentKey: "clipcat:recent:" + cfg.project,
    emptyText: "No category chosen yet: / to search, b to browse", onChoose: () => say(""),
  });


  // Program type-ahead over the API ("none" is always offered).
  (function programPicker() {
    const input = $("program"), list = $("program-results");
    let items = [], hl = -1, timer = null, seq = 0;
    const render = () => {
      list.replaceChildren(...items.map((p, i) => {
        const li = el("li", i === hl ? "hl" : "", p ? p.title + (p.year ? " (" + p.year + ")" : "") : "— none —");
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(p); });
        return li;
      }));
      list.hidden = items.length === 0;
    };
    const pick = (p) => { setProgram(p); items = []; render(); input.blur(); };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++seq;
        try {
          const q = input.value.trim();
          const { data } = await call("GET", cfg.programsUrl + "?page_size=8&q=" + encodeURIComponent(q));
          if (mine !== seq) return;
          items = [null, ...(data.results || data)];
          hl = items.length > 1 ? 1 : 0;
          render();
        } catch (e) { say("Programs did not load: " + e.message, "error"); }
      }, 120);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        hl = Math.max(0, Math.min(items.length - 1, hl + (e.key === "ArrowDown" ? 1 : -1))); render(); e.preventDefault();
      } else if (e.key === "Enter") {
        if (!list.hidden && hl >= 0) pick(items[hl]); else input.blur();
        e.preventDefault();
      } else if (e.key === "Escape") { setProgram(state.program); items = []; render(); input.blur(); }
      e.stopPropagation();
    });
    input.addEventListener("blur", () => setTimeout(() => { items = []; render(); input.value = state.program ? state.program.title : ""; }, 120));
  })();
  function setProgram(p) {
    state.program = p || null;
    $("program").value = p ? p.title : "";
  }

  function setFlag(comment) {
    state.flag = comment || "";
    const box = $("flag-state");
    box.hidden = !state.flag;
    box.replaceChildren(el("strong", null, "Flagged: the standard is unclear here. "), el("span", null, state.flag));
  }

  // --- the clip on screen ---------------------------------------------------------------------------------
  function showSuggestion(s, relabel) {
    const box = $("suggestion");
    const top = (s && s.top) || [];
    state.suggestion = top.length ? top : null;
    box.hidden = !top.length;
    const list = el("ol", "suggest-list");
    top.slice(0, 3).forEach((t, i) => {
      const li = el("li");
      li.append(el("kbd", null, String(i + 1)), " ", el("span", null, t.category.path), " ",
        el("span", "badge model", Math.round(t.confidence * 100) + "%"));
      li.addEventListener("click", () => pickSuggestion(i));
      list.append(li);
    });
    // Pre-select only what the model is confident of (calibrated, in-set; never on a re-label clip).
    const chosen = Boolean(top.length && s.preselect && !relabel);
    const note = !top.length ? null : chosen ? null : el("p", "muted small",
      relabel ? "Nothing pre-selected: this clip is being re-labeled. Press 1-3 to take a suggestion."
        : "Nothing pre-selected: the model is not confident enough. Press 1-3 to take a suggestion.");
    box.replaceChildren(el("h3", null, "Model suggestion"), list, ...(note ? [note] : []));
    box.dataset.preselected = chosen ? "yes" : "no";
    if (chosen) picker.choose(top[0].category.id, { note: "model " + Math.round(top[0].confidence * 100) + "%" });
  }
  function pickSuggestion(i) {
    const t = state.suggestion && state.suggestion[i];
    if (!t) return;
    picker.choose(t.category.id, { note: "model " + Math.round(t.confidence * 100) + "%" });
  }

  function show(a) {
    state.current = a;
    state.mode = "label";
    const clip = a.clip;
    $("clip-title").textContent = clip.title || "Clip " + clip.id;
    const meta = [clip.duration ? clip.duration.toFixed(1) + " s" : "", clip.program ? "from " + clip.program.title : "",
      (clip.tags || []).join(", ")].filter(Boolean).join(" · ");
    $("clip-meta").textContent = meta;
    $("clip-desc").textContent = clip.description || "";
    $("relabel").hidden = !a.relabel_reason;
    $("relabel").textContent = a.relabel_reason ? "Re-label: " + a.relabel_reason.replace(/^re-label:\s*/, "") + ". The earlier label no longer fits this release." : "";
    player.load(clip.video_url, clip.poster_url, clip.fps);
    const strip = $("strip");
    strip.hidden = !clip.strip_url;
    if (clip.strip_url) strip.src = clip.strip_url; else strip.removeAttribute("src");
    picker.clear();
    setProgram(clip.program ? { id: clip.program.id, title: clip.program.title } : null);
    setFlag("");
    showSuggestion(a.suggestion, Boolean(a.relabel_reason));
    $("feedback").hidden = true;
    $("done").hidden = true;
    root.classList.remove("is-done");
    clockStart();
    const pending = readPending(a.id);
    if (pending) {
      if (picker.byId(pending.category)) picker.choose(pending.category);
      say("This label was not sent yet. Press Enter to send it.", "warn");
    }
    preloadNext();
  }

  function preloadNext() {
    const current = state.current;
    state.next = null;
    state.nextPromise = call("POST", cfg.nextUrl, { exclude: [current.id] })
      .then(({ status, data }) => {
        if (state.current !== current) return null;
        state.next = status === 204 ? null : data;
        if (state.next && state.next.clip.video_url) $("preload").src = state.next.clip.video_url;
        if (state.next && state.next.clip.strip_url) new Image().src = state.next.clip.strip_url;
        refreshStats();
        return state.next;
      })
      .catch(() => null); // asked again when it is needed
  }

  async function advance() {
    state.mode = "loading";
    say("");
    let next = state.nextPromise ? await state.nextPromise : null;
    state.nextPromise = null;
    if (!next) {
      try {
        const { status, data } = await call("POST", cfg.nextUrl, { exclude: [] });
        next = status === 204 ? null : data;
      } catch (e) {
        say("The next clip did not load: " + e.message + ". Press Enter to try again.", "error");
        state.mode = "retry-next";
        return;
      }
    }
    if (next && state.current && next.id === state.current.id) next = null;
    if (next) show(next); else showDone();
  }

  function showDone() {
    state.mode = "done";
    state.current = null;
    root.classList.add("is-done");
    $("done").hidden = false;
    player.load(null, null);
    refreshStats();
  }

  // --- sending ---------------------------------------------------------------------------------------------
  const readPending = (id) => { try { return JSON.parse(localStorage.getItem(pendingPrefix + id)); } catch (e) { return null; } };
  const writePending = (id, body) => { try { localStorage.setItem(pendingPrefix + id, JSON.stringify(body)); } catch (e) { /* full */ } };
  const dropPending = (id) => localStorage.removeItem(pendingPrefix + id);

  async function submit() {
    if (state.sending || state.mode !== "label") return;
    const chosen = picker.chosen;
    if (!chosen) { say("Choose a category first: / to search, b to browse, 1-3 for the model's suggestion.", "warn"); return; }
    const a = state.current;
    const top = state.suggestion && state.suggestion[0];
    const body = {
      category: chosen.id,
      program: state.program ? state.program.id : null,
      time_spent_ms: Math.max(1, Math.round(clockRead())),
      suggested_category: top ? top.category.id : null,
      flagged: !!state.flag,
      flag_comment: state.flag,
    };
    writePending(a.id, body);
    state.sending = true;
    $("submit").disabled = true;
    say("Saving…", "");
    try {
      const { data } = await call("POST", assignmentUrl(a.id, "submit"), body);
      dropPending(a.id);
      picker.remember(chosen.id);
      say("");
      if (data.feedback) { showFeedback(data.feedback, chosen); refreshStats(); }
      else await advance();
    } catch (err) {
      if (err.network) {
        say("Not saved: " + err.message + ". Your choice is kept here and in this browser; press Enter to send it again.", "error");
      } else {
        dropPending(a.id);
        await refused(a, err);
      }
    } finally {
      state.sending = false;
      $("submit").disabled = false;
    }
  }

  // A refusal: when the lease is gone (expired and reclaimed, or already saved) move on; else say why.
  async function refused(a, err) {
    let status = "leased";
    try { status = (await call("GET", assignmentUrl(a.id))).data.status; } catch (e) { /* keep "leased" */ }
    if (status !== "leased") {
      await advance();
      say("The previous clip was " + status + " (" + err.message + "); this is the next one.", "warn");
    } else say("Not saved: " + err.message, "error");
  }

  async function resendPending() {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(pendingPrefix));
    for (const key of keys) {
      const id = key.slice(pendingPrefix.length);
      let body;
      try { body = JSON.parse(localStorage.getItem(key)); } catch (e) { localStorage.removeItem(key); continue; }
      try {
        await call("POST", assignmentUrl(id, "submit"), body);
        localStorage.removeItem(key);
        say("A label left unsent last time was saved.", "ok");
      } catch (err) {
        if (!err.network) localStorage.removeItem(key);
        else say("A label from last time is still unsent (" + err.message + "); it will be sent when the server answers.", "error");
      }
    }
  }

  async function skip() {
    if (state.mode !== "label") return;
    const reason = await ClipCat.ask("Skip this clip: why? (Enter to skip, Esc to cancel)");
    if (!reason) return;
    const a = state.current;
    try {
      await call("POST", assignmentUrl(a.id, "skip"), { reason, time_spent_ms: Math.round(clockRead()) });
      await advance();
    } catch (err) {
      if (err.network) say("Not skipped: " + err.message + ". Press s to try again.", "error");
      else await refused(a, err);
    }
  }

  async function flag() {
    if (state.mode !== "label") return;
    const comment = await ClipCat.ask("What is unclear in the standard here? (Enter to keep, empty to remove the flag)", state.flag);
    if (comment !== null) setFlag(comment);
  }

  function showFeedback(fb, mine) {
    state.mode = "feedback";
    const box = $("feedback");
    const head = el("h2", fb.correct ? "good" : "bad", fb.correct ? "Right: this is a gold clip and you matched it." : "Not quite: this was a gold clip.");
    const kids = [head, el("p", null, "Your answer: " + mine.path), el("p", null, "Gold answer: "), el("p", "muted", "Press Enter to go on.")];
    kids[2].append(el("strong", null, fb.gold.path));
    const levels = Object.entries(fb.levels || {}).map(([lvl, ok]) => "level " + lvl + (ok ? " ✓" : " ✗")).join(" · ");
    if (levels) kids.splice(3, 0, el("p", null, levels));
    if (fb.standard) {
      const dl = el("dl", "std");
      [["Definition", fb.standard.definition], ["Include", fb.standard.include_rules], ["Exclude", fb.standard.exclude_rules]]
        .forEach(([k, v]) => dl.append(el("dt", null, k), el("dd", null, v || "—")));
      kids.splice(kids.length - 1, 0, dl);
    }
    box.replaceChildren(...kids);
    box.className = "card feedback " + (fb.correct ? "right" : "wrong");
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  // --- leases and figures -------------------------------------------------------------------------------
  async function renewAll() {
    if (document.hidden) return;
    for (const which of ["current", "next"]) {
      const a = state[which];
      if (!a) continue;
      try { await call("POST", assignmentUrl(a.id, "renew")); }
      catch (err) {
        if (err.network) continue;
        if (which === "next" && state.next === a && state.current) preloadNext();
        else if (which === "current" && state.current === a) say("This clip's lease ended (" + err.message + "). Submit to see whether it can still be saved.", "warn");
      }
    }
  }
  setInterval(renewAll, 60000);

  async function refreshStats() {
    try {
      const { data } = await call("GET", cfg.meUrl);
      $("st-labeled").textContent = data.labeled;
      // the queue's count leaves out the clips this page holds (on screen and preloaded)
      $("st-remaining").textContent = data.remaining + (state.current ? 1 : 0) + (state.next ? 1 : 0);
      $("st-speed").textContent = data.seconds_per_label;
      const acc = Object.values(data.gold_accuracy || {}).filter((v) => v !== null);
      $("st-gold").textContent = acc.length ? Math.round(100 * acc[acc.length - 1]) + "%" : "—";
    } catch (e) { /* the figures wait for the next submit */ }
  }

  // --- keyboard -----------------------------------------------------------------------------------------
  const help = () => { $("help").hidden = !$("help").hidden; };
  $("help-toggle").addEventListener("click", help);
  $("submit").addEventListener("click", () => submit());
  $("skip").addEventListener("click", () => skip());
  $("flag").addEventListener("click", () => flag());

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    if (typing) {
      if (e.key === "Escape") t.blur();
      else if (e.key === "Enter" && t.id === "cat-search" && picker.chosen) { e.preventDefault(); t.blur(); submit(); }
      return;
    }
    if (state.mode === "feedback") {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("feedback").hidden = true; advance(); }
      return;
    }
    if (state.mode === "retry-next" && e.key === "Enter") { e.preventDefault(); advance(); return; }
    if (ClipCatPlayer.handleKey(player, e)) { e.preventDefault(); return; }
    let handled = true;
    switch (e.key) {
      case "/": picker.focusSearch(); break;
      case "b": picker.focusBrowse(); break;
      case "ArrowDown": picker.focusSearch(); picker.move(1); break;
      case "ArrowUp": picker.focusSearch(); picker.move(-1); break;
      case "Enter": submit(); break;
      case "1": case "2": case "3": pickSuggestion(Number(e.key) - 1); break;
      case "p": $("program").focus(); $("program").select(); break;
      case "s": skip(); break;
      case "f": flag(); break;
      case "?": help(); break;
      case "Escape": $("help").hidden = true; if (document.activeElement) document.activeElement.blur(); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  // --- start ----------------------------------------------------------------------------------------------
  (async function start() {
    try { await picker.ready; } catch (e) { say(e.message, "error"); return; }
    await resendPending();
    refreshStats();
    await advance();
  })();
})();
