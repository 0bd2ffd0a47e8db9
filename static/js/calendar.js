// "Your meetings calendar": click the subscription address to select it for copying. Resetting it
// asks on a page of its own, so it works the same without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var feed = document.getElementById("feed-url");
  if (feed) feed.addEventListener("click", function () { feed.select(); });
});
