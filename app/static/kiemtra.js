/* kiemtra's page helpers (WCAG 2.1 AA; tests/browser/test_accessibility.py). */
(function () {
  "use strict";

  /* After a refused submit, take the keyboard to the error: the form's error summary if the page has
     one, else the first field marked invalid (its message is tied to it by aria-describedby). */
  function focusFirstError() {
    var target = document.querySelector("[data-kt-error-summary]") ||
      document.querySelector("main [aria-invalid='true']");
    if (target) {
      target.focus();
    }
  }

  /* A table wider than the screen scrolls inside its box: the box takes focus then, so the arrow keys
     scroll it. */
  function scrollableTables() {
    var boxes = document.querySelectorAll(".table-responsive");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].scrollWidth > boxes[i].clientWidth) {
        boxes[i].setAttribute("tabindex", "0");
      } else {
        boxes[i].removeAttribute("tabindex");
      }
    }
  }

  /* A link of the error summary puts the focus in its field, not only the page at it. */
  function summaryLinks() {
    var summary = document.querySelector("[data-kt-error-summary]");
    if (!summary) {
      return;
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.focus();
      }
    });
  }

  /* A field that takes focus behind a form's sticky save bar scrolls up clear of it (WCAG 2.2 2.4.11):
     browsers scroll a focused field only into the window, not out from under the bar. */
  function clearOfSaveBar(event) {
    var bar = document.querySelector(".kt-save-bar");
    var field = event.target;
    if (!bar || !field.getBoundingClientRect || bar.contains(field)) {
      return;
    }
    var box = field.getBoundingClientRect();
    var top = bar.getBoundingClientRect().top;
    if (box.bottom > top && box.top < window.innerHeight) {
      window.scrollBy({top: box.bottom - top + 8, behavior: "instant"});
    }
  }

  function ready() {
    scrollableTables();
    summaryLinks();
    focusFirstError();
    window.addEventListener("resize", scrollableTables);
    document.addEventListener("focusin", clearOfSaveBar);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
