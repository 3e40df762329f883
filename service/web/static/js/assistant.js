// Streams the assistant's answer as it is written (Server-Sent Events over fetch), then
// reloads the page to show it with its sources. Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("ask-form");
  if (!form || !window.fetch || !window.TextDecoder) return;
  function openTarget() {
    var el = location.hash && document.getElementById(location.hash.slice(1));
    if (el && el.tagName === "DETAILS") el.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  form.addEventListener("submit", function (event) {
    var question = form.querySelector("textarea").value.trim();
    if (!question) return;
    event.preventDefault();
    var box = document.createElement("article");
    box.className = "exchange";
    var h = document.createElement("h2");
    h.className = "question";
    h.textContent = question;
    var answer = document.createElement("div");
    answer.className = "answer";
    answer.setAttribute("aria-busy", "true");
    answer.style.whiteSpace = "pre-line";
    box.appendChild(h);
    box.appendChild(answer);
    document.getElementById("conversation").appendChild(box);
    var token = (document.cookie.match(/(?:^|; )tc_csrf=([^;]*)/) || [])[1] || "";
    fetch("/assistant/flux", {
      method: "POST",
      body: new FormData(form),
      headers: { "x-csrftoken": decodeURIComponent(token) },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok || !response.body) { form.submit(); return; }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { location.reload(); return; }
          buffer += decoder.decode(chunk.value, { stream: true });
          var events = buffer.split(/\r?\n\r?\n/);
          buffer = events.pop();
          events.forEach(function (raw) {
            var type = (raw.match(/^event: (.*)$/m) || [])[1];
            var data = raw.split(/\r?\n/).filter(function (l) { return l.indexOf("data: ") === 0; })
              .map(function (l) { return l.slice(6); }).join("\n");
            if (type === "token") answer.textContent += JSON.parse(data).text;
            if (type === "done") answer.textContent = JSON.parse(data).answer;
          });
          return pump();
        });
      }
      return pump();
    }).catch(function () { form.submit(); });
  });
})();
