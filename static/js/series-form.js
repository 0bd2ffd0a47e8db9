// The series form: show only the fields of the rule chosen, and keep the "Next six meetings" preview
// current as the rule, time and zone change (the server works the dates out, with the same code that
// schedules the series). Without JavaScript every field shows and "Preview dates" posts the form.
(function () {
  "use strict";
  var form = document.getElementById("series-form");
  if (!form) return;

  var RULE_FIELDS = {
    nth_weekday: ["week_of_month", "weekday"],
    day_of_month: ["day_of_month"]
  };

  function fieldBox(name) {
    return form.querySelector("[data-field='" + name + "']");
  }

  function chosenRule() {
    var checked = form.querySelector("input[name=rule_kind]:checked");
    return checked ? checked.value : "";
  }

  function showRuleFields() {
    var rule = chosenRule();
    Object.keys(RULE_FIELDS).forEach(function (kind) {
      RULE_FIELDS[kind].forEach(function (name) {
        var box = fieldBox(name);
        if (box) box.hidden = rule !== "" && rule !== kind;
      });
    });
  }

  var output = form.querySelector("[data-series-preview]");
  var button = form.querySelector("[data-preview-button]");
  var WATCHED = ["rule_kind", "week_of_month", "weekday", "day_of_month", "local_start_time", "duration_minutes", "time_zone"];
  var timer;
  var lastQuery = null;

  function refreshPreview() {
    if (!output || !window.fetch) return;
    var params = new URLSearchParams();
    WATCHED.forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
        if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
        params.append(name, input.value);
      });
    });
    var query = params.toString();
    if (query === lastQuery) return;
    lastQuery = query;
    fetch(form.dataset.previewUrl + "?" + query, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // The fragment is our own server's template output, escaped there; only the latest answer counts.
        if (html !== null && query === lastQuery) output.innerHTML = html;
      })
      .catch(function () {});
  }

  function changed(event) {
    if (event.target.name === "rule_kind") showRuleFields();
    if (WATCHED.indexOf(event.target.name) === -1) return;
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 300);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  showRuleFields();
  if (output && window.fetch) {
    if (button) button.hidden = true;
    refreshPreview();
  }
})();
