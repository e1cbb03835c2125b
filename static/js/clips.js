// Clip lists and pages: scrub the hover strip over a thumbnail, and refresh a clip page until processed.
(function () {
  "use strict";
  document.querySelectorAll(".clip-thumb[data-strip]").forEach((thumb) => {
    const frames = Number(thumb.dataset.stripFrames) || 1;
    const img = thumb.querySelector("img");
    let loaded = false;
    thumb.addEventListener("mousemove", (e) => {
      if (!loaded) {
        thumb.style.backgroundImage = "url(" + thumb.dataset.strip + ")";
        loaded = true;
      }
      const rect = thumb.getBoundingClientRect();
      const i = Math.min(frames - 1, Math.floor(((e.clientX - rect.left) / rect.width) * frames));
      thumb.style.backgroundSize = frames * 100 + "% 100%";
      thumb.style.backgroundPosition = (frames > 1 ? (i * 100) / (frames - 1) : 0) + "% 0";
      if (img) img.style.opacity = 0;
    });
    thumb.addEventListener("mouseleave", () => { if (img) img.style.opacity = 1; });
  });

  // Click on the frames strip: seek the player to that part of the clip.
  const strip = document.getElementById("frames-strip");
  const player = document.getElementById("player");
  if (strip && player) {
    strip.addEventListener("click", (e) => {
      const rect = strip.getBoundingClientRect();
      const duration = player.duration || Number(strip.dataset.duration) || 0;
      player.currentTime = ((e.clientX - rect.left) / rect.width) * duration;
    });
  }

  const status = document.getElementById("clip-status");
  if (status && status.dataset.poll) {
    const timer = setInterval(async () => {
      try {
        const clip = await window.ClipCat.api("GET", status.dataset.api);
        if (clip.status === "ready" || clip.status === "failed") {
          clearInterval(timer);
          window.location.reload();
        }
      } catch (e) { clearInterval(timer); }
    }, 2000);
  }
})();
