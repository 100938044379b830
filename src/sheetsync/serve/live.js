(function () {
  "use strict";
  var meta = document.querySelector('meta[name="sheetsync-version"]');
  if (!meta || !window.EventSource || !window.fetch) return;
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.querySelector("main"), shown = document.querySelector("main");
        var version = doc.querySelector('meta[name="sheetsync-version"]');
        if (!fresh || !shown || !version) return;
        shown.replaceWith(document.adoptNode(fresh));
        document.title = doc.title;
        meta.content = version.content;
        document.documentElement.setAttribute("data-version", meta.content);
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var events = new EventSource("/events?seen=" + encodeURIComponent(meta.content));
  function heard(e) {  // hello: on (re)connecting, a pull may have landed meanwhile
    var data = JSON.parse(e.data);
    if (data.version && String(data.version) !== meta.content) refresh();
  }
  events.addEventListener("hello", heard);
  events.addEventListener("pull", heard);
})();
