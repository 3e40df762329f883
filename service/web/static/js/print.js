/* Shows the "Imprimer" button when scripts run; without them, the browser's own print works. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
