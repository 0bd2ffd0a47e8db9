// The "may already exist" panel of the practice and need forms: as the member types, asks the server
// what is like the text so far and lists it. Without JavaScript each form's "Check for similar" button
// asks the same of the server. Loaded before the form's own script, which calls SimilarPanel.watch.
window.SimilarPanel = (function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // One list of links; rows are {url, title, meta: [text, …], reason}. Titles and every other part
  // are set as text, never HTML: they are user input.
  function list(rows, none) {
    if (!rows.length) {
      var empty = document.createElement("p");
      empty.className = "small muted";
      empty.textContent = none;
      return empty;
    }
    var ul = document.createElement("ul");
    ul.className = "list-plain similar-list";
    rows.forEach(function (row) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = row.url;
      link.textContent = row.title;
      var meta = document.createElement("span");
      meta.className = "meta";
      row.meta.forEach(function (text) {
        if (!text) return;
        var part = document.createElement("span");
        part.textContent = text;
        meta.append(part);
      });
      item.append(link, document.createElement("br"), meta);
      if (row.reason) {
        var reason = document.createElement("span");
        reason.className = "small muted similar-reason";
        reason.textContent = row.reason;
        item.append(document.createElement("br"), reason);
      }
      ul.append(item);
    });
    return ul;
  }

  // Watches the form's title, one longer text field (sent as `textName`) and its focus-area boxes, and
  // calls render(json) with the answer of the form's data-similar-url to the latest text only.
  function watch(form, target, textName, hint, render) {
    var title = form.querySelector("input[name=title]");
    var text = form.querySelector("[name=" + textName + "]");
    if (!title || !target) return;
    var shown = target.querySelector("[data-similar-hint]");
    if (shown) shown.textContent = hint;
    var lastQuery = null;
    var refresh = debounce(function () {
      if (title.value.trim().length < 4) return;
      var params = new URLSearchParams();
      params.append("title", title.value);
      // Discovery reads the first 2,000 characters of a field; the rest would only lengthen the URL.
      if (text && text.value.trim()) params.append(textName, text.value.slice(0, 2000));
      form.querySelectorAll("input[name=focus_areas]:checked").forEach(function (box) {
        params.append("focus_areas", box.value);
      });
      var query = params.toString();
      if (query === lastQuery) return;
      lastQuery = query;
      fetch(form.dataset.similarUrl + "?" + query, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (json) { if (json && query === lastQuery) render(json); })
        .catch(function () {});
    }, 500);
    title.addEventListener("input", refresh);
    if (text) text.addEventListener("input", refresh);
    form.querySelectorAll("input[name=focus_areas]").forEach(function (box) {
      box.addEventListener("change", refresh);
    });
    var button = form.querySelector("button[value=similar]");
    if (button) button.hidden = true;
    refresh();
  }

  return { debounce: debounce, list: list, watch: watch };
})();
