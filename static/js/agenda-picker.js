// The agenda's practice picker, searched as you type: what discovery finds for the words in "Find a
// practice to link" is offered in every row's practice list. Without JavaScript the Find button does
// the same with a round trip that keeps what was typed.
(function () {
  "use strict";
  var form = document.getElementById("agenda-form");
  var input = document.getElementById("agenda-find");
  if (!form || !input || !window.fetch) return;
  var status = form.querySelector("[data-find-status]");
  var button = form.querySelector("button[value=find]");
  if (button) button.style.display = "none";  // typing searches; a class may override [hidden]

  function offer(results) {
    form.querySelectorAll("select[name$='-practice']").forEach(function (select) {
      var present = {};
      Array.prototype.forEach.call(select.options, function (o) { present[o.value] = true; });
      results.forEach(function (p) {
        if (present[String(p.id)]) return;
        var option = document.createElement("option");
        option.value = String(p.id);
        option.textContent = p.title + (p.coalition ? " (" + p.coalition + ")" : "");  // text, never HTML
        select.append(option);
      });
    });
    status.textContent = results.length
      ? results.length + " practice" + (results.length === 1 ? "" : "s") + " found: now offered in every row's practice list."
      : "No practice matches those words.";
  }

  var timer;
  var last = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 3 || q === last) return;
      last = q;
      fetch(form.dataset.practicesUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (json) { if (json && q === last) offer(json.results); })
        .catch(function () {});
    }, 400);
  });
  // Enter in the search box searches; it must not save the agenda.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });
})();
