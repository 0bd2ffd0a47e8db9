// The invitee picker: a search box beside the meeting form's "Invitees" addresses. Typing a name or an
// address asks the server for matching members; "Add" puts one's address on its own line in the box.
// Without JavaScript the box alone works: members' addresses, one a line.
(function () {
  "use strict";
  var box = document.querySelector("textarea.invitee-emails[data-search-url]");
  if (!box || !window.fetch) return;

  var url = box.dataset.searchUrl;
  var wrap = document.createElement("div");
  wrap.className = "invitee-picker";
  var label = document.createElement("label");
  label.htmlFor = box.id + "_search";
  label.textContent = "Find a member to invite";
  var search = document.createElement("input");
  search.type = "search";
  search.id = box.id + "_search";
  search.autocomplete = "off";
  search.placeholder = "Name or address";
  var status = document.createElement("p");
  status.className = "small muted";
  status.setAttribute("role", "status");
  var results = document.createElement("ul");
  results.className = "list-plain invitee-results";
  wrap.appendChild(label);
  wrap.appendChild(search);
  wrap.appendChild(status);
  wrap.appendChild(results);
  // Below the box's help text, which belongs to the box.
  var help = document.getElementById(box.id + "_helptext");
  var after = help && help.parentNode === box.parentNode ? help : box;
  box.parentNode.insertBefore(wrap, after.nextSibling);

  function addresses() {
    return box.value.split(/[\s,;]+/).filter(Boolean).map(function (e) { return e.toLowerCase(); });
  }

  function add(member, button) {
    if (addresses().indexOf(member.email.toLowerCase()) === -1) {
      box.value = box.value.replace(/\s*$/, "") + (box.value.trim() ? "\n" : "") + member.email;
    }
    button.disabled = true;
    button.textContent = "Added";
    status.textContent = member.name + " will be invited when you save.";
  }

  function show(found) {
    results.textContent = "";
    var have = addresses();
    found.forEach(function (member) {
      var item = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = member.name + " · " + member.email + (member.coalitions ? " · " + member.coalitions : "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button-small secondary";
      var invited = have.indexOf(member.email.toLowerCase()) !== -1;
      button.textContent = invited ? "Added" : "Add";
      button.disabled = invited;
      button.setAttribute("aria-label", "Invite " + member.name);
      button.addEventListener("click", function () { add(member, button); });
      item.appendChild(text);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(button);
      results.appendChild(item);
    });
    status.textContent = found.length ? found.length + " member(s) found." : "No member matches.";
  }

  var timer = null;
  var asked = 0;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    var query = search.value.trim();
    if (query.length < 2) {
      results.textContent = "";
      status.textContent = "";
      return;
    }
    timer = setTimeout(function () {
      var mine = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === asked) show(data.results || []); })
        .catch(function () { status.textContent = "The search did not answer; type addresses in the box instead."; });
    }, 250);
  });
  // Enter in the search box must not submit the meeting form.
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });
})();
