// Ops review of model suggestions for unlabeled clips: j/k move (the clip plays), a accepts, c corrects
// (category picker, Enter picks, Enter sends), r rejects (asks why); b opens bulk accept: a threshold,
// a preview of what will change (counts per category, sample clips), then confirm. Decisions go to the
// API; data goes into the page with textContent only.
(function () {
  "use strict";
  const root = document.getElementById("sugg");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const items = [...document.querySelectorAll("#sugg-list li.sugg-item")];
  const el = (tag, cls, text) => { const n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined) n.textContent = text; return n; };
  const pct = (p) => Math.round(Number(p) * 100) + "%";
  const count = (n, one, many) => n + " " + (n === 1 ? one : many);
  const say = ClipCat.say;
  $("help-toggle").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });
  const FLASH = "clipcat:suggestions-flash";
  try { const flash = sessionStorage.getItem(FLASH); if (flash) { sessionStorage.removeItem(FLASH); say(flash, "ok"); } } catch (e) { /* no storage */ }
  if (!items.length) return;

  let index = 0, decided = 0;
  const picker = ClipCatPicker.create({
    input: $("cat-search"), results: $("cat-results"), browse: null, standard: $("standard"), chosenEl: $("chosen"),
    treeUrl: root.dataset.treeUrl, standardsUrl: root.dataset.standardsUrl,
    recentKey: "clipcat:recent-suggestions:" + root.dataset.taxonomy,
    emptyText: "c: search the right category, Enter picks it, Enter again sends the correction",
  });
  const player = ClipCatPlayer.bind($("player"), {
    strip: $("focus-strip"), timeEl: document.querySelector("#focus .play-time"), speedEl: document.querySelector("#focus .play-speed"),
  });
  const open = () => items.filter((li) => !li.dataset.decided);

  function focusItem(i, play) {
    index = Math.max(0, Math.min(items.length - 1, i));
    const li = items[index];
    items.forEach((x) => x.classList.toggle("hl", x === li));
    li.scrollIntoView({ block: "nearest" });
    $("focus-title").textContent = li.dataset.title || "(untitled clip)";
    $("focus-path").textContent = li.dataset.path;
    $("focus-conf").textContent = pct(li.dataset.confidence) + " confident";
    const alts = [...JSON.parse(li.dataset.alts || "[]")];
    $("focus-alts").replaceChildren(...alts.map((a) => el("li", null, a.path + " · " + pct(a.p))));
    $("focus-alts-head").hidden = !alts.length;
    const d = $("focus-decision");
    d.hidden = !li.dataset.decided;
    d.textContent = li.dataset.summary || "";
    player.load(li.dataset.video, li.dataset.poster, null);
    const strip = $("focus-strip");
    if (li.dataset.strip) { strip.src = li.dataset.strip; strip.hidden = false; } else { strip.hidden = true; strip.removeAttribute("src"); }
    picker.clear();
    if (play) { const p = player.video.play(); if (p && p.catch) p.catch(() => {}); }
  }


  function markDecided(li, summary, kind) {
    li.dataset.decided = "1";
    li.dataset.summary = summary;
    li.classList.add("decided", kind);
    const tag = li.querySelector(".sugg-decision");
    tag.textContent = kind === "reject" ? "rejected" : kind === "correct" ? "corrected" : "accepted";
    tag.hidden = false;
    decided += 1;
    $("decided").textContent = String(decided);
    const left = $("left");
    if (left) left.textContent = String(Math.max(0, Number(left.textContent) - 1));
  }

  function next() {
    const rest = open();
    if (!rest.length) { document.querySelector(".sugg-grid").hidden = true; $("sugg-done").hidden = false; player.video.pause(); return; }
    const after = rest.find((x) => items.indexOf(x) > index) || rest[0];
    focusItem(items.indexOf(after), true);
  }

  async function decide(body, summary, kind) {
    const li = items[index];
    if (!(await ClipCat.decide(li, body))) return;
    markDecided(li, summary, kind);
    say(summary, "ok");
    next();
  }

  const accept = () => decide({ decision: "accept" }, "Accepted: " + items[index].dataset.path, "accept");
  function correct() {
    const c = picker.chosen;
    if (!c) { say("Choose the right category first (c, type, Enter), then Enter sends it.", "warn"); picker.focusSearch(); return; }
    picker.remember(c.id);
    decide({ decision: "correct", category: c.id }, "Corrected to " + c.path, "correct");
  }
  async function reject() {
    if (items[index].dataset.decided) return;
    const comment = await ClipCat.ask("Reject this suggestion: why? (Enter to reject, Esc to cancel)");
    if (comment) decide({ decision: "reject", comment }, "Rejected: " + comment, "reject");
  }

  // --- bulk accept ---------------------------------------------------------------------------------------
  let preview = null;
  const bulkBody = (dryRun) => {
    const d = root.dataset;
    const body = { taxonomy: Number(d.taxonomy), min_confidence: Number($("bulk-threshold").value), dry_run: dryRun };
    if (d.category) body.category = Number(d.category);
    if (d.program) body.program = Number(d.program);
    if (d.maxConfidence) body.max_confidence = Number(d.maxConfidence);
    if (d.minConfidence && Number(d.minConfidence) > body.min_confidence) body.min_confidence = Number(d.minConfidence);
    return body;
  };
  $("bulk-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("bulk-threshold").blur();
    try {
      preview = await ClipCat.api("POST", root.dataset.bulkUrl, bulkBody(true));
    } catch (err) { say("No preview: " + err.message, "error"); return; }
    $("bulk-summary").textContent = preview.count
      ? count(preview.count, "unlabeled clip gets", "unlabeled clips get") + " the model's category as the label (confidence ≥ " + pct(preview.min_confidence) + "):"
      : "No open suggestion is that confident.";
    if (preview.left_out_open_set) {
      $("bulk-summary").textContent += " " + count(preview.left_out_open_set, "clip", "clips") +
        " above that confidence fit none of the categories well and are left out: review them one by one.";
    }
    $("bulk-cats").replaceChildren(...preview.categories.map((c) => {
      const tr = el("tr");
      tr.append(el("td", null, c.path), el("td", null, String(c.count)));
      return tr;
    }));
    $("bulk-sample").replaceChildren(...preview.sample.map((s) => {
      const li = el("li");
      li.append(el("span", null, s.title || "clip " + s.clip), el("span", "muted", " → " + s.path + " · " + pct(s.confidence)));
      return li;
    }));
    if (preview.count > preview.sample.length) $("bulk-sample").append(el("li", "muted", "and " + (preview.count - preview.sample.length) + " more"));
    $("bulk-confirm").textContent = "Accept " + count(preview.count, "suggestion", "suggestions");
    $("bulk-confirm").hidden = !preview.count;
    $("bulk-preview").hidden = false;
    if (preview.count) $("bulk-confirm").focus();
  });
  $("bulk-cancel").addEventListener("click", () => { $("bulk-preview").hidden = true; preview = null; });
  $("bulk-confirm").addEventListener("click", async () => {
    if (!preview) return;
    const button = $("bulk-confirm");
    button.disabled = true;
    try {
      const done = await ClipCat.api("POST", root.dataset.bulkUrl, { ...bulkBody(false), min_confidence: preview.min_confidence, expected_count: preview.count });
      const text = "Accepted " + count(done.applied, "suggestion", "suggestions") + " at or above " + pct(done.min_confidence) + ".";
      say(text + " Loading the rest…", "ok");
      try { sessionStorage.setItem(FLASH, text); } catch (e) { /* no storage */ }
      window.location.reload();
    } catch (err) { say("Nothing accepted: " + err.message, "error"); button.disabled = false; }
  });

  // --- wiring --------------------------------------------------------------------------------------------
  items.forEach((li, i) => li.addEventListener("click", () => focusItem(i, true)));
  document.querySelector("#focus [data-act=accept]").addEventListener("click", accept);
  document.querySelector("#focus [data-act=correct]").addEventListener("click", () => (picker.chosen ? correct() : picker.focusSearch()));
  document.querySelector("#focus [data-act=reject]").addEventListener("click", reject);

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) {
      if (e.key === "Escape") t.blur();
      else if (e.key === "Enter" && t.id === "cat-search" && picker.chosen) { e.preventDefault(); t.blur(); correct(); }
      return;
    }
    if (t && t.id === "bulk-confirm" && e.key === "Enter") return; // the button's own click
    if (ClipCatPlayer.handleKey(player, e)) { e.preventDefault(); return; }
    let handled = true;
    if (e.key === "j" || e.key === "ArrowDown") focusItem(index + 1, true);
    else if (e.key === "k" || e.key === "ArrowUp") focusItem(index - 1, true);
    else if (e.key === "a") accept();
    else if (e.key === "c" || e.key === "/") picker.focusSearch();
    else if (e.key === "Enter") correct();
    else if (e.key === "r") reject();
    else if (e.key === "b") { $("bulk-threshold").focus(); $("bulk-threshold").select(); }
    else if (e.key === "?") $("help").hidden = !$("help").hidden;
    else if (e.key === "Escape") { $("help").hidden = true; if (document.activeElement) document.activeElement.blur(); }
    else handled = false;
    if (handled) e.preventDefault();
  });

  picker.ready.catch((err) => say(err.message, "error"));
  focusItem(0, false);
})();
