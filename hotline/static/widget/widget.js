/*
 * Chat widget of the administrative-procedure assistant. No build step, no dependencies.
 *
 *   <script src="https://HOST/static/widget/widget.js" data-server="https://HOST" defer></script>
 *
 * Adds a chat bubble to the page (inside a shadow root, so the portal's CSS and ours never
 * mix). Messages go to POST {server}/chat (the hotline web app forwards them to Rasa as
 * sender "web:<session>"); operator replies are polled from {server}/api/widget/messages (POST).
 * The session id and the history live in localStorage, so a reload keeps the conversation.
 * Every text from the server is put in the DOM with textContent, never as HTML.
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
  var TEXT = {
    bubble: "Hỏi trợ lý",
    bubbleLabel: "Mở trò chuyện với trợ lý thủ tục hành chính",
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
    welcome: "Xin chào! Tôi hướng dẫn thủ tục hành chính sau sắp xếp đơn vị hành chính, tra địa chỉ cũ nay thuộc xã/phường nào, tra cứu hồ sơ và tiếp nhận phản ánh. Bạn cần gì ạ?",
    offline: "Không kết nối được máy chủ. Bạn vui lòng kiểm tra mạng và thử lại.",
    operator: "Tổng đài viên",
    you: "Bạn",
    bot: "Trợ lý",
    unread: "tin nhắn mới"
  };
  var WELCOME_BUTTONS = [
    { title: "Thủ tục làm căn cước", payload: "thủ tục làm căn cước công dân" },
    { title: "Địa chỉ cũ nay thuộc đâu", payload: "địa chỉ cũ của tôi nay thuộc phường nào" },
    { title: "Tra cứu hồ sơ", payload: "tra cứu tình trạng hồ sơ" },
    { title: "Gửi phản ánh", payload: "tôi muốn gửi phản ánh" }
  ];

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
    return { session: newSessionId(), history: [{ who: "bot", text: TEXT.welcome, buttons: WELCOME_BUTTONS }],
             open: open, unread: 0 };
  }

  var state = load();

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

  var badge = el("span", { "class": "badge", hidden: "", "aria-hidden": "true" });
  var bubble = el("button", {
    type: "button", "class": "bubble", "aria-label": TEXT.bubbleLabel, "aria-expanded": "false",
    "aria-controls": "tthc-panel"
  }, [el("span", { "class": "bubble-icon", "aria-hidden": "true", text: "💬" }), el("span", { text: TEXT.bubble }), badge]);

  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0" });
  var typing = el("p", { "class": "typing", hidden: "", role: "status", text: TEXT.typing });
  var input = el("input", {
    type: "text", "class": "input", id: "tthc-input", "aria-label": TEXT.input, placeholder: TEXT.placeholder,
    autocomplete: "off", maxlength: "2000", enterkeyhint: "send"
  });
  var sendButton = el("button", { type: "submit", "class": "send", text: TEXT.send });
  var form = el("form", { "class": "composer" }, [input, sendButton]);
  var closeButton = el("button", { type: "button", "class": "icon close", "aria-label": TEXT.close, title: TEXT.close, text: "✕" });
  var resetButton = el("button", { type: "button", "class": "icon reset", "aria-label": TEXT.reset, title: TEXT.reset, text: "↺" });
  var titleNode = el("h2", { id: "tthc-title", text: TEXT.title });
  var header = el("header", {}, [
    el("div", { "class": "titles" }, [titleNode, el("p", { text: TEXT.subtitle })]),
    resetButton, closeButton
  ]);
  var panel = el("section", {
    id: "tthc-panel", "class": "panel", role: "dialog", "aria-labelledby": "tthc-title", hidden: ""
  }, [header, log, typing, form]);
  root.appendChild(bubble);
  root.appendChild(panel);

  // ------------------------------------------------------------------ render

  function renderMessage(item, index, lastBot) {
    var who = item.who === "user" ? "user" : (item.operator ? "operator" : "bot");
    var label = who === "user" ? TEXT.you : (who === "operator" ? TEXT.operator : TEXT.bot);
    var bubbleNode = el("div", { "class": "msg " + who });
    bubbleNode.appendChild(el("span", { "class": "sr-only", text: label + ": " }));
    if (who === "operator") { bubbleNode.appendChild(el("strong", { "class": "who", text: TEXT.operator })); }
    if (item.text) { bubbleNode.appendChild(el("div", { "class": "text" }, [richText(item.text)])); }
    if (item.image && /^https?:\/\//.test(item.image)) {
      bubbleNode.appendChild(el("img", { src: item.image, alt: item.text || "Hình ảnh", loading: "lazy" }));
    }
    if (item.buttons && item.buttons.length) {
      var active = index === lastBot && !item.used;
      var row = el("div", { "class": "buttons", role: "group", "aria-label": "Lựa chọn" });
      item.buttons.forEach(function (b) {
        var button = el("button", { type: "button", "class": "choice", text: b.title });
        if (!active) { button.disabled = true; }
        button.addEventListener("click", function () {
          item.used = true;
          send(b.payload, b.title);
        });
        row.appendChild(button);
      });
      bubbleNode.appendChild(row);
    }
    return bubbleNode;
  }

  function render() {
    log.textContent = "";
    var history = state.history;
    var lastBot = -1;
    history.forEach(function (item, i) { if (item.who !== "user") { lastBot = i; } });
    history.forEach(function (item, i) { log.appendChild(renderMessage(item, i, lastBot)); });
    log.scrollTop = log.scrollHeight;
    badge.hidden = !state.unread || state.open;
    badge.textContent = state.unread ? String(state.unread) : "";
    bubble.setAttribute("aria-label", TEXT.bubbleLabel + (state.unread ? " (" + state.unread + " " + TEXT.unread + ")" : ""));
  }

  function setOpen(open, focus) {
    state.open = open;
    if (open) { state.unread = 0; }
    panel.hidden = !open;
    bubble.hidden = open;
    bubble.setAttribute("aria-expanded", String(open));
    save();
    render();
    if (focus !== false) { (open ? input : bubble).focus(); }
  }

  // ------------------------------------------------------------------ talk

  var queue = Promise.resolve();

  function addBot(replies) {
    replies.forEach(function (r) {
      if (r && (r.text || r.image || (r.buttons && r.buttons.length))) {
        state.history.push({ who: "bot", text: r.text || "", image: r.image || "", buttons: r.buttons || [] });
      }
    });
  }

  function send(message, shown) {
    message = String(message || "").trim();
    if (!message) { return; }
    state.history.forEach(function (item) { if (item.buttons) { item.used = true; } });
    state.history.push({ who: "user", text: shown || message });
    save();
    render();
    // One message at a time, in order: the assistant answers them in the order they were asked.
    queue = queue.then(function () {
      typing.hidden = false;
      return fetch(server + "/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session: state.session, message: message })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { throw new Error(body.error || TEXT.offline); }
          addBot(Array.isArray(body.replies) ? body.replies : []);
        });
      }).catch(function (error) {
        var text = error && error.message && !/fetch|network|load/i.test(error.message) ? error.message : TEXT.offline;
        state.history.push({ who: "bot", text: text, error: true });
      }).then(function () {
        typing.hidden = true;
        save();
        render();
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
        fresh.forEach(function (m) {
          state.history.push({ who: "bot", operator: true, text: m.text });
          state.lastMessageId = Math.max(state.lastMessageId || 0, m.id);
        });
        if (!state.open) { state.unread = (state.unread || 0) + fresh.length; }
        save();
        render();
      })
      .catch(function () { /* offline: try again next time */ });
  }

  // ------------------------------------------------------------------ events

  bubble.addEventListener("click", function () { setOpen(true); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  resetButton.addEventListener("click", function () {
    if (!window.confirm(TEXT.resetConfirm)) { return; }
    state = fresh(true);
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
    if (event.key === "Escape") { event.preventDefault(); setOpen(false); }
  });
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
