/* Optional autosave of a questionnaire page, through the same form handler as the
   "Enregistrer" button (with the form's CSRF token). Without JavaScript the buttons do the same.

   - A choice or a text is saved as a draft a moment after it changes. The server keeps every
     valid field even when another is refused; a refused field keeps what was typed, and its
     message appears next to it (the focus is left where the user is).
   - Leaving the page with changes not yet saved: the browser asks first (beforeunload), what
     is pending is sent on the way out (pagehide), and a link of the page (the dimension menu,
     the breadcrumb…) saves first, then asks before leaving only if something could not be
     saved (a refused field, a failed save).
   - Arrow keys in a radio group select each choice they pass (native behaviour): a keyboard or
     screen-reader user reading the levels one by one would otherwise send a save, and hear
     "Brouillon enregistré", at every step. A choice made with the arrow keys is therefore
     saved when the focus leaves the group, after a long pause, or when the page is left; a
     click or the space bar saves after the usual short pause. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var PAUSE = 1200;          /* after a click, a choice in a list or a pause in typing */
  var ARROWS_PAUSE = 10000;  /* after choices made with the arrow keys, if focus stays there */
  var status = form.querySelector("[data-autosave-status]");
  /* not form.action: the buttons named "action" shadow that property */
  var target = form.getAttribute("action");
  var lang = document.documentElement.lang || "fr";
  /* the words come from the page, translated with the rest of its texts */
  var words = status ? status.dataset : {};
  var timer = null;
  var busy = false;
  var again = false;
  var held = null;           /* a button press that waits for an autosave in flight */
  var waiting = [];          /* what to do once the saves in flight are done */
  var edits = 0;             /* changes made on the page since it was loaded */
  var savedEdits = 0;        /* how many of them the last save covered */
  var refused = form.hasAttribute("data-unsaved"); /* fields the server did not accept */
  var failed = false;        /* the last save did not go through */
  var leaving = false;       /* the page is being left on purpose (a button, a confirmed link) */
  var arrowing = false;      /* the change comes from an arrow key */
  var arrowGroup = null;     /* the group whose choice waits for the focus to leave it */

  function say(text) { if (status) { status.textContent = text; } }

  function unsaved() { return edits !== savedEdits || refused || failed; }

  function clock() {
    return new Date().toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }

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

  /* the element a field's message goes above, and the one described by it */
  function control(name) {
    var field = document.getElementById(name);
    if (field) { return { before: field, described: field }; }
    var choices = form.querySelector('[data-choices="' + name + '"]');
    return choices ? { before: choices, described: choices.closest("fieldset") } : null;
  }

  function describe(element, id, on) {
    var ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) { ids.push(id); }
    if (ids.length) { element.setAttribute("aria-describedby", ids.join(" ")); } else { element.removeAttribute("aria-describedby"); }
  }

  function mark(name, message) {
    var where = control(name);
    if (!where) { return; }
    var id = name + "-error";
    var note = document.getElementById(id);
    if (message === null) {
      if (note) { note.parentNode.removeChild(note); }
      where.described.removeAttribute("aria-invalid");
      describe(where.described, id, false);
      var box = where.before.closest(".field");
      if (box) { box.classList.remove("field-error"); }
      var question = where.before.closest("fieldset.question");
      if (question && !question.querySelector(".error-message")) { question.classList.remove("question-error"); }
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "error-message";
      note.id = id;
      note.setAttribute("data-field", name);
      where.before.parentNode.insertBefore(note, where.before);
    }
    note.textContent = "";
    var prefix = document.createElement("span");
    prefix.className = "visually-hidden";
    prefix.textContent = words.errorPrefix || "";
    note.appendChild(prefix);
    note.appendChild(document.createTextNode(message));
    if (where.described.tagName !== "FIELDSET") { where.described.setAttribute("aria-invalid", "true"); }
    describe(where.described, id, true);
    var field = where.before.closest(".field");
    if (field) { field.classList.add("field-error"); }
    var fieldset = where.before.closest("fieldset.question");
    if (fieldset) { fieldset.classList.add("question-error"); }
  }

  /* the page's messages follow the server's latest word: new ones added next to their field,
     corrected ones removed, and the summary at the top keeps only what is still wrong */
  function showErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".error-message[data-field]"), function (note) {
      var name = note.getAttribute("data-field");
      if (!Object.prototype.hasOwnProperty.call(errors, name)) { mark(name, null); }
    });
    Object.keys(errors).forEach(function (name) { mark(name, errors[name]); });
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    Array.prototype.forEach.call(summary.querySelectorAll("li[data-field]"), function (item) {
      if (!Object.prototype.hasOwnProperty.call(errors, item.getAttribute("data-field"))) {
        item.parentNode.removeChild(item);
      }
    });
    var left = summary.querySelectorAll("li").length;
    var title = summary.querySelector("h2");
    if (!left) {
      summary.parentNode.removeChild(summary);
    } else if (title && summary.dataset.title) {
      title.textContent = summary.dataset.title.replace("{n}", String(left));
    }
  }

  function body() {
    var data = new FormData(form);
    data.set("action", "save");
    return data;
  }

  function headers() {
    var token = form.querySelector("input[name=_csrf_token]");
    return { "x-autosave": "1", "x-csrftoken": token ? token.value : "" };
  }

  function settle() {
    var next = waiting;
    waiting = [];
    next.forEach(function (callback) { callback(!unsaved()); });
  }

  function save(then) {
    window.clearTimeout(timer);
    arrowGroup = null;
    if (then) { waiting.push(then); }
    if (busy) { again = true; return; }
    busy = true;
    var covered = edits;
    say(words.saving);
    fetch(target, {
      method: "POST", body: body(), credentials: "same-origin", headers: headers()
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok || !result.data.saved) {
        failed = true;
        say(result.data.detail || words.failed);
        return;
      }
      failed = false;
      savedEdits = covered;
      form.querySelector("input[name=revision]").value = result.data.revision;
      updateProgress(result.data);
      var errors = result.data.errors || {};
      var count = Object.keys(errors).length;
      refused = count > 0;
      showErrors(errors);
      say(String(count ? words.partial : words.saved).replace("{time}", clock()).replace("{n}", String(count)));
    }).catch(function () {
      failed = true;
      say(words.failed);
    }).then(function () {
      busy = false;
      if (held) {
        /* the form now carries the revision just saved: its own save will not conflict */
        var submitter = held;
        held = null;
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      } else if (again) {
        again = false;
        save();
      } else {
        settle();
      }
    });
  }

  function later(pause) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { save(); }, pause);
  }

  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    again = false;
    if (busy) {
      event.preventDefault();
      held = event.submitter || null;
      return;
    }
    leaving = true;
  });

  form.addEventListener("keydown", function (event) {
    var kind = event.target.type;
    arrowing = (kind === "radio" || kind === "select-one") && /^Arrow/.test(event.key);
  });
  form.addEventListener("pointerdown", function () { arrowing = false; });

  form.addEventListener("change", function (event) {
    edits += 1;
    if (arrowing && event.target.name) {
      arrowGroup = event.target.name;
      later(ARROWS_PAUSE);
    } else {
      later(PAUSE);
    }
  });

  form.addEventListener("focusout", function (event) {
    if (!arrowGroup || event.target.name !== arrowGroup) { return; }
    var next = event.relatedTarget;
    if (next && next.name === arrowGroup) { return; } /* still in the same group */
    later(0);
  });

  form.addEventListener("input", function (event) {
    edits += 1;
    /* a comment is saved after a pause in typing; a link once it is left (its change event),
       so that a half-typed address is not sent and refused */
    if (event.target.tagName === "TEXTAREA") { later(PAUSE); }
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !unsaved()) { return; }
    event.preventDefault();
    event.returnValue = ""; /* older browsers need it to ask */
  });

  window.addEventListener("pagehide", function () {
    if (leaving || edits === savedEdits) { return; }
    /* the changes not sent yet go out with the page (keepalive outlives it) */
    fetch(target, {
      method: "POST", body: body(), credentials: "same-origin", headers: headers(), keepalive: true
    }).catch(function () { return null; });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0) { return; }
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    if ((link.target && link.target !== "_self") || link.origin !== window.location.origin) { return; }
    if (link.pathname === window.location.pathname && link.hash) { return; } /* same page */
    if (!unsaved()) { return; }
    event.preventDefault();
    save(function (clean) {
      if (clean || window.confirm(words.leave)) {
        leaving = true;
        window.location.assign(link.href);
      }
    });
  });
}());
