// dossier's web app: progress of background jobs, the source panel of a footnote, and filters
// that apply as they change. The pages work without it; this only saves clicks and reloads.
(function () {
  "use strict";

  // A job's progress is polled until it ends; then the page reloads to show what it made.
  function poll(box) {
    var id = box.getAttribute("data-job");
    var step = box.querySelector(".job-step");
    var bar = box.querySelector("progress");
    function tick() {
      fetch("/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          if (job.error && !job.status) { step.textContent = job.error; return; }
          step.textContent = job.step;
          bar.max = job.total || 1;
          bar.value = job.done;
          if (job.status === "done" || job.status === "failed") { window.location.reload(); }
          else { window.setTimeout(tick, 800); }
        })
        .catch(function () { window.setTimeout(tick, 2000); });
    }
    window.setTimeout(tick, 500);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-job]"), poll);

  // A footnote opens its source in a side panel, the quoted words highlighted in their context.
  var panel = document.getElementById("source-panel");
  if (panel) {
    var body = panel.querySelector(".panel-body");
    var close = function () { panel.hidden = true; };
    panel.querySelector(".close").addEventListener("click", close);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") { close(); } });
    document.addEventListener("click", function (e) {
      var link = e.target.closest ? e.target.closest("a.fn") : null;
      if (!link || e.metaKey || e.ctrlKey || e.shiftKey) { return; }
      e.preventDefault();
      var href = link.getAttribute("href");
      var parts = href.split("?");
      var url = parts[0] + "/context" + (parts[1] ? "?" + parts[1] : "");
      body.innerHTML = "<p class='empty'>Loading the source…</p>";
      panel.hidden = false;
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          body.innerHTML = html;
          var mark = body.querySelector("mark");
          if (mark) { mark.scrollIntoView({ block: "center" }); }
        })
        .catch(function () { body.innerHTML = "<p class='error'>The source could not be loaded.</p>"; });
    });
  }

  // The book's filters apply as soon as one changes.
  var filters = document.getElementById("book-filters");
  if (filters) {
    Array.prototype.forEach.call(filters.querySelectorAll("select, input[type=checkbox]"), function (el) {
      el.addEventListener("change", function () { filters.submit(); });
    });
  }
})();
