// Small comforts for the visit form; everything also works without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) { return; }

  // "Thêm" beside a citation picker appends the chosen code to the directive's citation field.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-pick]");
    if (!button) { return; }
    var pick = document.getElementById(button.dataset.pick);
    var into = document.getElementById(button.dataset.into);
    var code = (pick.value || "").trim();
    if (!code) { return; }
    var codes = into.value.split(/[;\n]+/).map(function (s) { return s.trim(); }).filter(Boolean);
    if (codes.indexOf(code) < 0) { codes.push(code); }
    into.value = codes.join("; ");
    pick.value = "";
    into.focus();
  });

  // Adding a row or moving a finding reloads the form: come back to the same place.
  var key = "kt-visit-form-scroll:" + location.pathname;
  form.addEventListener("submit", function (event) {
    var action = event.submitter && event.submitter.value;
    if (action && action !== "save") {
      sessionStorage.setItem(key, String(window.scrollY));
    } else {
      sessionStorage.removeItem(key);
    }
  });
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.scrollTo(0, parseInt(saved, 10) || 0);
  }
})();
