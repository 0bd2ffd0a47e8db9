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
