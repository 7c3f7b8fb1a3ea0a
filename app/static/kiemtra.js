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

  /* On a phone the extra filters of a list fold under their summary, unless one of them is in use. */
  function foldFilters() {
    if (!window.matchMedia("(max-width: 575.98px)").matches) {
      return;
    }
    var boxes = document.querySelectorAll("details.kt-more-filters:not([data-kt-keep-open])");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].removeAttribute("open");
    }
  }

  /* A search box marked data-kt-live filters its list as one types: the form's own GET is fetched and the
     parts of the page marked data-kt-live-region are swapped for the answer's (the address follows, so
     the back button and a reload give the same list). Without JavaScript the form submits as before. */
  function liveSearch() {
    var boxes = document.querySelectorAll("input[data-kt-live]");
    Array.prototype.forEach.call(boxes, function (box) {
      var form = box.form;
      var timer = null;
      var asked = 0;
      if (!form) {
        return;
      }
      function query() {
        var params = new URLSearchParams();
        new FormData(form).forEach(function (value, key) {
          if (value !== "" && key !== "page") {
            params.append(key, value);
          }
        });
        var text = params.toString();
        return (form.getAttribute("action") || location.pathname) + (text ? "?" + text : "");
      }
      function refresh() {
        var url = query();
        var mine = ++asked;
        document.body.setAttribute("aria-busy", "true");
        fetch(url, {headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) {
            if (html === null || mine !== asked) {
              return;
            }
            var doc = new DOMParser().parseFromString(html, "text/html");
            var regions = document.querySelectorAll("[data-kt-live-region]");
            for (var i = 0; i < regions.length; i++) {
              var fresh = doc.getElementById(regions[i].id);
              if (fresh) {
                regions[i].replaceWith(document.importNode(fresh, true));
              }
            }
            history.replaceState(null, "", url);
            scrollableTables();
          })
          .catch(function () { /* the form still submits with the button */ })
          .then(function () {
            if (mine === asked) {
              document.body.removeAttribute("aria-busy");
            }
          });
      }
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 250);
      });
      form.addEventListener("change", function (event) {
        if (event.target.tagName === "SELECT") {
          refresh();
        }
      });
    });
  }

  function ready() {
    scrollableTables();
    summaryLinks();
    focusFirstError();
    foldFilters();
    liveSearch();
    window.addEventListener("resize", scrollableTables);
    document.addEventListener("focusin", clearOfSaveBar);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
