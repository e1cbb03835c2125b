// Small helpers shared by every page: CSRF-aware JSON requests, the message line and the one-line
// question box of the keyboard-driven pages (labeling, review, suggestions).
(function () {
  "use strict";
  function cookie(name) {
    const m = document.cookie.match(new RegExp("(^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[2]) : "";
  }
  async function api(method, url, body) {
    const opts = { method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    if (method !== "GET") opts.headers["X-CSRFToken"] = cookie("csrftoken");
    const res = await fetch(url, opts);
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
    if (!res.ok) {
      const msg = data && (data.detail || JSON.stringify(data)) || res.statusText;
      throw new Error(msg);
    }
    return data;
  }
  // The page's message line (#lab-msg): kind is "", "ok", "warn" or "error"; no text hides it.
  function say(text, kind) {
    const box = document.getElementById("lab-msg");
    box.textContent = text || "";
    box.className = "lab-msg " + (kind || "");
    box.hidden = !text;
  }
  // Ask one line in the page's #dialog box: resolves to the trimmed answer on Enter, null on Escape.
  function ask(label, initial) {
    const box = document.getElementById("dialog"), input = document.getElementById("dialog-input");
    document.getElementById("dialog-label").textContent = label;
    input.value = initial || "";
    box.hidden = false;
    input.focus();
    return new Promise((resolve) => {
      const done = (value) => { box.hidden = true; input.removeEventListener("keydown", onKey); input.blur(); resolve(value); };
      const onKey = (e) => {
        if (e.key === "Enter") { e.preventDefault(); e.stopPropagation(); done(input.value.trim()); }
        else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); done(null); }
      };
      input.addEventListener("keydown", onKey);
    });
  }
  // Send a reviewer's decision on one item (POST to its data-review-url), once: a call while another is
  // being sent, or for an item already decided, does nothing. Resolves true when it was saved.
  let deciding = false;
  async function decide(item, body) {
    if (deciding || item.dataset.decided) return false;
    deciding = true;
    say("Saving…");
    try {
      await api("POST", item.dataset.reviewUrl, body);
    } catch (err) {
      say("Not saved: " + err.message, "error");
      return false;
    } finally {
      deciding = false;
    }
    item.dataset.decided = "1";
    return true;
  }
  window.ClipCat = { api, cookie, say, ask, decide };
})();
