/* The phone page (/q/<token>): five levels, reasons for 1–2, a comment, an optional call-back number,
 * and the suggestion box. One UUID per page view, so a double tap or a retry stores one rating.
 * A floor kiosk's code (data.windows set) first asks for the window, then the member on duty there;
 * a window kiosk's code with two members on duty asks which of them served. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("phone-data").textContent);
  var T = data.strings;
  var $ = function (id) { return document.getElementById(id); };
  var score = null;

  var el = window.lbpDom.el, uuid = window.lbpDom.uuid, photo = window.lbpDom.photo;
  var ratingId = uuid();

  function windowName(number) { return String(T.window_n).replace("%(n)s", number); }

  // ---- a floor kiosk's code: the window, then the member ---------------------------------------
  // Names, posts and photos come from the page's JSON and are only ever set as text or as an
  // image's address, never as markup.
  var chosen = null;  // {window_id, staff_id} once picked
  function tile(cls, onPick) {
    var b = el("button", "p-tile " + cls);
    b.type = "button";
    b.addEventListener("click", onPick);
    return b;
  }
  function showWindowLabel(w) {  // in the top bar, once a window is picked
    var label = $("window-label");
    if (!label) return;  // a window kiosk's code: the header names the window already
    label.textContent = w ? windowName(w.number) : "";
    label.hidden = !w;
  }
  function showWindows() {
    showWindowLabel(null);
    $("pick-title").textContent = T.pick_window;
    $("pick-back").hidden = true;
    var list = $("pick-list");
    list.textContent = "";
    list.className = "p-tiles";
    if (!data.windows.length) list.appendChild(el("p", "p-hint", T.no_windows));
    data.windows.forEach(function (w) {
      var b = tile("window", function () { pickWindow(w); });
      b.dataset.windowId = w.id;
      b.appendChild(el("span", "num", w.number));
      var label = el("span", "label");
      label.appendChild(el("strong", "", w.name));
      if (w.department) label.appendChild(el("small", "", w.department));
      b.appendChild(label);
      list.appendChild(b);
    });
  }
  // A window kiosk's code with two members on duty offers that one window: straight to its members.
  var single = !!(data.windows && data.windows.length === 1 && data.windows[0].members.length > 1);
  function pickWindow(w) {
    if (w.members.length <= 1) { choose(w, w.members[0] || null); return; }  // one on duty, or the window alone
    showWindowLabel(w);
    $("pick-title").textContent = T.pick_member;
    $("pick-back").hidden = single;
    var list = $("pick-list");
    list.textContent = "";
    list.className = "p-tiles members";
    w.members.forEach(function (m) {
      var b = tile("member", function () { choose(w, m); });
      b.dataset.staffId = m.id;
      b.appendChild(photo(m));
      b.appendChild(el("strong", "", m.name));
      if (m.title) b.appendChild(el("span", "title", m.title));
      list.appendChild(b);
    });
    window.scrollTo(0, 0);
  }
  function choose(w, m) {
    var next = { window_id: w.id, staff_id: m ? m.id : null };
    if (!chosen || chosen.window_id !== next.window_id || chosen.staff_id !== next.staff_id) ratingId = uuid();
    chosen = next;
    var card = $("chosen-card");
    card.textContent = "";
    var row = el("div", "p-member"), info = el("div");
    if (m) {
      row.appendChild(photo(m));
      info.appendChild(el("div", "name", m.name));
      if (m.title) info.appendChild(el("div", "title", m.title));
      info.appendChild(el("div", "where", [m.department, windowName(w.number) + " " + w.name].filter(Boolean).join(" · ")));
      var tags = el("div", "tags");
      if (m.is_party_member) tags.appendChild(el("span", "tag party", "★ " + T.party_member));
      (m.designations || []).forEach(function (d) { tags.appendChild(el("span", "tag", d)); });
      if (tags.childNodes.length) info.appendChild(tags);
    } else {
      row.appendChild(el("div", "nophoto num", w.number));
      info.appendChild(el("div", "name", w.name));
      info.appendChild(el("div", "where", [w.department, windowName(w.number)].filter(Boolean).join(" · ")));
    }
    row.appendChild(info);
    card.appendChild(row);
    if (!m) card.appendChild(el("p", "p-hint", T.no_member));
    showWindowLabel(w);
    $("pick").hidden = true;
    $("chosen").hidden = false;
    $("rate").hidden = false;
    window.scrollTo(0, 0);
  }
  if (data.windows) {
    $("pick-back").addEventListener("click", showWindows);
    $("pick-again").addEventListener("click", function () {
      $("chosen").hidden = true;
      $("rate").hidden = true;
      $("pick").hidden = false;
      if (single) pickWindow(data.windows[0]); else showWindows();
    });
    if (single) pickWindow(data.windows[0]); else showWindows();
  }
  // Who is rated: the floor citizen's pick, else what the code itself says.
  function who(body) {
    if (chosen) {
      body.window_id = chosen.window_id;
      if (chosen.staff_id) body.staff_id = chosen.staff_id;
    } else if (data.staff_id) {
      body.staff_id = data.staff_id;
    }
    return body;
  }

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
    if (data.windows && !chosen) { error.textContent = T.pick_window; error.hidden = false; return; }
    if (!score) { error.textContent = T.choose_level; error.hidden = false; return; }
    var body = who({ id: ratingId, score: score, channel: "qr", qr_token: data.token, comment: $("comment").value.trim().slice(0, 500),
                     reasons: score <= 2 ? Array.prototype.map.call(document.querySelectorAll('#reasons-box .p-chip[aria-pressed="true"]'), function (c) { return c.dataset.reason; }) : [] });
    var contact = $("contact").value.trim();
    if (contact) body.contact = contact;
    $("rate-send").disabled = true;
    post("/api/v1/ratings", body).then(function (res) {
      if (res.ok || res.status === 409) {
        $("rate-form").hidden = true; $("rate-done").hidden = false;
        if ($("pick-again")) $("pick-again").hidden = true;  // rated (or rated before): the pick is settled
        if (res.ok) window.scrollTo(0, 0); else $("rate-done").querySelector("h2").textContent = problem(res);
        return;
      }
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
    var body = who({ kind: kind, text: text.slice(0, 1000), channel: "qr", qr_token: data.token });
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
