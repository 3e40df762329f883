/* Optional autosave of a questionnaire page: every choice or text change is saved as a draft
   a moment later, through the same form handler as the "Enregistrer" button (with the form's
   CSRF token). Without JavaScript the buttons do the same. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = form.querySelector("[data-autosave-status]");
  /* not form.action: the buttons named "action" shadow that property */
  var target = form.getAttribute("action");
  var lang = document.documentElement.lang || "fr";
  var words = lang === "en"
    ? { saving: "Saving the draft…", saved: "Draft saved at ", failed: "Automatic save failed: use the Save button." }
    : { saving: "Enregistrement du brouillon…", saved: "Brouillon enregistré à ", failed: "L'enregistrement automatique a échoué : utilisez le bouton Enregistrer." };
  var timer = null;
  var busy = false;
  var again = false;
  var held = null; /* a button press that waits for an autosave in flight */

  function say(text) { if (status) { status.textContent = text; } }

  function updateProgress(data) {
    var bars = { "progress-dimension": [data.answered, data.total], "progress-overall": [data.overall_answered, data.overall_total] };
    Object.keys(bars).forEach(function (id) {
      var bar = document.getElementById(id);
      if (!bar) { return; }
      bar.value = bars[id][0];
      var count = bar.nextElementSibling;
      if (count) { count.textContent = count.textContent.replace(/^\d+/, String(bars[id][0])); }
    });
  }

  function save() {
    if (busy) { again = true; return; }
    busy = true;
    say(words.saving);
    var body = new FormData(form);
    body.set("action", "save");
    var token = form.querySelector("input[name=_csrf_token]");
    fetch(target, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "x-autosave": "1", "x-csrftoken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok || !result.data.saved) { throw new Error("save"); }
      form.querySelector("input[name=revision]").value = result.data.revision;
      updateProgress(result.data);
      var now = new Date();
      say(words.saved + now.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }) + ".");
    }).catch(function () {
      say(words.failed);
    }).then(function () {
      busy = false;
      if (held) {
        /* the form now carries the revision just saved: its own save will not conflict */
        var submitter = held;
        held = null;
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      } else if (again) { again = false; save(); }
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1200);
  }

  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    again = false;
    if (busy) {
      event.preventDefault();
      held = event.submitter || null;
    }
  });
  form.addEventListener("change", later);
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") { later(); }
  });
}());
