// Progressive enhancement for the practice form: a live Markdown preview and "similar practices"
// as you type. Without JavaScript the Preview and Check-for-similar buttons do the same on the server.
(function () {
  "use strict";
  var form = document.getElementById("practice-form");
  if (!form || !window.fetch || !window.SimilarPanel) return;

  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var body = form.querySelector("textarea[name=body]");
  var livePreview = document.getElementById("live-preview");
  var previewTarget = livePreview && livePreview.querySelector("[data-preview-target]");
  var similarTarget = document.querySelector("[data-similar-target]");
  var exclude = form.dataset.exclude || "";

  // The live preview replaces the Preview button; the server sanitizes the HTML it returns. It sits
  // right under the text it previews.
  if (body && previewTarget) {
    body.closest(".field").after(livePreview);
    var refreshPreview = SimilarPanel.debounce(function () {
      if (!body.value.trim()) { livePreview.hidden = true; return; }
      var data = new FormData();
      data.append("body", body.value);
      fetch(form.dataset.previewUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (json) {
          if (!json) return;
          previewTarget.innerHTML = json.html;
          livePreview.hidden = false;
        })
        .catch(function () {});
    }, 400);
    body.addEventListener("input", refreshPreview);
    var previewButton = form.querySelector("button[value=preview]");
    if (previewButton) previewButton.hidden = true;
    refreshPreview();
  }

  function renderSimilar(json) {
    var rows = json.results
      .filter(function (p) { return !exclude || p.url.indexOf("/" + exclude + "/") === -1; })
      .map(function (p) {
        return { url: p.url, title: p.title, meta: [p.coalition_short_name || p.coalition, p.jurisdiction], reason: p.reason };
      });
    similarTarget.textContent = "";
    similarTarget.append(SimilarPanel.list(rows, "Nothing like this yet — you may be the first."));
  }

  // On a phone the sidebar comes after the whole form, out of sight while the title is typed: there
  // the panel moves up under the focus areas, and back to the sidebar on a wide screen.
  var panel = document.getElementById("similar-panel");
  var areas = form.querySelector("[id$=focus_areas]");
  if (panel && areas && window.matchMedia) {
    var sidebar = panel.parentNode;
    var narrow = window.matchMedia("(max-width: 899px)");
    var place = function () {
      if (narrow.matches) areas.closest(".field").after(panel);
      else sidebar.prepend(panel);
    };
    if (narrow.addEventListener) narrow.addEventListener("change", place);
    place();
  }

  if (similarTarget && window.SimilarPanel) {
    SimilarPanel.watch(form, similarTarget, "summary", "Type a title and summary and choose focus areas.", renderSimilar);
  }
})();
