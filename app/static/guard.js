/* Two guards for every editing form (kiemtra; tests/browser/test_guard.py):
   - leaving a page whose form was changed and not sent asks first (beforeunload); sending it does not;
     a form shown again after a refused save counts as changed from the start;
   - a form or button with data-kt-confirm="question" asks the question before it is sent.
   A form opts out with data-kt-no-guard. Forms that search (method GET) are never guarded. */
(function () {
  "use strict";

  var sent = null;  // the form being sent: leaving the page for its answer is no loss
  var watched = [];

  function editing(form) {
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return false; }
    if (form.hasAttribute("data-kt-no-guard")) { return false; }
    return form.querySelector(
      "textarea, select, [contenteditable='true'], " +
      "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image])"
    ) !== null;
  }

  function snapshot(form) {
    var parts = [];
    var fields = form.elements;
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (!field.name || field.type === "hidden" || field.type === "submit" || field.type === "button") {
        continue;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        parts.push(field.name + "=" + (field.checked ? field.value : ""));
      } else if (field.type === "file") {
        parts.push(field.name + "=" + Array.prototype.map.call(field.files || [], function (f) { return f.name; }).join("|"));
      } else if (field.tagName === "SELECT") {
        parts.push(field.name + "=" + Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; }).join("|"));
      } else {
        parts.push(field.name + "=" + field.value);
      }
    }
    return parts.join("\u0000");
  }

  /* The state a form counts as saved in; a script that saves a form in place (the news editor) calls
     window.ktGuard.saved(form) afterwards. */
  function remember(form) {
    form.ktSaved = snapshot(form);
    form.ktRefused = false;
  }

  function dirty(form) {
    if (!document.body.contains(form)) { return false; }
    if (typeof form.ktSync === "function") { form.ktSync(); }
    return form.ktRefused || snapshot(form) !== form.ktSaved;
  }

  function watch(form) {
    if (watched.indexOf(form) >= 0 || !editing(form)) { return; }
    watched.push(form);
    remember(form);
    // Shown again after a refused save: what is on the screen is not saved yet.
    form.ktRefused = form.querySelector(".is-invalid, [aria-invalid='true']") !== null;
  }

  function ask(element, event) {
    var question = element && element.getAttribute("data-kt-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return false;
    }
    return true;
  }

  function ready() {
    Array.prototype.forEach.call(document.forms, watch);
    // Forms added later (rows added in place) are watched as they appear.
    new MutationObserver(function () { Array.prototype.forEach.call(document.forms, watch); })
      .observe(document.body, {childList: true, subtree: true});

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!ask(event.submitter && event.submitter.hasAttribute("data-kt-confirm") ? event.submitter : form, event)) {
        return;
      }
    }, true);
    document.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) {
        sent = event.target;  // the browser asks beforeunload at once; a download leaves the page in place
        window.setTimeout(function () { sent = null; }, 1500);
      }
    });
    window.addEventListener("pageshow", function () { sent = null; });
    window.addEventListener("beforeunload", function (event) {
      // Another form changed on the same page (a photo's "Xóa" beside the news text) still asks.
      if (watched.some(function (form) { return form !== sent && dirty(form); })) {
        event.preventDefault();
        event.returnValue = "";
        return "";
      }
    });
  }

  window.ktGuard = {
    saved: function (form) { remember(form); },
    isDirty: function () { return watched.some(dirty); }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
