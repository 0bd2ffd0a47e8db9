// "Your meetings calendar": click the subscription address to select it for copying, and confirm
// before resetting it. Without JavaScript the address is still selectable and the reset still works.
document.addEventListener("DOMContentLoaded", function () {
  var feed = document.getElementById("feed-url");
  if (feed) feed.addEventListener("click", function () { feed.select(); });
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
});
