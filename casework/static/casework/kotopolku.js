/* Kotopolku's only script (the Content-Security-Policy allows no inline script). Every page
   works without it; it adds what the GOV.UK patterns do with JavaScript. */
(function () {
  "use strict";

  // Error summary: takes focus when the page opens; its links move focus to the field and
  // bring the field's label (or its group's legend) into view.
  function fieldFor(id) {
    var el = document.getElementById(id);
    if (el) return el;
    // a radio group or a multi-widget: its first input
    return document.getElementById(id + "_0") || document.querySelector("[name='" + id.replace(/^id_/, "") + "']");
  }
  document.querySelectorAll(".error-summary").forEach(function (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = fieldFor(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      var label = document.querySelector("label[for='" + field.id + "']") || legend || field;
      label.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  });

  // "Choose all" for bulk actions: a checkbox with data-select-all="name of the row boxes".
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = function () {
      return Array.prototype.slice.call(document.querySelectorAll("input[type=checkbox][name='" + name + "']"));
    };
    var sync = function () {
      var list = boxes();
      var checked = list.filter(function (b) { return b.checked; }).length;
      all.checked = list.length > 0 && checked === list.length;
      all.indeterminate = checked > 0 && checked < list.length;
      var counter = document.querySelector("[data-selected-count='" + name + "']");
      if (counter) counter.textContent = String(checked);
    };
    all.hidden = false;
    document.querySelectorAll("[data-selected-hint]").forEach(function (e) { e.hidden = false; });
    var label = document.querySelector("label[for='" + all.id + "']");
    if (label) label.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      sync();
    });
    boxes().forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  });

  // Filter panels: open on a wide screen, folded on a phone unless filters are in use.
  if (window.matchMedia("(min-width: 48rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }

  // The case's flow chart at full size: scroll its box to where the case is now.
  document.querySelectorAll(".chart[data-focus-x]").forEach(function (box) {
    var image = box.querySelector("img");
    var centre = function () {
      box.scrollLeft = image.offsetWidth * parseFloat(box.getAttribute("data-focus-x")) - box.clientWidth / 2;
      box.scrollTop = image.offsetHeight * parseFloat(box.getAttribute("data-focus-y")) - box.clientHeight / 2;
    };
    if (image.complete) { centre(); } else { image.addEventListener("load", centre); }
  });

  // Print buttons (the printable plan).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
