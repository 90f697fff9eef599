// Keeps an export's progress up to date: fetches the progress part of the page every few
// seconds and puts it in place, until the export is finished. Without scripts the page's
// own Refresh button does the same.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box || !box.dataset.poll || !window.fetch) { return; }
  var every = parseInt(box.dataset.poll, 10) || 2000;
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        var part = document.createElement("div");
        part.innerHTML = html;
        var status = part.querySelector(".export-status");
        if (!status) { return; }
        var current = box.querySelector(".export-status");
        // update the live region's content only, so screen readers hear the change
        current.innerHTML = status.innerHTML;
        current.dataset.finished = status.dataset.finished;
        if (status.dataset.finished !== "true") { setTimeout(poll, every); }
      })
      .catch(function () { setTimeout(poll, every * 3); });
  }
  setTimeout(poll, every);
})();
