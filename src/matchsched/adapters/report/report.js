/* matchsched report: search the agendas. body[data-ready] is "ok" once this ran, or
   "error: ..." after any script error (the tests read it). The filter starts from
   "#search=TEXT" or "?search=TEXT" in the address, so a link can open one agenda. */
(function () {
  "use strict";
  var body = document.body;
  window.addEventListener("error", function (event) {
    body.dataset.ready = "error: " + (event.message || "unknown error");
  });
  var input = document.getElementById("search");
  var count = document.getElementById("shown-count");
  var agendas = Array.prototype.slice.call(document.querySelectorAll("article.agenda"));

  function apply(text) {
    var query = text.trim().toLowerCase();
    var shown = 0;
    agendas.forEach(function (agenda) {
      var hit = query === "" || agenda.getAttribute("data-search").indexOf(query) >= 0;
      agenda.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + agendas.length + " agendas shown";
  }

  function fromAddress() {
    var sources = [window.location.hash.replace(/^#/, ""), window.location.search.replace(/^\?/, "")];
    for (var i = 0; i < sources.length; i += 1) {
      var match = /(?:^|&)search=([^&]*)/.exec(sources[i]);
      if (match) { return decodeURIComponent(match[1].replace(/\+/g, " ")); }
    }
    return "";
  }

  input.value = fromAddress();
  apply(input.value);
  input.addEventListener("input", function () {
    apply(input.value);
    try {
      window.history.replaceState(null, "", "#search=" + encodeURIComponent(input.value));
    } catch (ignored) { /* some browsers refuse this on file: pages; the filter still works */ }
  });
  window.addEventListener("hashchange", function () {
    // The menu links change the hash too; only a search= hash changes the filter.
    if (/search=/.test(window.location.hash)) {
      input.value = fromAddress();
      apply(input.value);
    }
  });
  document.getElementById("print-agendas").addEventListener("click", function () {
    body.classList.add("print-agendas");
    window.print();
    body.classList.remove("print-agendas");
  });
  if (!/^error/.test(body.dataset.ready || "")) { body.dataset.ready = "ok"; }
})();
