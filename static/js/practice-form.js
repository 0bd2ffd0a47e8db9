// Progressive enhancement for the practice form: a live Markdown preview and "similar practices"
// as you type. Without JavaScript the Preview and Check-for-similar buttons do the same on the server.
(function () {
  "use strict";
  var form = document.getElementById("practice-form");
  if (!form || !window.fetch) return;

  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var body = form.querySelector("textarea[name=body]");
  var title = form.querySelector("input[name=title]");
  var summary = form.querySelector("[name=summary]");
  var livePreview = document.getElementById("live-preview");
  var previewTarget = livePreview && livePreview.querySelector("[data-preview-target]");
  var similarTarget = document.querySelector("[data-similar-target]");
  var exclude = form.dataset.exclude || "";

  function debounce(fn, ms) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // The live preview replaces the Preview button; the server sanitizes the HTML it returns. It sits
  // right under the text it previews.
  if (body && previewTarget) {
    body.closest(".field").after(livePreview);
    var refreshPreview = debounce(function () {
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

  function renderSimilar(results) {
    similarTarget.textContent = "";
    var list = document.createElement("ul");
    list.className = "list-plain similar-list";
    results.filter(function (p) { return !exclude || p.url.indexOf("/" + exclude + "/") === -1; })
      .forEach(function (p) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;  // text, never HTML: titles are user input
        var meta = document.createElement("span");
        meta.className = "meta";
        [p.coalition_short_name || p.coalition, p.jurisdiction].forEach(function (text) {
          if (!text) return;
          var part = document.createElement("span");
          part.textContent = text;
          meta.append(part);
        });
        item.append(link, document.createElement("br"), meta);
        if (p.reason) {
          var reason = document.createElement("span");
          reason.className = "small muted similar-reason";
          reason.textContent = p.reason;
          item.append(document.createElement("br"), reason);
        }
        list.append(item);
      });
    if (!list.children.length) {
      var none = document.createElement("p");
      none.className = "small muted";
      none.textContent = "Nothing like this yet — you may be the first.";
      similarTarget.append(none);
    } else {
      similarTarget.append(list);
    }
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

  if (title && similarTarget) {
    var hint = similarTarget.querySelector("[data-similar-hint]");
    if (hint) hint.textContent = "Type a title and summary and choose focus areas.";
    var lastQuery = null;
    var refreshSimilar = debounce(function () {
      if (title.value.trim().length < 4) return;
      var params = new URLSearchParams();
      params.append("title", title.value);
      // Discovery reads the first 2,000 characters of a field; the rest would only lengthen the URL.
      if (summary && summary.value.trim()) params.append("summary", summary.value.slice(0, 2000));
      form.querySelectorAll("input[name=focus_areas]:checked").forEach(function (box) {
        params.append("focus_areas", box.value);
      });
      var query = params.toString();
      if (query === lastQuery) return;
      lastQuery = query;
      fetch(form.dataset.similarUrl + "?" + query, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (json) { if (json && query === lastQuery) renderSimilar(json.results); })
        .catch(function () {});
    }, 500);
    title.addEventListener("input", refreshSimilar);
    if (summary) summary.addEventListener("input", refreshSimilar);
    form.querySelectorAll("input[name=focus_areas]").forEach(function (box) {
      box.addEventListener("change", refreshSimilar);
    });
    var similarButton = form.querySelector("button[value=similar]");
    if (similarButton) similarButton.hidden = true;
    refreshSimilar();
  }
})();
