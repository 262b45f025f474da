// The counter under each post: as you type, the server counts the draft with the platform's
// exact rule (the one a save uses), so the page never says "too long" for a post the server
// takes, or the other way round. A refused save brings its error into view.
(function () {
  "use strict";
  function show(out, data) {
    var text = data.used + " / " + data.limit + " " + data.unit;
    if (data.too_long) { text += " (too long)"; }
    if (data.errors.length) { text += " · " + data.errors.join("; "); }
    out.textContent = text;
  }
  document.querySelectorAll("textarea[data-count]").forEach(function (area) {
    var out = document.getElementById("count-" + area.id.replace("text-", ""));
    var token = area.form.querySelector("input[name=csrf_token]").value;
    var timer = null;
    var asked = 0;
    function ask(tries) {
      var mine = ++asked;
      var body = new URLSearchParams({text: area.value});
      fetch(area.getAttribute("data-count"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": token, "Accept": "application/json"}
      }).then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.json();
      }).then(function (data) {
        if (mine === asked) { show(out, data); }  // only the answer to the latest text
      }).catch(function () {
        if (mine !== asked) { return; }
        out.textContent = "Could not count just now: it is checked again when you save.";
        // A busy server or a dropped connection: ask again a few times, unless the text changed.
        if (tries < 3) { timer = setTimeout(function () { ask(tries + 1); }, 2000 * (tries + 1)); }
      });
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { ask(0); }, 250);
    });
    // Text typed while this script was still loading (or restored by the browser after Back)
    // fired no event we heard: count it now, or the counter would show the old draft's count.
    if (area.value !== area.defaultValue) { ask(0); }
  });
  var refused = document.querySelector("[data-refused]");
  if (refused) {
    refused.scrollIntoView({block: "center"});
  }
})();
