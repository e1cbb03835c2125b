// The review page: one clip in review at a time; accept label N (1-9), correct it (c, then the category
// picker and Enter) or reject it (r, asks why). Decisions go to the API; the result is the clip's final
// label with who decided.
(function () {
  "use strict";
  const root = document.getElementById("review");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const tasks = [...document.querySelectorAll("article.review-task")];
  if (!tasks.length) return;
  let index = 0;

  const say = ClipCat.say;
  const picker = ClipCatPicker.create({
    input: $("cat-search"), results: $("cat-results"), browse: null, standard: $("standard"), chosenEl: $("chosen"),
    treeUrl: root.dataset.treeUrl, standardsUrl: root.dataset.standardsUrl, recentKey: "clipcat:recent-review:" + root.dataset.project,
    emptyText: "c: search the right category, Enter picks it, Enter again sends the correction",
  });
  const players = tasks.map((t) => ClipCatPlayer.bind(t.querySelector("video"), {
    strip: t.querySelector(".frames-strip"), timeEl: t.querySelector(".play-time"), speedEl: t.querySelector(".play-speed"),
  }));
  const open = () => tasks.filter((t) => !t.dataset.decided);

  function focusTask(i) {
    index = Math.max(0, Math.min(tasks.length - 1, i));
    tasks.forEach((t, k) => { t.hidden = k !== index; if (k !== index) t.querySelector("video").pause(); });
    document.querySelectorAll("#review-list li").forEach((li) => li.classList.toggle("hl", li.dataset.task === tasks[index].dataset.task));
    picker.clear();
  }


  async function decide(body, summary) {
    const task = tasks[index];
    if (!(await ClipCat.decide(task, body))) return;
    const p = task.querySelector(".decision");
    p.textContent = summary;
    p.hidden = false;
    const li = document.querySelector("#review-list li[data-task='" + task.dataset.task + "']");
    if (li) li.classList.add("decided");
    $("left").textContent = String(open().length);
    say(summary, "ok");
    const rest = open();
    if (!rest.length) { document.querySelector(".review-grid").hidden = true; $("review-done").hidden = false; return; }
    const after = rest.find((t) => tasks.indexOf(t) > index) || rest[0];
    focusTask(tasks.indexOf(after));
  }

  function accept(n) {
    const li = tasks[index].querySelectorAll(".review-labels li")[n - 1];
    if (!li) return;
    if (li.dataset.skip) { say("That one is a skip; pick a label with a category.", "warn"); return; }
    const path = li.querySelector(".label-path").textContent;
    decide({ decision: "accept", label: Number(li.dataset.label) }, "Accepted label " + n + ": " + path);
  }
  function correct() {
    const c = picker.chosen;
    if (!c) { say("Choose the right category first (c, type, Enter), then Enter sends it.", "warn"); picker.focusSearch(); return; }
    decide({ decision: "correct", category: c.id }, "Corrected to " + c.path);
  }
  async function reject() {
    const comment = await ClipCat.ask("Reject this clip: why? (Enter to reject, Esc to cancel)");
    if (comment) decide({ decision: "reject", comment }, "Rejected: " + comment);
  }

  tasks.forEach((t) => {
    t.querySelectorAll(".review-labels li").forEach((li, i) => li.addEventListener("click", () => accept(i + 1)));
    t.querySelector("[data-act=correct]").addEventListener("click", () => (picker.chosen ? correct() : picker.focusSearch()));
    t.querySelector("[data-act=reject]").addEventListener("click", () => reject());
  });
  document.querySelectorAll("#review-list li a").forEach((a, i) => a.addEventListener("click", (e) => { e.preventDefault(); focusTask(i); }));
  $("help-toggle").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) {
      if (e.key === "Escape") t.blur();
      else if (e.key === "Enter" && t.id === "cat-search" && picker.chosen) { e.preventDefault(); t.blur(); correct(); }
      return;
    }
    if (ClipCatPlayer.handleKey(players[index], e)) { e.preventDefault(); return; }
    let handled = true;
    if (/^[1-9]$/.test(e.key)) accept(Number(e.key));
    else if (e.key === "c" || e.key === "/") picker.focusSearch();
    else if (e.key === "Enter") correct();
    else if (e.key === "r") reject();
    else if (e.key === "j") focusTask(index + 1);
    else if (e.key === "k") focusTask(index - 1);
    else if (e.key === "?") $("help").hidden = !$("help").hidden;
    else if (e.key === "Escape") { $("help").hidden = true; if (document.activeElement) document.activeElement.blur(); }
    else handled = false;
    if (handled) e.preventDefault();
  });

  picker.ready.catch((e) => say(e.message, "error"));
  focusTask(0);
})();
