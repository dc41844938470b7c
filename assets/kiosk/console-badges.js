/* The console's badge page: make the PDF of a department's badges in the background, show the
   progress, then offer the download. Its words come translated in #badge-labels. */
(function () {
  "use strict";
  var form = document.getElementById("print-form"), job = document.getElementById("job"), bar = document.getElementById("bar");
  var text = document.getElementById("job-text"), link = document.getElementById("download");
  var T = JSON.parse(document.getElementById("badge-labels").textContent);
  function fill(words, s) {
    return words.replace("{done}", s.done).replace("{total}", s.total).replace("{page}", s.page)
      .replace("{pages}", s.pages).replace("{error}", s.error || "");
  }
  // While rendering: badges done, and pages done of the sheet's pages.
  function say(key, s) { text.textContent = fill(T[key], s) + (key === "rendering" ? " · " + fill(T.page, s) : ""); }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    link.hidden = true; job.hidden = false; bar.value = 0;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
      .then(function (res) {
        if (!res.ok) { text.textContent = res.d.error ? res.d.error.message : "error"; return; }
        bar.max = res.d.total;
        var timer = setInterval(function () {
          fetch(res.d.progress, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
            bar.value = s.done; say(s.state, s);
            if (s.state === "done") { clearInterval(timer); link.href = res.d.download; link.hidden = false; }
            if (s.state === "failed") clearInterval(timer);
          });
        }, 400);
      });
  });
})();
