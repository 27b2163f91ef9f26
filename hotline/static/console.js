/* Operator console: live queue, keyboard shortcuts, canned replies. Every page works without it.
 *
 * - Live queue: the queue table polls its rows URL (data-rows-url) every data-refresh-seconds;
 *   new tickets appear highlighted, the count goes into the page title and a polite status line.
 *   The rows come as HTML rendered (and escaped) by the server's own template.
 * - Shortcuts (not while typing): j/k move through the queue, c claims; on a ticket c claims,
 *   r goes to the reply box, g to the resolution box; Ctrl+Enter sends the form being typed in;
 *   "/" goes to the code search.
 * - Canned replies: "Chèn" puts the chosen reply at the cursor instead of reloading the page.
 */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // ------------------------------------------------------------------ live queue

  var table = document.getElementById("queue");
  var body = document.getElementById("queue-rows");
  var selected = -1;

  function rows() {
    return body ? Array.prototype.filter.call(body.rows, function (row) { return row.hasAttribute("data-code"); }) : [];
  }

  function select(index) {
    var list = rows();
    if (!list.length) { return; }
    selected = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    var link = list[selected].querySelector("a");
    if (link) { link.focus(); }
  }

  if (table && body && table.getAttribute("data-rows-url")) {
    var url = table.getAttribute("data-rows-url");
    var seconds = Math.max(1, parseFloat(table.getAttribute("data-refresh-seconds")) || 10);
    var title = table.getAttribute("data-title") || document.title;
    var countNode = document.getElementById("queue-count");
    var live = document.getElementById("live-status");
    var known = {};
    rows().forEach(function (row) { known[row.getAttribute("data-code")] = true; });

    var refresh = function () {
      if (document.visibilityState === "hidden") { return; }
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || typeof data.html !== "string") { return; }
          var focusedCode = document.activeElement && document.activeElement.closest
            && document.activeElement.closest("tr[data-code]")
            ? document.activeElement.closest("tr[data-code]").getAttribute("data-code") : null;
          var template = document.createElement("template");
          template.innerHTML = data.html;  // our own server-rendered, autoescaped rows
          var fresh = 0;
          Array.prototype.forEach.call(template.content.querySelectorAll("tr[data-code]"), function (row) {
            var code = row.getAttribute("data-code");
            if (!known[code]) { row.classList.add("fresh"); fresh += 1; known[code] = true; }
          });
          body.replaceChildren(template.content);
          var shown = data.shown || String(data.count);
          if (countNode) { countNode.textContent = shown; }
          document.title = (data.count ? "(" + shown + ") " : "") + title + " · Tổng đài";
          if (fresh && live) { live.textContent = fresh + " phản ánh mới vừa đến."; }
          if (focusedCode) {
            var again = body.querySelector('tr[data-code="' + focusedCode + '"]');
            if (again) { select(rows().indexOf(again)); }
          }
        })
        .catch(function () { /* offline for a moment: try again next round */ });
    };
    setInterval(refresh, seconds * 1000);
  }

  // ------------------------------------------------------------------ canned replies

  var cannedButton = document.getElementById("canned-insert");
  var cannedSelect = document.getElementById("canned-select");
  var replyBox = document.getElementById("reply-text");
  if (cannedButton && cannedSelect && replyBox) {
    cannedButton.addEventListener("click", function (event) {
      event.preventDefault();
      var option = cannedSelect.options[cannedSelect.selectedIndex];
      var text = option ? option.getAttribute("data-text") || "" : "";
      var start = replyBox.selectionStart || 0;
      var end = replyBox.selectionEnd || 0;
      var before = replyBox.value.slice(0, start);
      var spacer = before && !/\s$/.test(before) ? " " : "";
      replyBox.value = before + spacer + text + replyBox.value.slice(end);
      replyBox.focus();
      var caret = (before + spacer + text).length;
      replyBox.setSelectionRange(caret, caret);
    });
  }

  // ------------------------------------------------------------------ shortcuts

  function focusBox(id) {
    var box = document.getElementById(id);
    if (box) { box.focus(); box.scrollIntoView({ block: "center" }); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA") {
      var form = event.target.form;
      if (form) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var handled = true;
    switch (event.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected < 0 ? 0 : selected - 1); break;
      case "c": {
        var row = rows()[selected];
        var claim = row ? row.querySelector("form.claim") : document.getElementById("claim-form");
        if (claim) { claim.requestSubmit ? claim.requestSubmit() : claim.submit(); } else { handled = false; }
        break;
      }
      case "r": handled = focusBox("reply-text"); break;
      case "g": handled = focusBox("resolve-text"); break;
      case "/": {
        var search = document.querySelector("[data-shortcut='/']");
        if (search) { search.focus(); } else { handled = false; }
        break;
      }
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
}());
