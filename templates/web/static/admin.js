// The counter under each post updates as you type. It counts characters as a person sees
// them (grapheme clusters); the server re-checks with each platform's exact rules on save.
(function () {
  "use strict";
  var seg = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter() : null;
  function count(text) {
    if (!seg) { return Array.from(text).length; }
    var n = 0;
    for (var it = seg.segment(text)[Symbol.iterator](), s = it.next(); !s.done; s = it.next()) { n++; }
    return n;
  }
  document.querySelectorAll("textarea[data-limit]").forEach(function (area) {
    var out = document.getElementById(area.getAttribute("aria-describedby"));
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    area.addEventListener("input", function () {
      var n = count(area.value);
      out.textContent = "about " + n + " / " + limit + (n > limit ? " (too long)" : "") + " (checked exactly when saved)";
    });
  });
})();
