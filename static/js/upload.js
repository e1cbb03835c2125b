// Drag-and-drop upload: every file goes to the clips API in its own request, with its own progress bar.
(function () {
  "use strict";
  const list = document.getElementById("upload-list");
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("file-input");
  if (!list || !zone) return;
  const maxBytes = Number(list.dataset.max);
  const queue = [];
  let running = 0;
  const PARALLEL = 2;

  function row(file) {
    const li = document.createElement("li");
    li.className = "upload-item";
    li.innerHTML = '<span class="upload-name"></span><progress max="100" value="0"></progress><span class="upload-state muted">waiting</span>';
    li.querySelector(".upload-name").textContent = file.name;
    list.appendChild(li);
    return li;
  }

  function finish(li, ok, html) {
    li.classList.add(ok ? "done" : "failed");
    const state = li.querySelector(".upload-state");
    state.classList.remove("muted");
    state.innerHTML = html;
    running -= 1;
    next();
  }

  function errorText(xhr) {
    try {
      const data = JSON.parse(xhr.responseText);
      if (data.file) return [].concat(data.file).join(" ");
      if (data.detail) return data.detail;
      return Object.entries(data).map(([k, v]) => k + ": " + [].concat(v).join(" ")).join("; ");
    } catch (e) {
      return xhr.status === 413 ? "The file is too large." : "Upload failed (" + xhr.status + ").";
    }
  }

  function send(item) {
    const { file, li } = item;
    const bar = li.querySelector("progress");
    const state = li.querySelector(".upload-state");
    if (file.size > maxBytes) return finish(li, false, "Too large for ClipCat's upload limit.");
    const form = new FormData();
    form.append("file", file);
    const program = document.getElementById("upload-program").value;
    const tags = document.getElementById("upload-tags").value;
    if (program) form.append("program", program);
    if (tags) form.append("tags", tags);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", list.dataset.api);
    xhr.setRequestHeader("X-CSRFToken", window.ClipCat.cookie("csrftoken"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        bar.value = Math.round((100 * e.loaded) / e.total);
        state.textContent = bar.value + "%";
      }
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        const clip = JSON.parse(xhr.responseText);
        bar.value = 100;
        const link = document.createElement("a");
        link.href = "/clips/" + clip.id + "/";
        link.textContent = "uploaded: " + clip.title + " (processing)";
        finish(li, true, "");
        state.appendChild(link);
      } else {
        finish(li, false, "");
        state.textContent = errorText(xhr);
      }
    };
    xhr.onerror = () => finish(li, false, "Network error: the upload did not reach ClipCat.");
    state.textContent = "uploading";
    xhr.send(form);
  }

  function next() {
    while (running < PARALLEL && queue.length) {
      running += 1;
      send(queue.shift());
    }
  }

  function add(files) {
    for (const file of files) queue.push({ file, li: row(file) });
    next();
  }

  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.remove("over"); }));
  zone.addEventListener("drop", (e) => add(e.dataTransfer.files));
})();
