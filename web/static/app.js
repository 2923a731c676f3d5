// Complaint Visit Planner: the little script the pages need (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  // A planning job's page: poll its status until the plan is ready, then open it.
  function pollJob(box) {
    var url = box.getAttribute("data-status-url");
    var started = Date.now();
    var label = box.querySelector("[data-status]");
    var elapsed = box.querySelector("[data-elapsed]");
    var bar = box.querySelector(".progress");
    var failedText = box.querySelector("[data-error]");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (job) {
          if (label) { label.textContent = box.getAttribute("data-label-" + job.status) || job.status; }
          if (elapsed) { elapsed.textContent = Math.round((Date.now() - started) / 1000) + " s"; }
          if (job.status === "done") {
            if (bar) { bar.classList.add("done"); }
            if (job.page_url) { window.location.assign(job.page_url); }
            return;
          }
          if (job.status === "failed") {
            if (bar) { bar.classList.add("failed"); }
            if (failedText) { failedText.textContent = job.error || ""; failedText.hidden = false; }
            return;
          }
          window.setTimeout(tick, 700);
        })
        .catch(function () { window.setTimeout(tick, 2000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-status-url]");
    if (box) { pollJob(box); }
  });
})();
