// Highlight, in the article beside the form, the words a field was read from.
(function () {
  "use strict";
  var source = document.getElementById("intake-source");
  if (!source) { return; }
  // Spans count Unicode code points, as Python does.
  var chars = Array.from(source.textContent);

  function show(spanText) {
    var parts = String(spanText || "").split(",").map(Number);
    if (parts.length !== 2 || isNaN(parts[0]) || isNaN(parts[1]) || parts[0] > parts[1]) { return; }
    var start = Math.max(0, parts[0]), end = Math.min(chars.length, parts[1]);
    var mark = document.createElement("mark");
    mark.textContent = chars.slice(start, end).join("");
    source.textContent = "";
    source.append(chars.slice(0, start).join(""), mark, chars.slice(end).join(""));
    source.scrollTop = Math.max(0, mark.offsetTop - source.offsetTop - source.clientHeight / 3);
  }

  document.addEventListener("focusin", function (event) {
    var holder = event.target.closest("[data-span]");
    if (holder && holder.dataset.span) { show(holder.dataset.span); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".kt-show");
    if (button) { event.preventDefault(); show(button.dataset.span); }
  });
})();
