// The agenda editor, in place: add and remove rows, drag them (or use Up/Down) into order, and search
// for each row's practice as you type (the server's discovery search answers). One "Save agenda"
// posts it all; each row's place goes in its hidden ORDER field.
//
// Without JavaScript the same buttons are submit buttons: "Add an item", "Up", "Down" and "Find"
// re-show the rows rearranged with nothing saved, and the "Remove" box takes effect on saving.
(function () {
  "use strict";
  var form = document.getElementById("agenda-form");
  if (!form || !window.fetch || !("content" in document.createElement("template"))) return;

  var list = form.querySelector("[data-agenda-rows]");
  var template = form.querySelector("[data-agenda-row-template]");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var addButton = form.querySelector("[data-add-row]");
  var status = form.querySelector("[data-agenda-status]");
  var maxItems = parseInt(form.dataset.maxItems, 10) || 40;
  var practicesUrl = form.dataset.practicesUrl;
  var uid = 0;

  document.querySelectorAll("[data-no-script]").forEach(function (el) { el.hidden = true; });
  document.querySelectorAll("[data-with-script]").forEach(function (el) { el.hidden = false; });
  // Each row searches on its own; the page-wide "Find" box is for browsers without JavaScript.
  var findBox = form.querySelector("[data-find-box]");
  if (findBox) {
    findBox.hidden = true;
    findBox.querySelector("input").disabled = true;  // nor is its text posted
  }

  function say(text) {
    // Clear first so the same sentence twice is still announced.
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > [data-agenda-row]"));
  }

  function isRemoved(row) {
    var box = row.querySelector("input[name$='-DELETE']");
    return !!(box && box.checked);
  }

  function keptRows() {
    return rows().filter(function (row) { return !isRemoved(row); });
  }

  function titleOf(row) {
    var input = row.querySelector("input[name$='-title']");
    return input && input.value.trim() ? "“" + input.value.trim() + "”" : "The item";
  }

  // Number the rows as they stand: the hidden ORDER fields, the legends, and the Up/Down buttons.
  function renumber() {
    var kept = keptRows();
    var place = kept.length;
    rows().forEach(function (row) {
      var order = row.querySelector("input[name$='-ORDER']");
      var index = kept.indexOf(row);
      if (order) order.value = index === -1 ? String(++place) : String(index + 1);
      var number = index === -1 ? "" : String(index + 1);
      row.querySelectorAll("[data-row-number]").forEach(function (el) { el.textContent = number; });
      row.querySelectorAll("[data-move] .visually-hidden, [data-remove] .visually-hidden").forEach(function (el) {
        el.textContent = el.textContent.replace(/item \d*/, "item " + number);
      });
      var up = row.querySelector("[data-move=up]");
      var down = row.querySelector("[data-move=down]");
      if (up) up.disabled = index <= 0;
      if (down) down.disabled = index === -1 || index === kept.length - 1;
    });
    if (addButton) addButton.disabled = rows().length >= maxItems;
  }

  function move(row, direction) {
    var kept = keptRows();
    var index = kept.indexOf(row);
    var other = kept[direction === "up" ? index - 1 : index + 1];
    if (index === -1 || !other) return;
    list.insertBefore(row, direction === "up" ? other : other.nextSibling);
    renumber();
    var button = row.querySelector("[data-move=" + direction + "]");
    // Keep the keyboard where it was; at the top or bottom the button is disabled, so use its twin.
    (button && !button.disabled ? button : row.querySelector("[data-move]:not([disabled])") || row).focus();
    say(titleOf(row) + " moved to place " + (keptRows().indexOf(row) + 1) + " of " + keptRows().length + ".");
  }

  function setRemoved(row, removed) {
    var box = row.querySelector("input[name$='-DELETE']");
    box.checked = removed;
    row.classList.toggle("agenda-item-removed", removed);
    row.querySelector(".agenda-item-fields").hidden = removed;
    row.querySelector(".agenda-item-tools").hidden = removed;
    var note = row.querySelector("[data-removed-note]");
    if (removed && !note) {
      note = document.createElement("p");
      note.className = "agenda-removed-note";
      note.setAttribute("data-removed-note", "");
      var text = document.createElement("span");
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "secondary small";
      undo.textContent = "Undo";
      undo.addEventListener("click", function () {
        setRemoved(row, false);
        var remove = row.querySelector("[data-remove]");
        if (remove) remove.focus();
        say(titleOf(row) + " is back at place " + (keptRows().indexOf(row) + 1) + ".");
      });
      note.append(text, " ", undo);
      row.querySelector("fieldset").append(note);
    }
    if (note) {
      note.hidden = !removed;
      note.querySelector("span").textContent = titleOf(row) + " will be removed when you save the agenda.";
    }
    renumber();
  }

  // -- the practice picker: a combobox over the row's (hidden) practice list -------------------------
  function practicePicker(row) {
    var select = row.querySelector("select[name$='-practice']");
    if (!select || select.dataset.picker) return;
    select.dataset.picker = "on";
    var box = select.closest("[data-field]");
    var label = box.querySelector("label");
    var id = select.id + "-search";
    var listId = select.id + "-results";

    var input = document.createElement("input");
    input.type = "text";
    input.id = id;
    input.className = "picker-input";
    input.autocomplete = "off";
    input.placeholder = "Search practices…";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var results = document.createElement("ul");
    results.id = listId;
    results.className = "picker-results";
    results.setAttribute("role", "listbox");
    results.setAttribute("aria-label", "Practices found");
    results.hidden = true;
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "secondary small picker-clear";
    clear.textContent = "Unlink";
    var wrap = document.createElement("div");
    wrap.className = "picker";
    var line = document.createElement("div");
    line.className = "picker-line";
    line.append(input, clear);
    wrap.append(line, results);
    select.hidden = true;
    select.tabIndex = -1;
    select.after(wrap);
    if (label) label.htmlFor = id;

    var found = [];
    var active = -1;
    var timer;
    var asked = null;

    function chosenTitle() {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.textContent : "";
    }

    function showChosen() {
      input.value = chosenTitle();
      clear.hidden = !select.value;
      clear.setAttribute("aria-label", select.value ? "Unlink " + chosenTitle() : "Unlink");
    }

    function close() {
      results.hidden = true;
      results.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = results.querySelectorAll("[role=option]");
      active = index;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(practice) {
      var value = String(practice.id);
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!option) {
        option = document.createElement("option");
        option.value = value;
        option.textContent = practice.title;  // text, never HTML
        select.append(option);
      }
      select.value = value;
      close();
      showChosen();
      say("Linked " + practice.title + ".");
    }

    function open(practices) {
      found = practices;
      results.textContent = "";
      practices.forEach(function (practice, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + (++uid);
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var title = document.createElement("span");
        title.textContent = practice.title;
        option.append(title);
        if (practice.coalition) {
          var who = document.createElement("span");
          who.className = "picker-coalition";
          who.textContent = practice.coalition;
          option.append(" ", who);
        }
        // mousedown, not click: the input must not lose focus (and close the list) first.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(practice); });
        option.addEventListener("mousemove", function () { if (active !== i) highlight(i); });
        results.append(option);
      });
      results.hidden = practices.length === 0;
      input.setAttribute("aria-expanded", practices.length ? "true" : "false");
      active = -1;
      say(practices.length
        ? practices.length + " practice" + (practices.length === 1 ? "" : "s") + " found. Use the arrow keys to choose."
        : "No practice matches those words.");
    }

    function search() {
      var q = input.value.trim();
      if (q.length < 2 || q === chosenTitle()) { close(); return; }
      asked = q;
      fetch(practicesUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (json) {
          if (json && q === asked && document.activeElement === input) open(json.results || []);
        })
        .catch(function () { say("The search did not answer; try again."); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 300);
    });
    input.addEventListener("keydown", function (event) {
      var count = results.querySelectorAll("[role=option]").length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        highlight(active + 1 < count ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : count - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();  // Enter here picks a practice; it never saves the agenda
        if (active >= 0 && found[active]) choose(found[active]);
      } else if (event.key === "Escape" && !results.hidden) {
        event.preventDefault();
        close();
        showChosen();
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (!input.value.trim() && select.value) {
        select.value = "";
        say("Practice unlinked.");
      }
      showChosen();
    });
    clear.addEventListener("click", function () {
      select.value = "";
      showChosen();
      input.focus();
      say("Practice unlinked.");
    });
    showChosen();
  }

  // -- dragging --------------------------------------------------------------------------------------
  // Pointer events, not the HTML drag-and-drop API (which touch screens never fire): a finger, a pen
  // and a mouse all drag a row by its handle. The handle has `touch-action: none`, so a finger on it
  // moves the row instead of scrolling the page; near the top or bottom of the screen the page
  // scrolls along. The keyboard and screen readers use Up and Down, which the handle does not replace.
  var drag = null;
  var EDGE = 56;  // px from the top or bottom of the viewport where a held drag scrolls the page

  // Put the dragged row where the pointer is: before the first other row whose middle is below it.
  function place(row, y) {
    var others = rows().filter(function (other) { return other !== row; });
    if (!others.length) return;
    var before = null;
    for (var i = 0; i < others.length; i++) {
      var rect = others[i].getBoundingClientRect();
      if (y < rect.top + rect.height / 2) { before = others[i]; break; }
    }
    if (before) {
      if (row.nextElementSibling !== before) list.insertBefore(row, before);
    } else if (others[others.length - 1].nextElementSibling !== row) {
      others[others.length - 1].after(row);
    }
  }

  function scrollAlong() {
    if (!drag) return;
    var step = drag.y < EDGE ? -12 : drag.y > window.innerHeight - EDGE ? 12 : 0;
    if (step) {
      window.scrollBy(0, step);
      place(drag.row, drag.y);
    }
    drag.frame = window.requestAnimationFrame(scrollAlong);
  }

  function draggable(row) {
    var handle = row.querySelector("[data-drag-handle]");
    if (!handle) return;
    handle.hidden = false;

    handle.addEventListener("pointerdown", function (event) {
      if (drag || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();  // no text selection, no scrolling
      handle.setPointerCapture(event.pointerId);
      drag = { row: row, pointer: event.pointerId, from: keptRows().indexOf(row), y: event.clientY };
      row.classList.add("agenda-item-dragging");
      drag.frame = window.requestAnimationFrame(scrollAlong);
    });
    handle.addEventListener("pointermove", function (event) {
      if (!drag || drag.row !== row || drag.pointer !== event.pointerId) return;
      event.preventDefault();
      drag.y = event.clientY;
      place(row, event.clientY);
    });
    function finish(event) {
      if (!drag || drag.row !== row || drag.pointer !== event.pointerId) return;
      window.cancelAnimationFrame(drag.frame);
      var from = drag.from;
      drag = null;
      row.classList.remove("agenda-item-dragging");
      renumber();
      var to = keptRows().indexOf(row);
      if (to !== from) say(titleOf(row) + " moved to place " + (to + 1) + " of " + keptRows().length + ".");
    }
    handle.addEventListener("pointerup", finish);
    handle.addEventListener("pointercancel", finish);
    handle.addEventListener("lostpointercapture", finish);
  }

  function setUp(row) {
    row.querySelectorAll("[data-move]").forEach(function (button) {
      button.type = "button";
      button.addEventListener("click", function () { move(row, button.dataset.move); });
    });
    var removeBox = row.querySelector("[data-remove-box]");
    var remove = row.querySelector("[data-remove]");
    if (removeBox && remove) {
      removeBox.hidden = true;
      remove.hidden = false;
      remove.addEventListener("click", function () {
        setRemoved(row, true);
        var undo = row.querySelector("[data-removed-note] button");
        if (undo) undo.focus();
        say(titleOf(row) + " will be removed when you save. Undo is next to it.");
      });
      if (isRemoved(row)) setRemoved(row, true);
    }
    draggable(row);
    practicePicker(row);
  }

  function addRow() {
    var index = parseInt(total.value, 10);
    if (rows().length >= maxItems) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("ol");
    holder.innerHTML = html;  // our own server-rendered template, with the row's index filled in
    var row = holder.querySelector("[data-agenda-row]");
    list.append(row);
    total.value = String(index + 1);
    setUp(row);
    renumber();
    var title = row.querySelector("input[name$='-title']");
    if (title) title.focus();
    say("Item " + keptRows().length + " added.");
  }

  if (addButton) {
    addButton.type = "button";
    addButton.addEventListener("click", addRow);
  }
  rows().forEach(setUp);
  renumber();
})();
