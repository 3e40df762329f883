// Copy buttons: hidden without JavaScript (the link stays in a read-only field to select);
// shown and wired here when the clipboard can be written.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  var status = document.getElementById("copy-status");
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = status.getAttribute("data-done") || "";
        button.setAttribute("aria-pressed", "true");
      });
    });
  });
})();
