// The header menu works without JavaScript (#site-nav as :target); with it, the button toggles in place.
document.addEventListener("DOMContentLoaded", function () {
  var link = document.querySelector(".menu-link");
  var nav = document.getElementById("site-nav");
  if (!link || !nav) return;
  link.setAttribute("aria-expanded", "false");
  link.addEventListener("click", function (event) {
    event.preventDefault();
    var open = nav.classList.toggle("is-open");
    link.setAttribute("aria-expanded", open ? "true" : "false");
  });
  var close = nav.querySelector(".menu-close");
  if (close) close.addEventListener("click", function (event) {
    event.preventDefault();
    nav.classList.remove("is-open");
    link.setAttribute("aria-expanded", "false");
  });
});

// The practice filters are a <details> that wide screens show unfolded: keep it open there, so
// that screen readers announce it as expanded; phones get back the state the page came with.
document.addEventListener("DOMContentLoaded", function () {
  var panels = document.querySelectorAll("details.filters-panel");
  if (!panels.length || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 900px)");
  var initial = Array.prototype.map.call(panels, function (panel) { return panel.open; });
  function sync() {
    panels.forEach(function (panel, i) { panel.open = wide.matches || initial[i]; });
  }
  sync();
  wide.addEventListener("change", sync);
});

// The account menu is a <details> and works without JavaScript; with it, a click elsewhere or
// Escape closes it, as people expect of a dropdown.
document.addEventListener("DOMContentLoaded", function () {
  var account = document.querySelector(".account-menu");
  if (!account) return;
  document.addEventListener("click", function (event) {
    if (account.open && !account.contains(event.target)) account.open = false;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && account.open) {
      account.open = false;
      account.querySelector("summary").focus();
    }
  });
});
