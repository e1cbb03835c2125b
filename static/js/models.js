// The classifier's pages: training runs (live progress polled from the API every 2 s while a run is queued
// or running; retrain and cancel), one run (progress, metrics, log tail), and model versions (promote or
// roll back, after a confirm). Data goes into the page with textContent only.
(function () {
  "use strict";
  const POLL_MS = 2000;
  const LIVE = ["queued", "running"];
  const $ = (id) => document.getElementById(id);
  const say = (text, kind) => {
    const b = $("runs-msg");
    if (!b) return;
    b.textContent = text || "";
    b.className = "lab-msg " + (kind || "");
    b.hidden = !text;
  };
  const label = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  const set = (scope, f, text) => scope.querySelectorAll("[data-f='" + f + "']").forEach((n) => { n.textContent = text; });

  // One run's live fields into a row or the detail page.
  function paint(scope, run) {
    const status = scope.querySelector("[data-f=status]");
    if (status) { status.textContent = label(run.status); status.className = "badge run-" + run.status; }
    const bar = scope.querySelector("[data-f=progress]");
    if (bar) bar.value = run.progress;
    set(scope, "pct", Math.round(run.progress * 100) + "%");
    set(scope, "stage", run.stage || (run.status === "queued" ? "waiting" : ""));
    set(scope, "epoch", run.epoch ? String(run.epoch) : "—");
    set(scope, "loss", run.loss === null || run.loss === undefined ? "—" : run.loss.toFixed(4));
    set(scope, "device", run.device || "—");
  }

  async function cancel(id, url) {
    if (!confirm("Cancel run #" + id + "? A running one stops at its next step; the active model stays.")) return false;
    try {
      await ClipCat.api("POST", url);
      say("Cancel asked for run #" + id + ".", "ok");
      return true;
    } catch (err) { say("Not cancelled: " + err.message, "error"); return false; }
  }

  // --- the runs list ---------------------------------------------------------------------------------------
  const runs = $("runs");
  if (runs) {
    const api = runs.dataset.api;
    const rows = () => [...document.querySelectorAll("#runs-body tr[data-run]")];
    let timer = null;
    const poll = async () => {
      timer = null;
      const live = rows().filter((r) => LIVE.includes(r.dataset.status));
      if (!live.length) return;
      let data;
      try {
        data = await ClipCat.api("GET", api + "?taxonomy=" + runs.dataset.taxonomy + "&page_size=50");
      } catch (err) { say("Progress not refreshed: " + err.message, "warn"); timer = setTimeout(poll, POLL_MS * 2); return; }
      say("");
      let finished = false;
      for (const run of data.results) {
        const row = runs.querySelector("tr[data-run='" + run.id + "']");
        if (!row) continue;
        paint(row, run);
        if (LIVE.includes(row.dataset.status) && !LIVE.includes(run.status)) finished = true;
        row.dataset.status = run.status;
      }
      if (finished) { window.location.reload(); return; } // the server draws the result (model, error)
      timer = setTimeout(poll, POLL_MS);
    };
    const start = () => { if (!timer) timer = setTimeout(poll, POLL_MS); };
    start();

    const form = $("retrain");
    if (form) form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const run = await ClipCat.api("POST", api, { taxonomy: Number(runs.dataset.taxonomy), reason: $("retrain-reason").value });
        say("Run #" + run.id + " is " + run.status + "; it starts " + new Date(run.scheduled_for).toLocaleTimeString() + ".", "ok");
        window.location.reload();
      } catch (err) { say("Not started: " + err.message, "error"); button.disabled = false; }
    });
    runs.addEventListener("click", (e) => {
      const b = e.target.closest("[data-cancel]");
      if (!b) return;
      const id = b.dataset.cancel;
      cancel(id, api + id + "/cancel/").then((done) => { if (done) window.location.reload(); });
    });
  }

  // --- one run ---------------------------------------------------------------------------------------------
  const one = $("run");
  if (one) {
    const log = $("log");
    log.scrollTop = log.scrollHeight;
    const poll = async () => {
      let run;
      try { run = await ClipCat.api("GET", one.dataset.api); }
      catch (err) { say("Not refreshed: " + err.message, "warn"); setTimeout(poll, POLL_MS * 2); return; }
      paint(one, run);
      const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 30;
      if (log.textContent !== run.log) { log.textContent = run.log; if (atEnd) log.scrollTop = log.scrollHeight; }
      const rows = Object.entries(run.metrics || {}).filter(([, v]) => typeof v === "number").map(([k, v]) => {
        const tr = document.createElement("tr");
        const th = document.createElement("th"); th.textContent = k;
        const td = document.createElement("td"); td.textContent = v.toFixed(4);
        tr.append(th, td);
        return tr;
      });
      if (rows.length) $("metrics").replaceChildren(...rows);
      if (LIVE.includes(run.status)) setTimeout(poll, POLL_MS);
      else window.location.reload();
    };
    if (one.dataset.live) setTimeout(poll, POLL_MS);
    one.addEventListener("click", (e) => {
      const b = e.target.closest("[data-cancel]");
      if (b) cancel(b.dataset.cancel, one.dataset.api + "cancel/").then((done) => { if (done) b.disabled = true; });
    });
  }

  // --- versions --------------------------------------------------------------------------------------------
  const versions = $("versions");
  if (versions) {
    versions.addEventListener("click", async (e) => {
      const b = e.target.closest("[data-promote]");
      if (!b) return;
      const n = b.dataset.number;
      const question = b.dataset.action === "rollback"
        ? "Roll back to v" + n + "? It becomes the active model and every clip is predicted again with it."
        : "Promote v" + n + "? It replaces the active model and every clip is predicted again with it.";
      if (!confirm(question)) return;
      b.disabled = true;
      try {
        await ClipCat.api("POST", versions.dataset.promoteUrl.replace("/0/", "/" + b.dataset.promote + "/"), {
          reason: (b.dataset.action === "rollback" ? "Rolled back" : "Promoted") + " from the versions page",
        });
        window.location.reload();
      } catch (err) { say("Not changed: " + err.message, "error"); b.disabled = false; }
    });
  }
})();
