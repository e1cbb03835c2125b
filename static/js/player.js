// Keyboard control of a <video> for the labeling and review pages: play/pause, seek, frame step, speed,
// and a click on the frames strip seeks there.
(function () {
  "use strict";
  const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3];

  function bind(video, opts) {
    const o = opts || {};
    let fps = 25;
    const fmt = (t) => (isFinite(t) ? t.toFixed(2) : "0.00");
    const show = () => {
      if (o.timeEl) o.timeEl.textContent = fmt(video.currentTime) + " / " + fmt(video.duration) + " s";
      if (o.speedEl) o.speedEl.textContent = video.playbackRate + "×";
    };
    ["timeupdate", "loadedmetadata", "ratechange", "seeked"].forEach((ev) => video.addEventListener(ev, show));
    // Native media keys would act twice when the player has focus; the page's handler does the work.
    video.addEventListener("keydown", (e) => { if (e.key !== "Tab") e.preventDefault(); });
    const clamp = (t) => Math.max(0, Math.min(isFinite(video.duration) ? video.duration : t, t));
    if (o.strip) {
      o.strip.addEventListener("click", (e) => {
        const rect = o.strip.getBoundingClientRect();
        if (isFinite(video.duration)) video.currentTime = ((e.clientX - rect.left) / rect.width) * video.duration;
      });
    }
    show();
    return {
      load(src, poster, clipFps) {
        fps = clipFps && clipFps > 0 ? clipFps : 25;
        video.playbackRate = 1;
        video.defaultPlaybackRate = 1;
        if (poster) video.poster = poster; else video.removeAttribute("poster");
        if (src) video.src = src; else video.removeAttribute("src");
        video.load();
        show();
      },
      toggle() {
        if (video.paused) { const p = video.play(); if (p && p.catch) p.catch(() => {}); } else video.pause();
      },
      seek(seconds) { video.currentTime = clamp(video.currentTime + seconds); },
      step(direction) { video.pause(); video.currentTime = clamp(video.currentTime + direction / fps); },
      speed(direction) {
        const i = SPEEDS.indexOf(video.playbackRate);
        const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 3 : i) + direction))];
        video.playbackRate = next;
        show();
      },
      video,
    };
  }

  // The keys both pages share; returns true when the key was one of them.
  function handleKey(player, e) {
    switch (e.key) {
      case " ": player.toggle(); return true;
      case "ArrowLeft": player.seek(e.shiftKey ? -10 : -2); return true;
      case "ArrowRight": player.seek(e.shiftKey ? 10 : 2); return true;
      case ",": player.step(-1); return true;
      case ".": player.step(1); return true;
      case "[": player.speed(-1); return true;
      case "]": player.speed(1); return true;
      default: return false;
    }
  }

  window.ClipCatPlayer = { bind, handleKey };
})();
