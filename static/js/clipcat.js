// Small helpers shared by every page: CSRF-aware JSON requests.
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
  window.ClipCat = { api, cookie };
})();
