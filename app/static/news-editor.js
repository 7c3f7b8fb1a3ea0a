/* The news body editor (kiemtra; tests/browser/test_news_editor.py).

   Without JavaScript the body is a textarea of limited HTML. With it, the textarea is hidden and a
   contenteditable box with a few buttons writes into it: paragraphs, headings, bold, italics, lists,
   quotations and links; pasted text arrives as plain paragraphs. What the box holds is reduced to the
   allow-list before it is put in the textarea (the server cleans it again with nh3 on save and on
   display). A photo is uploaded in place (fetch) and inserted at the cursor: the text being typed
   stays on the page. "Mã HTML" shows the textarea itself for whoever wants the markup. */
(function () {
  "use strict";

  var area = document.getElementById("body_html");
  var root = document.getElementById("news-editor");
  if (!area || !root || area.disabled) { return; }
  var form = area.form;
  var words = JSON.parse(root.getAttribute("data-words"));

  // The allow-list, as in exports/html_clean.py (a subset the buttons write, plus what nh3 keeps).
  var BLOCKS = {P: 1, H2: 1, H3: 1, H4: 1, BLOCKQUOTE: 1, UL: 1, OL: 1, LI: 1, FIGURE: 1, FIGCAPTION: 1,
    TABLE: 1, CAPTION: 1, THEAD: 1, TBODY: 1, TR: 1, TH: 1, TD: 1, HR: 1};
  var INLINE = {STRONG: 1, EM: 1, U: 1, S: 1, SUB: 1, SUP: 1, A: 1, BR: 1, IMG: 1};
  var RENAME = {B: "STRONG", I: "EM", DIV: "P", H1: "H2", H5: "H4", H6: "H4", STRIKE: "S"};
  var ATTRIBUTES = {A: ["href", "title"], IMG: ["src", "alt"], OL: ["start"], TD: ["colspan", "rowspan"],
    TH: ["colspan", "rowspan"], P: ["class"], UL: ["class"], FIGURE: ["class"]};
  var DROP = {SCRIPT: 1, STYLE: 1, IFRAME: 1, OBJECT: 1, EMBED: 1, SVG: 1, MATH: 1, TEMPLATE: 1, NOSCRIPT: 1,
    TEXTAREA: 1, SELECT: 1, BUTTON: 1, INPUT: 1, META: 1, LINK: 1, TITLE: 1, HEAD: 1};

  function escapeText(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\u00a0/g, " ");
  }
  function escapeAttribute(text) {
    return escapeText(text).replace(/"/g, "&quot;");
  }

  /* The allowed HTML of a node's children, one block per line. */
  function serialise(node) {
    var out = "";
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) {
        out += escapeText(child.nodeValue);
        return;
      }
      if (child.nodeType !== 1) { return; }
      var tag = RENAME[child.tagName] || child.tagName;
      if (DROP[tag]) { return; }
      if (!BLOCKS[tag] && !INLINE[tag]) {  // span, font …: keep the text, drop the wrapper
        out += serialise(child);
        return;
      }
      var name = tag.toLowerCase();
      var attributes = "";
      (ATTRIBUTES[tag] || []).forEach(function (attribute) {
        var value = child.getAttribute(attribute);
        if (value !== null && value !== "") { attributes += " " + attribute + '="' + escapeAttribute(value) + '"'; }
      });
      if (tag === "BR" || tag === "IMG" || tag === "HR") {
        out += "<" + name + attributes + ">";
        return;
      }
      var inner = serialise(child);
      if (tag === "P" && !inner.replace(/<br>/g, "").trim()) { return; }  // empty paragraphs
      if (!BLOCKS[tag] && !inner) { return; }
      out += "<" + name + attributes + ">" + inner + "</" + name + ">" + (BLOCKS[tag] && tag !== "LI" ? "\n" : "");
    });
    return out;
  }

  /* Text typed straight into the box (not in a block) becomes a paragraph. */
  function wrapLooseText() {
    var loose = [];
    root.childNodes.forEach(function (child) {
      var inline = child.nodeType === 3 ? child.nodeValue.trim() !== "" :
        child.nodeType === 1 && !BLOCKS[RENAME[child.tagName] || child.tagName];
      if (inline) { loose.push(child); }
    });
    if (!loose.length) { return; }
    var selection = window.getSelection();
    var caret = selection.rangeCount ? selection.getRangeAt(0) : null;
    var keep = caret && loose.indexOf(caret.startContainer) >= 0 ? [caret.startContainer, caret.startOffset] : null;
    var paragraph = document.createElement("p");
    root.insertBefore(paragraph, loose[0]);
    loose.forEach(function (node) { paragraph.appendChild(node); });
    if (keep) { selection.collapse(keep[0], keep[1]); }
  }

  function sync() {
    var html = serialise(root).trim();
    area.value = html ? html + "\n" : "";
  }
  form.ktSync = sync;

  function load() {
    root.innerHTML = area.value;  // the server's cleaned body (or what was just refused, shown again)
    if (!root.innerHTML.trim()) { root.innerHTML = "<p><br></p>"; }
  }

  // --- keeping the cursor while the toolbar and the photo form are used ---
  var lastRange = null;
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (selection.rangeCount && root.contains(selection.getRangeAt(0).commonAncestorContainer)) {
      lastRange = selection.getRangeAt(0).cloneRange();
    }
  });
  function restore() {
    root.focus();
    if (lastRange) {
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(lastRange);
    }
  }

  function command(name, value) {
    restore();
    document.execCommand(name, false, value === undefined ? null : value);
    sync();
  }

  var actions = {
    p: function () { command("formatBlock", "<p>"); },
    h2: function () { command("formatBlock", "<h2>"); },
    h3: function () { command("formatBlock", "<h3>"); },
    quote: function () { command("formatBlock", "<blockquote>"); },
    bold: function () { command("bold"); },
    italic: function () { command("italic"); },
    ul: function () { command("insertUnorderedList"); },
    ol: function () { command("insertOrderedList"); },
    link: function () {
      var url = window.prompt(words.linkPrompt, "https://");
      if (!url || url === "https://") { return; }
      if (!/^(https?:\/\/|mailto:|\/[^\/\\])/i.test(url.trim())) {
        window.alert(words.linkRefused);
        return;
      }
      command("createLink", url.trim());
    },
    unlink: function () { command("unlink"); },
    undo: function () { command("undo"); },
    redo: function () { command("redo"); },
    source: function (button) {
      var showing = area.classList.toggle("d-none") === false;
      button.setAttribute("aria-pressed", showing ? "true" : "false");
      if (showing) {
        sync();
        root.classList.add("d-none");
      } else {
        load();
        root.classList.remove("d-none");
      }
    }
  };

  document.querySelectorAll("[data-editor-action]").forEach(function (button) {
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the selection
    button.addEventListener("click", function () { actions[button.getAttribute("data-editor-action")](button); });
  });

  root.addEventListener("input", function () { wrapLooseText(); sync(); });
  root.addEventListener("paste", function (event) {
    var text = (event.clipboardData || window.clipboardData).getData("text/plain");
    event.preventDefault();
    var html = text.split(/\r?\n\s*\r?\n|\r?\n/).filter(function (line) { return line.trim(); })
      .map(function (line) { return "<p>" + escapeText(line.trim()) + "</p>"; }).join("");
    document.execCommand("insertHTML", false, html || escapeText(text));
    sync();
  });
  root.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {  // Ctrl+S saves, as in a word processor
      event.preventDefault();
      sync();
      form.requestSubmit(document.getElementById("save"));
    }
  });
  area.addEventListener("input", function () { /* typed in the source view: shown when switching back */ });
  form.addEventListener("submit", function () {
    if (!area.classList.contains("d-none")) { return; }  // the source view is what gets sent
    sync();
  });

  // --- a photo uploaded in place, inserted at the cursor ---
  function insertFigure(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var figure = holder.firstElementChild;
    if (!figure) { return; }
    var block = null;
    if (lastRange && root.contains(lastRange.startContainer)) {
      block = lastRange.startContainer;
      while (block && block.parentNode !== root) { block = block.parentNode; }
    }
    if (block && block !== root) {
      root.insertBefore(figure, block.nextSibling);
    } else {
      root.appendChild(figure);
    }
    var after = document.createElement("p");
    after.appendChild(document.createElement("br"));
    root.insertBefore(after, figure.nextSibling);
    var range = document.createRange();
    range.setStart(after, 0);
    range.collapse(true);
    lastRange = range;
    sync();
  }

  function say(box, text, kind) {
    box.className = "alert alert-" + kind + " small py-2 mt-2";
    box.textContent = text;
    box.classList.remove("d-none");
  }

  var upload = document.getElementById("image-upload");
  if (upload && window.fetch && window.FormData) {
    var status = document.getElementById("image-upload-status");
    var append = upload.querySelector("input[name=append]");
    if (append) { append.closest(".form-check").classList.add("d-none"); }
    var hint = document.getElementById("image-upload-hint");
    if (hint) { hint.textContent = words.uploadHint; }
    upload.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(upload);
      data.delete("append");
      var button = upload.querySelector("button[type=submit]");
      button.disabled = true;
      say(status, words.uploading, "secondary");
      fetch(upload.action, {method: "POST", body: data, credentials: "same-origin",
        headers: {"X-Requested-With": "fetch", "Accept": "application/json"}})
        .then(function (response) {
          return response.json().catch(function () { return {error: words.uploadFailed}; });
        })
        .then(function (answer) {
          if (answer.error) {
            say(status, answer.error, "danger");
            return;
          }
          insertFigure(answer.figure_html);
          say(status, answer.message, "success");
          upload.reset();
          if (window.ktGuard) { window.ktGuard.saved(upload); }
          var list = document.getElementById("image-list");
          if (list) {
            var item = document.createElement("div");
            item.className = "border rounded p-2 mb-2";
            var img = document.createElement("img");
            img.className = "kt-thumb d-block mb-1";
            img.src = answer.src;
            img.alt = answer.caption;
            var caption = document.createElement("div");
            caption.className = "small";
            caption.textContent = answer.caption || words.noCaption;
            var again = document.createElement("button");
            again.type = "button";
            again.className = "btn btn-outline-secondary btn-sm mt-1";
            again.textContent = words.insertAgain;
            again.addEventListener("mousedown", function (event) { event.preventDefault(); });
            again.addEventListener("click", function () { insertFigure(answer.figure_html); });
            item.appendChild(img);
            item.appendChild(caption);
            item.appendChild(again);
            list.appendChild(item);
            var empty = document.getElementById("image-list-empty");
            if (empty) { empty.remove(); }
          }
        })
        .catch(function () { say(status, words.uploadFailed, "danger"); })
        .then(function () { button.disabled = false; });
    });
  }

  // "Chèn vào vị trí con trỏ" beside a photo already uploaded.
  document.querySelectorAll("[data-insert]").forEach(function (button) {
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () { insertFigure(button.getAttribute("data-insert")); });
  });

  document.execCommand("defaultParagraphSeparator", false, "p");
  document.execCommand("styleWithCSS", false, false);
  load();
  area.classList.add("d-none");
  root.classList.remove("d-none");
  document.getElementById("news-toolbar").classList.remove("d-none");
  sync();  // before guard.js takes the form's first state (on DOMContentLoaded)
})();
