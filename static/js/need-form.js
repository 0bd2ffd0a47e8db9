// Progressive enhancement for the need form: practices that may answer it and similar needs, as you
// type (static/js/similar-panel.js). Without JavaScript the "Check for similar" button asks the server.
(function () {
  "use strict";
  var form = document.getElementById("need-form");
  var target = document.querySelector("[data-similar-target]");
  if (!form || !target || !window.fetch || !window.SimilarPanel) return;
  var exclude = form.dataset.exclude || "";

  function section(heading, rows, none) {
    var h = document.createElement("h3");
    h.className = "h4";
    h.textContent = heading;
    var shown = rows.map(function (row) {
      return { url: row.url, title: row.title, meta: [row.coalition], reason: row.reason };
    });
    target.append(h, SimilarPanel.list(shown, none));
  }

  SimilarPanel.watch(form, target, "problem",
    "Type a title and the problem and choose focus areas: matches appear here.",
    function (json) {
      target.textContent = "";
      section("Practices that may answer it", json.practices, "No practice like this yet.");
      section("Similar needs", json.needs.filter(function (n) { return !exclude || n.url !== exclude; }),
              "No open need like this yet.");
    });
})();
