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

  var words = {};
  try { words = JSON.parse(form.getAttribute("data-kt-words") || "{}"); } catch (e) { words = {}; }

  // --- Rows added, removed and moved in place (without JavaScript the buttons submit as before) ---

  function rowsOf(prefix) {
    var pattern = new RegExp("^" + prefix.replace(/[-]/g, "\\-") + "-(\\d+)$");
    return Array.prototype.filter.call(form.querySelectorAll("[data-row]"), function (row) {
      return pattern.test(row.getAttribute("data-row"));
    });
  }

  function nextIndex(prefix) {
    var highest = -1;
    var pattern = new RegExp("^" + prefix.replace(/[-]/g, "\\-") + "-(\\d+)-");
    Array.prototype.forEach.call(form.elements, function (field) {
      var match = pattern.exec(field.name || "");
      if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
    });
    return highest + 1;
  }

  function renumber(element, from, to) {
    // Every name, id, label and reference of the copied row moves from "prefix-3" to "prefix-4".
    var all = [element].concat(Array.prototype.slice.call(element.querySelectorAll("*")));
    all.forEach(function (node) {
      ["name", "id", "for", "data-row", "aria-describedby", "data-pick", "data-into", "value", "list"].forEach(function (attr) {
        var value = node.getAttribute(attr);
        if (value && value.indexOf(from) >= 0 && !(attr === "value" && node.tagName !== "BUTTON")) {
          node.setAttribute(attr, value.split(from + "-").join(to + "-").replace(new RegExp(from + "$"), to));
        }
      });
    });
  }

  function blank(row) {
    row.querySelectorAll(".is-invalid").forEach(function (f) { f.classList.remove("is-invalid"); });
    row.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    row.querySelectorAll(".invalid-feedback, .kt-started, .kt-picked, .kt-multi, .kt-date-button, .kt-date-native").forEach(function (f) { f.remove(); });
    row.querySelectorAll("[data-kt-date]").forEach(function (f) {
      var group = f.parentNode;
      if (group.classList.contains("input-group")) { group.parentNode.insertBefore(f, group); group.remove(); }
      delete f.dataset.ktDate;
    });
    row.querySelectorAll("[data-kt-multi]").forEach(function (f) { delete f.dataset.ktMulti; });
    row.querySelectorAll("[aria-describedby]").forEach(function (f) { f.removeAttribute("aria-describedby"); });
    row.querySelectorAll("input, textarea, select").forEach(function (field) {
      var name = field.name || "";
      if (/-remove$/.test(name)) {
        var box = field.closest(".form-check") || field;
        (box.parentElement && box.parentElement.classList.contains("d-flex") ? box.parentElement : box).remove();
        return;
      }
      if (field.tagName === "SELECT") {
        if (field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) { o.selected = false; });
          field.hidden = false;
        } else if (/-role$/.test(name)) {
          // A second head or chair is refused: a copied row joins as a member.
          var plain = {head: "member", host_chair: "host_participant"}[field.value];
          if (plain) { field.value = plain; }
        } else if (!/-kind$/.test(name)) {
          field.selectedIndex = 0;
        }
      } else if (field.type === "checkbox") {
        field.checked = field.defaultChecked && !/-remove$/.test(name);
      } else if (field.type !== "button" && field.type !== "submit") {
        field.value = "";
      }
    });
  }

  function dropButton(row) {
    if (row.querySelector(":scope > .kt-drop")) { return; }
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "btn btn-link btn-sm kt-drop px-0";
    drop.textContent = "× " + (words.remove || "");
    row.appendChild(drop);
  }

  function addRow(prefix, button) {
    var rows = rowsOf(prefix);
    if (!rows.length) { return false; }
    var last = rows[rows.length - 1];
    var index = nextIndex(prefix);
    var from = last.getAttribute("data-row");
    var copy = last.cloneNode(true);
    renumber(copy, from, prefix + "-" + index);
    // A copied directive keeps one task row; its legend says it is new.
    rowsOf(prefix + "-" + index + "-tasks").slice(1).forEach(function (extra) { extra.remove(); });
    Array.prototype.slice.call(copy.querySelectorAll("[data-row]")).filter(function (r) {
      return /-tasks-\d+$/.test(r.getAttribute("data-row")) && !/-tasks-0$/.test(r.getAttribute("data-row"));
    }).forEach(function (r) { r.remove(); });
    var legend = copy.querySelector(":scope > legend");
    if (legend) { legend.textContent = words.new_directive || legend.textContent; }
    blank(copy);
    copy.querySelectorAll("[data-row]").forEach(function (r) { r.querySelectorAll(":scope > .kt-drop").forEach(function (d) { d.remove(); }); dropButton(r); });
    copy.querySelectorAll(":scope > .kt-drop").forEach(function (d) { d.remove(); });
    dropButton(copy);
    last.parentNode.insertBefore(copy, last.nextSibling);
    enhance(copy);
    var first = copy.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
    if (first) { first.focus(); }
    return true;
  }

  function swapRows(a, b) {
    var fieldsA = a.querySelectorAll("[name]");
    fieldsA.forEach(function (field) {
      var suffix = field.name.slice(a.getAttribute("data-row").length);
      var other = b.querySelector("[name='" + b.getAttribute("data-row") + suffix + "']");
      if (!other || field.type === "submit" || field.tagName === "BUTTON") { return; }
      if (field.type === "checkbox") {
        var c = field.checked; field.checked = other.checked; other.checked = c;
      } else {
        var v = field.value; field.value = other.value; other.value = v;
      }
    });
  }

  form.addEventListener("click", function (event) {
    var drop = event.target.closest(".kt-drop");
    if (drop) {
      var row = drop.parentElement;
      var next = row.nextElementSibling;
      row.remove();
      if (next) { next.focus && (next.querySelector("input, select, textarea, button") || next).focus(); }
      return;
    }
    var button = event.target.closest("button[name=action]");
    if (!button) { return; }
    var action = button.value || "";
    var verb = action.split(":")[0];
    var target = action.slice(verb.length + 1);
    if (verb === "add" && addRow(target, button)) {
      event.preventDefault();
    } else if ((verb === "up" || verb === "down") && /^findings-\d+$/.test(target)) {
      var rows = rowsOf("findings");
      var here = rows.indexOf(form.querySelector("[data-row='" + target + "']"));
      var there = verb === "up" ? here - 1 : here + 1;
      event.preventDefault();
      if (here >= 0 && there >= 0 && there < rows.length) {
        swapRows(rows[here], rows[there]);
        rows[there].querySelector("button[value^='" + verb + ":']").focus();
      }
    }
  });

  // --- A searchable list of checkboxes for the coordinating units (no Ctrl-click) ---

  function multiPicker(select) {
    if (select.dataset.ktMulti) { return; }
    select.dataset.ktMulti = "1";
    var box = document.createElement("div");
    box.className = "kt-multi";
    var picked = document.createElement("div");
    picked.className = "kt-picked d-flex flex-wrap gap-1 mb-1";
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control form-control-sm";
    search.placeholder = words.find || "";
    search.id = select.id + "-find";
    var label = form.querySelector("label[for='" + select.id + "'], label[for='" + search.id + "']");
    if (label) { label.setAttribute("for", search.id); }
    var list = document.createElement("div");
    list.className = "kt-multi-list border rounded mt-1";
    list.hidden = true;
    box.appendChild(picked);
    box.appendChild(search);
    box.appendChild(list);
    select.hidden = true;
    select.parentNode.insertBefore(box, select.nextSibling);

    function showPicked() {
      picked.innerHTML = "";
      var chosen = Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; });
      if (!chosen.length) {
        var none = document.createElement("span");
        none.className = "small text-muted";
        none.textContent = words.none || "";
        picked.appendChild(none);
      }
      chosen.forEach(function (option) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "btn btn-sm btn-outline-secondary kt-chip";
        chip.textContent = option.textContent.replace(/^[\s—-]+/, "") + " ×";
        chip.title = words.unselect || "";
        chip.addEventListener("click", function () { option.selected = false; showPicked(); fill(); });
        picked.appendChild(chip);
      });
    }

    function fold(text) {
      return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
    }

    function fill() {
      if (list.hidden) { return; }
      var wanted = fold(search.value).split(/\s+/).filter(Boolean);
      list.innerHTML = "";
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option, i) {
        if (!option.value) { return; }
        var name = fold(option.textContent);
        if (!wanted.every(function (w) { return name.indexOf(w) >= 0; })) { return; }
        if (shown++ > 60) { return; }
        var label = document.createElement("label");
        label.className = "d-flex gap-2 align-items-center px-2 py-1 kt-multi-option";
        var check = document.createElement("input");
        check.type = "checkbox";
        check.className = "form-check-input m-0";
        check.checked = option.selected;
        check.addEventListener("change", function () { option.selected = check.checked; showPicked(); });
        label.appendChild(check);
        label.appendChild(document.createTextNode(option.textContent));
        list.appendChild(label);
      });
      if (!shown) {
        var none = document.createElement("p");
        none.className = "small text-muted m-2";
        none.textContent = words.no_match || "";
        list.appendChild(none);
      }
    }

    search.addEventListener("focus", function () { list.hidden = false; fill(); });
    search.addEventListener("input", fill);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // Enter picks the first match instead of submitting the form
        event.preventDefault();
        var first = list.querySelector("input[type=checkbox]");
        if (first) { first.click(); search.select(); }
      } else if (event.key === "Escape") {
        list.hidden = true;
      }
    });
    box.addEventListener("focusout", function (event) {
      if (!box.contains(event.relatedTarget)) { list.hidden = true; }
    });
    showPicked();
  }

  // --- A calendar beside each dd/mm/yyyy field; the text stays as typed and shown ---

  function datePicker(field) {
    if (field.dataset.ktDate || !field.parentNode) { return; }
    field.dataset.ktDate = "1";
    var group = document.createElement("div");
    group.className = "input-group";
    field.parentNode.insertBefore(group, field);
    group.appendChild(field);
    var calendar = document.createElement("input");
    calendar.type = "date";
    calendar.className = "kt-date-native";
    calendar.tabIndex = -1;
    calendar.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary kt-date-button";
    button.title = words.date || "";
    button.setAttribute("aria-label", words.date || "");
    button.innerHTML = '<svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" fill="currentColor"><path d="M4 0v2H1v14h14V2h-3V0h-2v2H6V0zM3 6h10v8H3z"/></svg>';
    group.appendChild(calendar);
    group.appendChild(button);
    button.addEventListener("click", function () {
      var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(field.value.trim());
      calendar.value = m ? m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2) : "";
      try { calendar.showPicker(); } catch (e) { calendar.focus(); }
    });
    calendar.addEventListener("change", function () {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(calendar.value);
      if (m) {
        field.value = m[3] + "/" + m[2] + "/" + m[1];
        field.dispatchEvent(new Event("input", {bubbles: true}));
        field.dispatchEvent(new Event("change", {bubbles: true}));
        field.focus();
      }
    });
  }

  function enhance(root) {
    root.querySelectorAll("select[multiple]").forEach(multiPicker);
    root.querySelectorAll("input[placeholder='dd/mm/yyyy']").forEach(datePicker);
  }

  enhance(form);
  // Rows not yet saved (no id) can be dropped in place; saved ones keep their "remove" checkbox.
  form.querySelectorAll("[data-row]").forEach(function (row) {
    var id = row.querySelector("input[type=hidden][name='" + row.getAttribute("data-row") + "-id']");
    if (id && !id.value && rowsOf(row.getAttribute("data-row").replace(/-\d+$/, "")).length > 1) { dropButton(row); }
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
