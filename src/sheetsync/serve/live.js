(function () {
  "use strict";
  // When a pull lands, fetch this page again and put its new <main> in place of the old,
  // keeping the reader's place: the focused element (found again by its id, its link or
  // its place among the focusable elements) and the scroll position. What changed is said
  // in a polite live region: "Updated 10:04: 6 districts pulled, 1 changed".
  var meta = document.querySelector('meta[name="sheetsync-version"]');
  if (!meta || !window.EventSource || !window.fetch) return;
  var busy = false, again = false, heardData = {};
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  var status = document.createElement("p");  // the live region, there before any update
  status.id = "sheetsync-live";
  status.className = "live-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  function addStatus() {  // this script runs in the head: <main> comes later
    var main = document.querySelector("main");
    // The place is kept by this script alone, the same in every browser.
    document.documentElement.style.overflowAnchor = "none";
    if (main && !status.parentNode) main.parentNode.insertBefore(status, main);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addStatus);
  } else {
    addStatus();
  }

  function place(el, main) {  // how to find the focused element again in the new <main>
    if (!el || !main || !main.contains(el)) return null;
    if (el.id) return {id: el.id};
    var all = Array.prototype.slice.call(main.querySelectorAll(FOCUSABLE));
    return {href: el.getAttribute("href"), text: el.textContent, index: all.indexOf(el)};
  }

  function find(where, main) {
    if (!where) return null;
    if (where.id) return document.getElementById(where.id);
    var all = Array.prototype.slice.call(main.querySelectorAll(FOCUSABLE));
    var same = all.filter(function (e) {
      return where.href !== null && e.getAttribute("href") === where.href;
    });
    if (same.length > 1) {
      same = same.filter(function (e) { return e.textContent === where.text; });
    }
    return same[0] || all[Math.min(where.index, all.length - 1)] || null;
  }

  function rows(root) {  // the districts' rows of the cohort table, by the text of their id
    var out = {};
    var table = root.querySelector("table.districts");
    if (!table) return null;
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      var th = tr.querySelector("th");
      var key = th ? (th.querySelector("small") || th).textContent : tr.textContent;
      out[key] = tr.textContent;
    });
    var words = table.closest("[data-noun]");  // "district" or "school"
    return {rows: out, noun: words ? words.getAttribute("data-noun") : "district",
            plural: words ? words.getAttribute("data-plural") : "districts"};
  }

  function count(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function summary(before, after, oldMain, newMain) {
    // The pull's own figures when the service sends them, else what the page shows.
    var pulled = heardData.pulled, changed = heardData.changed;
    var noun = "district", plural = "districts";
    if (after) {
      noun = after.noun; plural = after.plural;
      var keys = Object.keys(after.rows);
      if (typeof pulled !== "number") pulled = keys.length;
      if (typeof changed !== "number") {
        changed = keys.filter(function (k) {
          return !before || before.rows[k] !== after.rows[k];
        }).length;
      }
      return count(pulled, noun + " pulled", plural + " pulled") + ", " + changed +
        " changed";
    }
    return oldMain.textContent === newMain.textContent ? "this page did not change"
      : "this page changed";
  }

  function stamp() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

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
        addStatus();
        var x = window.scrollX, y = window.scrollY, top = shown.getBoundingClientRect().top;
        var where = place(document.activeElement, shown);
        var before = rows(shown), after = rows(fresh);
        var said = summary(before, after, shown, fresh);
        var adopted = document.adoptNode(fresh);
        shown.replaceWith(adopted);
        var focus = find(where, adopted);
        if (focus) focus.focus({preventScroll: true});
        document.title = doc.title;
        meta.content = version.content;
        document.documentElement.setAttribute("data-version", meta.content);
        status.textContent = "Updated " + stamp() + ": " + said;
        // Scrolled down: <main> stays where it was on the screen, however much the
        // region above it grew.
        window.scrollTo(x, y);
        if (y > 0) window.scrollBy(0, adopted.getBoundingClientRect().top - top);
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var events = new EventSource("/events?seen=" + encodeURIComponent(meta.content));
  function heard(e) {  // hello: on (re)connecting, a pull may have landed meanwhile
    var data = JSON.parse(e.data);
    heardData = data;
    if (data.version && String(data.version) !== meta.content) refresh();
  }
  events.addEventListener("hello", heard);
  events.addEventListener("pull", heard);
})();
