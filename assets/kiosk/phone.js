/* The phone page (/q/<token>): five levels, reasons for 1–2, a comment, an optional call-back number,
 * and the suggestion box. One UUID per page view, so a double tap or a retry stores one rating. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("phone-data").textContent);
  var T = data.strings;
  var $ = function (id) { return document.getElementById(id); };
  var score = null;

  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  var ratingId = uuid();

  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
                        credentials: "same-origin" })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, ok: r.ok, data: d }; }); });
  }
  function problem(res) {
    if (res.status === 429) return T.too_many;
    return (res.data && res.data.error && res.data.error.message) || T.error;
  }

  document.querySelectorAll(".p-level").forEach(function (b) {
    b.addEventListener("click", function () {
      score = Number(b.dataset.score);
      document.querySelectorAll(".p-level").forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
      $("levels").classList.add("chosen");
      $("reasons-box").hidden = score > 2;
      $("rate-send").disabled = false;
    });
  });
  document.querySelectorAll("#reasons-box .p-chip").forEach(function (c) {
    c.addEventListener("click", function () {
      c.setAttribute("aria-pressed", c.getAttribute("aria-pressed") === "true" ? "false" : "true");
    });
  });

  $("rate-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var error = $("rate-error");
    error.hidden = true;
    if (!score) { error.textContent = T.choose_level; error.hidden = false; return; }
    var body = { id: ratingId, score: score, channel: "qr", qr_token: data.token, comment: $("comment").value.trim().slice(0, 500),
                 reasons: score <= 2 ? Array.prototype.map.call(document.querySelectorAll('#reasons-box .p-chip[aria-pressed="true"]'), function (c) { return c.dataset.reason; }) : [] };
    if (data.staff_id) body.staff_id = data.staff_id;
    var contact = $("contact").value.trim();
    if (contact) body.contact = contact;
    $("rate-send").disabled = true;
    post("/api/v1/ratings", body).then(function (res) {
      if (res.ok) { $("rate-form").hidden = true; $("rate-done").hidden = false; window.scrollTo(0, 0); return; }
      if (res.status === 409) { $("rate-form").hidden = true; $("rate-done").hidden = false; $("rate-done").querySelector("h2").textContent = problem(res); return; }
      error.textContent = problem(res); error.hidden = false; $("rate-send").disabled = false;
    }, function () { error.textContent = T.error; error.hidden = false; $("rate-send").disabled = false; });
  });

  var kind = "suggestion";
  document.querySelectorAll(".p-kinds .p-chip").forEach(function (c) {
    c.addEventListener("click", function () {
      kind = c.dataset.kind;
      document.querySelectorAll(".p-kinds .p-chip").forEach(function (o) { o.setAttribute("aria-pressed", o === c ? "true" : "false"); });
    });
  });
  $("suggest-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var error = $("suggest-error");
    error.hidden = true;
    var text = $("suggest-text").value.trim();
    if (!text) { $("suggest-text").focus(); return; }
    var body = { kind: kind, text: text.slice(0, 1000), channel: "qr", qr_token: data.token };
    if (data.staff_id) body.staff_id = data.staff_id;
    var contact = $("suggest-contact").value.trim();
    if (contact) body.contact = contact;
    $("suggest-send").disabled = true;
    post("/api/v1/suggestions", body).then(function (res) {
      if (!res.ok) { error.textContent = problem(res); error.hidden = false; $("suggest-send").disabled = false; return; }
      $("suggest-form").hidden = true;
      $("suggest-done").hidden = false;
      $("receipt-code").textContent = res.data.receipt;
      $("receipt-link").href = "/s/" + encodeURIComponent(res.data.receipt);
    }, function () { error.textContent = T.error; error.hidden = false; $("suggest-send").disabled = false; });
  });
})();
