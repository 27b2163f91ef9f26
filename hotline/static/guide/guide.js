/* Instant procedure search of the volunteer guide: results as you type (the form still works
   without JavaScript). Results are built with textContent, never as HTML. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("ket-qua");
  var status = document.getElementById("trang-thai");
  if (!input || !list) { return; }
  var url = input.getAttribute("data-search-url");
  var timer = null;
  var latest = 0;

  function show(results, query) {
    list.textContent = "";
    results.forEach(function (r) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = r.url;
      link.textContent = r.name;
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " · " + r.code + " · " + r.level;
      item.appendChild(link);
      item.appendChild(meta);
      list.appendChild(item);
    });
    status.textContent = !query ? "" : (results.length ? results.length + " thủ tục phù hợp"
      : "Không tìm thấy thủ tục phù hợp. Hãy thử cách gọi khác.");
  }

  function search() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) { show([], ""); return; }
    fetch(url + "?q=" + encodeURIComponent(query))
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (ticket !== latest) { return; }  // an older answer arriving late must not win
        show(Array.isArray(body.results) ? body.results : [], query);
        if (body.error) { status.textContent = body.error; }  // the search broke: not "no match"
        history.replaceState(null, "", "/guide?q=" + encodeURIComponent(query));
      })
      .catch(function () { status.textContent = "Mất kết nối, thử lại sau."; });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("keydown", function (event) {
    // Down arrow from the box goes to the first result, for keyboard users.
    if (event.key === "ArrowDown" && list.firstElementChild) {
      event.preventDefault();
      list.firstElementChild.querySelector("a").focus();
    }
  });
}());
