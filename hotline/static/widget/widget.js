/*
 * Chat widget of the administrative-procedure assistant. No build step, no dependencies.
 *
 *   <script src="https://HOST/static/widget/widget.js" data-server="https://HOST" defer></script>
 *
 * Adds a chat bubble to the page (inside a shadow root, so the portal's CSS and ours never
 * mix). Messages go to POST {server}/chat (the hotline web app forwards them to Rasa as
 * sender "web:<session>"); operator replies are polled from {server}/api/widget/messages (POST).
 * The session id, the history and the citizen's language live in localStorage, so a reload
 * keeps the conversation. Every text from the server is put in the DOM with textContent, never
 * as HTML. On phones (≤ 520 px) the panel covers the screen as a modal dialog with a focus trap
 * and a procedure card shows its essentials first (the reply's "short" text).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__tthcWidgetLoaded) { return; }
  window.__tthcWidgetLoaded = true;

  var server = (script.getAttribute("data-server") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var STORE_KEY = "tthc-widget:v1:" + server;
  var MAX_HISTORY = 200;
  var POLL_MS = 5000;
  // The widget's own words, in the citizen's language: Vietnamese until they write English.
  var LABELS = {
    vi: {
      bubble: "Hỏi trợ lý",
      bubbleHint: "(mở trò chuyện với trợ lý thủ tục hành chính)",
      title: script.getAttribute("data-title") || "Trợ lý thủ tục hành chính",
      subtitle: "Trả lời tự động · có tổng đài viên hỗ trợ",
      close: "Đóng cửa sổ trò chuyện",
      reset: "Bắt đầu cuộc trò chuyện mới",
      resetConfirm: "Xóa lịch sử và bắt đầu cuộc trò chuyện mới?",
      input: "Nhập câu hỏi của bạn",
      placeholder: "Nhập câu hỏi…",
      send: "Gửi",
      log: "Nội dung cuộc trò chuyện",
      typing: "Trợ lý đang trả lời…",
      offline: "Không kết nối được máy chủ. Bạn vui lòng kiểm tra mạng và thử lại.",
      operator: "Tổng đài viên",
      you: "Bạn",
      bot: "Trợ lý",
      unread: "tin nhắn mới",
      choices: "Lựa chọn",
      image: "Hình ảnh",
      more: "Xem đầy đủ",
      less: "Thu gọn"
    },
    en: {
      bubble: "Ask the assistant",
      bubbleHint: "(open the chat with the public services assistant)",
      title: script.getAttribute("data-title-en") || "Public services assistant",
      subtitle: "Automatic answers · hotline officers help too",
      close: "Close the chat",
      reset: "Start a new conversation",
      resetConfirm: "Clear the history and start a new conversation?",
      input: "Type your question",
      placeholder: "Type your question…",
      send: "Send",
      log: "Conversation",
      typing: "The assistant is answering…",
      offline: "Cannot reach the server. Please check your connection and try again.",
      operator: "Hotline officer",
      you: "You",
      bot: "Assistant",
      unread: "new messages",
      choices: "Choices",
      image: "Image",
      more: "Show all",
      less: "Show less"
    }
  };
  var WELCOME = "Xin chào! Tôi hướng dẫn thủ tục hành chính sau sắp xếp đơn vị hành chính, tra địa chỉ cũ nay thuộc " +
    "xã/phường nào, tra cứu hồ sơ và tiếp nhận phản ánh. Bạn cần gì ạ? (You can also write in English.)";
  var WELCOME_BUTTONS = [
    { title: "Thủ tục làm căn cước", payload: "thủ tục làm căn cước công dân" },
    { title: "Địa chỉ cũ nay thuộc đâu", payload: "địa chỉ cũ của tôi nay thuộc phường nào" },
    { title: "Tra cứu hồ sơ", payload: "tra cứu tình trạng hồ sơ" },
    // The intent itself, not words: a button must never depend on how the NLU reads its title.
    { title: "Gửi phản ánh", payload: "/file_complaint" }
  ];
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 520px)") : { matches: false };

  // ------------------------------------------------------------------ state

  function newSessionId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved.session === "string" && Array.isArray(saved.history)) { return saved; }
    } catch (e) { /* unreadable storage: start over */ }
    return fresh(false);
  }

  function fresh(open) {
    return { session: newSessionId(), history: [{ who: "bot", text: WELCOME, buttons: WELCOME_BUTTONS }],
             open: open, unread: 0, lang: "vi" };
  }

  var state = load();

  function T() { return LABELS[state.lang === "en" ? "en" : "vi"]; }

  function save() {
    state.history = state.history.slice(-MAX_HISTORY);
    try { localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode: keep in memory */ }
  }

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  var URL_RE = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])/g;

  // Text with clickable http(s) links; every piece goes in as a text node.
  function richText(text) {
    var frag = document.createDocumentFragment();
    var last = 0;
    String(text).replace(URL_RE, function (url, _g, offset) {
      frag.appendChild(document.createTextNode(text.slice(last, offset)));
      frag.appendChild(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url }));
      last = offset + url.length;
      return url;
    });
    frag.appendChild(document.createTextNode(String(text).slice(last)));
    return frag;
  }

  // ------------------------------------------------------------------ build

  var host = el("div", { id: "tthc-chat-widget" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(el("link", { rel: "stylesheet", href: server + "/static/widget/widget.css" }));

  // The bubble's accessible name starts with its visible text (WCAG 2.5.3): "Hỏi trợ lý (mở trò chuyện…)".
  var bubbleText = el("span", {});
  var bubbleHint = el("span", { "class": "sr-only" });
  var unreadText = el("span", { "class": "sr-only" });
  var badge = el("span", { "class": "badge", hidden: "", "aria-hidden": "true" });
  var bubble = el("button", { type: "button", "class": "bubble", "aria-expanded": "false", "aria-controls": "tthc-panel" },
    [el("span", { "class": "bubble-icon", "aria-hidden": "true", text: "💬" }), bubbleText, bubbleHint, unreadText, badge]);

  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", tabindex: "0" });
  var typing = el("p", { "class": "typing", hidden: "", role: "status" });
  var input = el("input", {
    type: "text", "class": "input", id: "tthc-input", autocomplete: "off", maxlength: "2000", enterkeyhint: "send"
  });
  var sendButton = el("button", { type: "submit", "class": "send" });
  var form = el("form", { "class": "composer" }, [input, sendButton]);
  var closeButton = el("button", { type: "button", "class": "icon close", text: "✕" });
  var resetButton = el("button", { type: "button", "class": "icon reset", text: "↺" });
  var titleNode = el("h2", { id: "tthc-title" });
  var subtitleNode = el("p", {});
  // A plain div, not <header>: the portal page has its own banner landmark.
  var head = el("div", { "class": "head" }, [
    el("div", { "class": "titles" }, [titleNode, subtitleNode]),
    resetButton, closeButton
  ]);
  var panel = el("section", {
    id: "tthc-panel", "class": "panel", role: "dialog", "aria-labelledby": "tthc-title", hidden: ""
  }, [head, log, typing, form]);
  root.appendChild(bubble);
  root.appendChild(panel);

  function applyLabels() {
    var text = T();
    host.setAttribute("lang", state.lang === "en" ? "en" : "vi");
    bubbleText.textContent = text.bubble;
    bubbleHint.textContent = text.bubbleHint;
    unreadText.textContent = state.unread ? "(" + state.unread + " " + text.unread + ")" : "";
    log.setAttribute("aria-label", text.log);
    typing.textContent = text.typing;
    input.setAttribute("aria-label", text.input);
    input.setAttribute("placeholder", text.placeholder);
    sendButton.textContent = text.send;
    closeButton.setAttribute("aria-label", text.close);
    closeButton.title = text.close;
    resetButton.setAttribute("aria-label", text.reset);
    resetButton.title = text.reset;
    titleNode.textContent = text.title;
    subtitleNode.textContent = text.subtitle;
  }

  // On a phone the panel covers the page: it is a modal dialog and Tab stays inside it.
  function applyModal() {
    if (PHONE.matches && !panel.hidden) { panel.setAttribute("aria-modal", "true"); }
    else { panel.removeAttribute("aria-modal"); }
  }

  // ------------------------------------------------------------------ render

  function renderMessage(item, index, lastBot) {
    var text = T();
    var who = item.who === "user" ? "user" : (item.operator ? "operator" : "bot");
    var label = who === "user" ? text.you : (who === "operator" ? text.operator : text.bot);
    var bubbleNode = el("div", { "class": "msg " + who });
    bubbleNode.appendChild(el("span", { "class": "sr-only", text: label + ": " }));
    if (who === "operator") { bubbleNode.appendChild(el("strong", { "class": "who", text: text.operator })); }
    if (item.text) {
      // Phones first show a procedure card's essentials; the whole card is one tap away.
      var shortFirst = item.short && PHONE.matches && !item.expanded;
      bubbleNode.appendChild(el("div", { "class": "text" }, [richText(shortFirst ? item.short : item.text)]));
      if (item.short && PHONE.matches) {
        var toggle = el("button", { type: "button", "class": "more", "aria-expanded": String(Boolean(item.expanded)),
                                    text: item.expanded ? text.less : text.more });
        toggle.addEventListener("click", function () {
          item.expanded = !item.expanded;
          save();
          render({ keep: index, focusMore: true });
        });
        bubbleNode.appendChild(toggle);
      }
    }
    if (item.image && /^https?:\/\//.test(item.image)) {
      bubbleNode.appendChild(el("img", { src: item.image, alt: item.text || text.image, loading: "lazy" }));
    }
    if (item.buttons && item.buttons.length) {
      var active = index === lastBot && !item.used;
      var row = el("div", { "class": "buttons", role: "group", "aria-label": text.choices });
      item.buttons.forEach(function (b) {
        var button = el("button", { type: "button", "class": "choice", text: b.title });
        if (!active) { button.disabled = true; }
        button.addEventListener("click", function () {
          item.used = true;
          send(b.payload, b.title);
          input.focus();  // the keyboard user carries on typing where they were
        });
        row.appendChild(button);
      });
      bubbleNode.appendChild(row);
    }
    bubbleNode.setAttribute("data-index", String(index));
    return bubbleNode;
  }

  // options.start: index of the first new answer, shown from its beginning (not the end of it);
  // options.keep: index whose message stays where it is (expanding a card).
  function render(options) {
    options = options || {};
    applyLabels();
    log.textContent = "";
    var history = state.history;
    var lastBot = -1;
    history.forEach(function (item, i) { if (item.who !== "user") { lastBot = i; } });
    history.forEach(function (item, i) { log.appendChild(renderMessage(item, i, lastBot)); });
    var anchor = typeof options.start === "number" ? options.start : options.keep;
    var node = typeof anchor === "number" ? log.querySelector('[data-index="' + anchor + '"]') : null;
    if (node) {
      log.scrollTop = Math.max(0, node.offsetTop - 8);
      if (options.focusMore) { var more = node.querySelector(".more"); if (more) { more.focus(); } }
    } else {
      log.scrollTop = log.scrollHeight;
    }
    badge.hidden = !state.unread || state.open;
    badge.textContent = state.unread ? String(state.unread) : "";
  }

  function setOpen(open, focus) {
    state.open = open;
    if (open) { state.unread = 0; }
    panel.hidden = !open;
    bubble.hidden = open;
    bubble.setAttribute("aria-expanded", String(open));
    applyModal();
    save();
    render();
    if (focus !== false) { (open ? input : bubble).focus(); }
  }

  // ------------------------------------------------------------------ talk

  var queue = Promise.resolve();

  function addBot(replies) {
    var first = state.history.length;
    replies.forEach(function (r) {
      if (r && (r.text || r.image || (r.buttons && r.buttons.length))) {
        state.history.push({ who: "bot", text: r.text || "", short: r.short || "", image: r.image || "",
                             buttons: r.buttons || [] });
      }
    });
    return first < state.history.length ? first : null;
  }

  function send(message, shown) {
    message = String(message || "").trim();
    if (!message) { return; }
    state.history.forEach(function (item) { if (item.buttons) { item.used = true; } });
    state.history.push({ who: "user", text: shown || message });
    save();
    render();
    // Each message has its own id: if the assistant's answer is lost on the way, the server asks
    // again with it and the message still runs only once.
    var messageId = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
    // One message at a time, in order: the assistant answers them in the order they were asked.
    queue = queue.then(function () {
      typing.hidden = false;
      var start = null;
      return fetch(server + "/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session: state.session, message: message, message_id: messageId })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { throw new Error(body.error || T().offline); }
          if (body.language === "en" || body.language === "vi") { state.lang = body.language; }
          start = addBot(Array.isArray(body.replies) ? body.replies : []);
        });
      }).catch(function (error) {
        var text = error && error.message && !/fetch|network|load/i.test(error.message) ? error.message : T().offline;
        start = state.history.length;
        state.history.push({ who: "bot", text: text, error: true });
      }).then(function () {
        typing.hidden = true;
        save();
        render({ start: start });
      });
    });
  }

  function poll() {
    // Only a visitor who has written something can have a ticket to be answered. The session
    // secret travels in the body (never in a URL that access logs keep); `after` is the last
    // operator message this browser has, so no other reader can take a reply away from it.
    if (!state.history.some(function (item) { return item.who === "user"; })) { return; }
    fetch(server + "/api/widget/messages", {
      method: "POST",
      cache: "no-store",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: state.session, after: state.lastMessageId || 0 })
    })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (body) {
        var messages = (body && Array.isArray(body.messages)) ? body.messages : [];
        var fresh = messages.filter(function (m) {
          return m && typeof m.text === "string" && typeof m.id === "number" && m.id > (state.lastMessageId || 0);
        });
        if (!fresh.length) { return; }
        var start = state.history.length;
        fresh.forEach(function (m) {
          var buttons = Array.isArray(m.buttons) ? m.buttons.filter(function (b) {
            return b && typeof b.title === "string" && typeof b.payload === "string";
          }) : [];
          state.history.push({ who: "bot", operator: true, text: m.text, buttons: buttons });
          state.lastMessageId = Math.max(state.lastMessageId || 0, m.id);
        });
        if (!state.open) { state.unread = (state.unread || 0) + fresh.length; }
        save();
        render({ start: start });
      })
      .catch(function () { /* offline: try again next time */ });
  }

  // ------------------------------------------------------------------ events

  bubble.addEventListener("click", function () { setOpen(true); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  resetButton.addEventListener("click", function () {
    if (!window.confirm(T().resetConfirm)) { return; }
    var lang = state.lang;
    state = fresh(true);
    state.lang = lang;
    save();
    render();
    input.focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); setOpen(false); return; }
    if (event.key !== "Tab" || panel.getAttribute("aria-modal") !== "true") { return; }
    // Focus trap of the full-screen dialog: Tab from the last control goes to the first, and back.
    var controls = Array.prototype.filter.call(
      panel.querySelectorAll("button, input, a[href], [tabindex]:not([tabindex='-1'])"),
      function (node) { return !node.disabled && node.getClientRects().length; });
    if (!controls.length) { return; }
    var first = controls[0];
    var last = controls[controls.length - 1];
    var current = root.activeElement;
    if (event.shiftKey && (current === first || !panel.contains(current))) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (current === last || !panel.contains(current))) { event.preventDefault(); first.focus(); }
  });
  if (PHONE.addEventListener) {
    PHONE.addEventListener("change", function () { applyModal(); render(); });
  }
  // Another tab of the same portal changed the conversation: show it here too.
  window.addEventListener("storage", function (event) {
    if (event.key === STORE_KEY) { state = load(); setOpen(state.open, false); }
  });

  function mount() {
    document.body.appendChild(host);
    setOpen(Boolean(state.open) || script.getAttribute("data-open") === "true", false);
    poll();
    setInterval(function () { if (document.visibilityState !== "hidden") { poll(); } }, POLL_MS);
  }

  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
}());
