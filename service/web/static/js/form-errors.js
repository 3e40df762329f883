/* The error summary of a form sent back with errors (the GOV.UK / DSFR pattern): it receives
   the focus, so that a screen reader reads it and the keyboard starts from it, and each of its
   links takes the focus to its field, opening the collapsed part that holds it. Without
   JavaScript the summary and its links are there all the same. */
(function () {
  "use strict";
  var summary = document.getElementById("erreurs");
  if (!summary) { return; }
  summary.focus();

  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field || typeof field.focus !== "function") { return; }
    event.preventDefault();
    var details = field.closest("details");
    if (details) { details.open = true; }
    /* the label or the question (legend) above the field is shown too, not only the field */
    var context = field.closest(".field") || field.closest("fieldset") || field;
    context.scrollIntoView();
    field.focus({ preventScroll: true });
  });
}());
