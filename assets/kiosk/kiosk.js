/* The rating kiosk: renders `state` from the /kiosk namespace, takes one tap, and never loses it.
 *
 * Every rating goes to an IndexedDB outbox first (with its UUID and the time pressed), then is
 * posted to /api/v1/ratings. It leaves the outbox only when the server answered 2xx (stored) or
 * refused it for good (4xx other than 401/403/408/429). Offline, the citizen is thanked all the
 * same and the outbox is replayed on reconnect; the UUID makes a replay idempotent.
 */
(function () {
  "use strict";

  var T = JSON.parse(document.getElementById("kiosk-strings").textContent);
  var KIOSK_ID = Number(document.body.dataset.kioskId);
  var TOKEN_KEY = "lbp_kiosk_token_" + KIOSK_ID;
  var STATE_KEY = "lbp_kiosk_state_" + KIOSK_ID;
  var IDLE_SECONDS = 15;

  // A token may arrive in the fragment (/kiosk/3#token=...): keep it, and take it out of the address bar.
  var match = location.hash.match(/token=([^&]+)/);
  if (match) {
    localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    localStorage.setItem("lbp_kiosk_paired", String(KIOSK_ID));
    history.replaceState(null, "", location.pathname);
  }
  var token = localStorage.getItem(TOKEN_KEY);

  var $ = function (id) { return document.getElementById(id); };
  var state = null, version = 0, chosen = null, pending = null, online = false, queueLength = 0;

  var el = window.lbpDom.el, uuid = window.lbpDom.uuid, photo = window.lbpDom.photo;
  function fmt(text, n) { return String(text).replace("%(n)s", n); }

  // ---- speech ------------------------------------------------------------------------------
  var speakBtn = $("speak");
  var speaking = localStorage.getItem("lbp_speak") === "1";
  function showSpeak() { speakBtn.setAttribute("aria-pressed", speaking ? "true" : "false"); }
  speakBtn.addEventListener("click", function () { speaking = !speaking; localStorage.setItem("lbp_speak", speaking ? "1" : "0"); showSpeak(); });
  showSpeak();
  function say(text) {
    if (!speaking || !("speechSynthesis" in window)) return;
    try {
      speechSynthesis.cancel();
      var u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN"; u.rate = 0.95;
      speechSynthesis.speak(u);
    } catch (e) { /* speech is a nicety */ }
  }

  // ---- clock -------------------------------------------------------------------------------
  // The hall's time: the server's clock (the tablet's may be wrong) in the hall's zone (the
  // tablet's may be another); the offset is learnt from each state and heartbeat answer.
  var skew = 0, zone = null;
  function learnTime(iso) {
    var t = Date.parse(iso || "");
    if (!isNaN(t)) skew = t - Date.now();
  }
  function tick() {
    var d = new Date(Date.now() + skew);
    try {
      $("clock").textContent = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false,
                                                                  timeZone: zone || undefined }).format(d);
    } catch (e) {  // an unknown zone name: the tablet's own
      $("clock").textContent = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    }
  }
  tick(); setInterval(tick, 10000);

  // ---- screens and the idle countdown ----------------------------------------------------------
  var current = "wait", idleLeft = 0, idleAction = null;
  function show(name, onIdle) {
    document.querySelectorAll(".screen").forEach(function (s) { s.classList.toggle("active", s.id === "screen-" + name); });
    current = name;
    idleAction = onIdle || null;
    idleLeft = onIdle ? IDLE_SECONDS : 0;
    paintCountdown();
  }
  function paintCountdown() {
    var box = document.querySelector("#screen-" + current + " .countdown");
    if (!box) return;
    box.hidden = !idleAction;
    box.querySelector(".ct").textContent = fmt(T.back_in, idleLeft);
    box.querySelector(".bar i").style.width = (100 * idleLeft / IDLE_SECONDS) + "%";
  }
  setInterval(function () {
    if (!idleAction) return;
    idleLeft -= 1;
    if (idleLeft <= 0) { var act = idleAction; idleAction = null; act(); return; }
    paintCountdown();
  }, 1000);
  // Any touch extends the countdown: the citizen is still there.
  ["pointerdown", "keydown", "input"].forEach(function (type) {
    document.addEventListener(type, function () { if (idleAction) { idleLeft = IDLE_SECONDS; paintCountdown(); } }, true);
  });

  // ---- rendering state --------------------------------------------------------------------------
  function tags(card) {
    var box = el("div", "tags");
    if (card.is_party_member) box.appendChild(el("span", "tag party", "★ " + T.party_member));
    (card.designations || []).forEach(function (d) { box.appendChild(el("span", "tag", d)); });
    return box;
  }
  function renderMember(card, win) {
    var box = $("member");
    box.textContent = "";
    if (card) {
      box.appendChild(photo(card));
      var who = el("div", "who");
      who.appendChild(el("div", "name", card.name));
      if (card.title) who.appendChild(el("div", "title", card.title));
      var where = [card.department, card.window_number ? T.window_n.replace("%(n)s", card.window_number) : ""].filter(Boolean).join(" · ");
      if (where) who.appendChild(el("div", "where", where));
      who.appendChild(tags(card));
      box.appendChild(who);
    } else if (win) {
      box.appendChild(el("div", "nophoto", win.number));
      var w = el("div", "who");
      w.appendChild(el("div", "name", win.name));
      w.appendChild(el("div", "where", [win.department, T.window_n.replace("%(n)s", win.number)].filter(Boolean).join(" · ")));
      w.appendChild(el("div", "title", T.no_member));
      box.appendChild(w);
    }
  }
  function setSvg(node, svg) { node.innerHTML = svg || ""; } // server-made QR markup, no user text

  function target() {
    // Who a tap on the start screen rates: the prompt's member, the chosen one (floor), or the window's.
    if (state.prompt) return { staff_id: state.prompt.member.id, window_id: state.prompt.member.window_id, card: state.prompt.member };
    if (chosen) return chosen;
    return { staff_id: state.member ? state.member.id : null, window_id: state.window ? state.window.id : null, card: state.member };
  }

  // The survey rounds open to citizens here and the wish page (kiosk.entries): plain links to the
  // kiosk's own pages, which send their forms with this kiosk's token.
  function renderEntries(box) {
    if (!box) return;
    box.textContent = "";
    (state.surveys || []).forEach(function (s) {
      var a = el("a", "entry survey-entry");
      if (String(s.url).charAt(0) !== "/") return;  // a path of this server, never another scheme
      a.href = s.url;
      a.setAttribute("data-survey", s.code);
      a.appendChild(el("strong", "", T.survey_entry));
      a.appendChild(el("span", "", s.title));
      box.appendChild(a);
    });
    if (state.wish_url) {
      var w = el("a", "entry wish-entry");
      w.href = state.wish_url;
      w.appendChild(el("strong", "", T.wish_entry));
      w.appendChild(el("span", "", T.wish_entry_sub));
      box.appendChild(w);
    }
    box.hidden = !box.childNodes.length;
  }

  function renderStart() {
    var t = target();
    var win = state.window || (chosen && chosen.window) || null;
    renderMember(t.card, win);
    var banner = $("prompt-banner");
    banner.hidden = !state.prompt;
    if (state.prompt) {
      var line = state.prompt.case_no ? T.case_no + " " + state.prompt.case_no : "";
      if (state.prompt.service_item) line = (line ? line + " · " : "") + state.prompt.service_item;
      $("prompt-case").textContent = line;
    }
    // A prompt's own single-use code replaces the standing phone code while it is open. A floor
    // kiosk's standing code opens a phone page where the citizen picks the window and the member.
    setSvg($("phone-qr"), state.prompt ? state.prompt.qr_svg : state.phone.qr_svg);
    $("staff-btn").hidden = state.mode !== "window";
  }

  function applyState(next, fromCache) {
    if (!next || (next.version <= version && !fromCache)) return;
    version = next.version;
    state = next;
    if (state.timezone) zone = state.timezone;
    if (!fromCache) learnTime(state.server_time);
    tick();
    if (!fromCache) { try { localStorage.setItem(STATE_KEY, JSON.stringify(next)); } catch (e) { /* full */ } }
    $("hall-name").textContent = state.hall_name || T.kiosk;
    var label = $("window-label");
    label.hidden = !state.window;
    if (state.window) label.textContent = T.window_n.replace("%(n)s", state.window.number) + " " + state.window.name;
    setSvg($("floor-phone-qr"), state.phone ? state.phone.qr_svg : "");  // the floor kiosk's pick screen
    renderEntries($("entries"));
    renderEntries($("floor-entries"));
    if (current === "wait") home();
    else if (current === "start") {
      var members = state.mode === "window" ? (state.members || []) : null;
      // The member picked here went off duty meanwhile, or a second member came on duty while
      // the start screen showed the only one: start again from who is serving now.
      if (members && chosen && !members.some(function (m) { return m.id === chosen.staff_id; })) home();
      else if (members && !chosen && !state.prompt && members.length > 1) home();
      else renderStart();
    } else if (current === "floor" && state.mode === "window" && !chosen) home();
    if (state.prompt && !fromCache) say(T.speak_rate);
  }

  function home() {
    chosen = null;
    pending = null;
    if (!state) { show("wait"); return; }
    if (state.mode === "floor" && !state.prompt) { renderWindows(); return; }
    if (state.mode === "window" && !state.prompt && (state.members || []).length > 1) { renderServed(); return; }
    renderStart();
    show("start");
  }

  // A window with two members on duty: the citizen first taps the one who served them, so the
  // rating lands on that member and not on a colleague.
  function renderServed() {
    $("floor-title").textContent = T.pick_member;
    $("floor-back").hidden = true;
    $("floor-staff-btn").hidden = false;  // the members ask for a rating from here too
    var tiles = $("tiles");
    tiles.className = "tiles served";
    tiles.textContent = "";
    state.members.forEach(function (m) {
      var b = el("button", "tile member");
      b.dataset.staffId = m.id;
      b.appendChild(photo(m));
      b.appendChild(el("strong", "", m.name));
      if (m.title) b.appendChild(el("span", "", m.title));
      b.addEventListener("click", function () { pickTarget({ staff_id: m.id, window_id: state.window.id, card: m, window: state.window }); });
      tiles.appendChild(b);
    });
    show("floor");
  }

  // ---- the floor kiosk: window, then member ------------------------------------------------------
  function renderWindows() {
    $("floor-title").textContent = T.pick_window;
    $("floor-back").hidden = true;
    $("floor-staff-btn").hidden = true;
    var tiles = $("tiles");
    tiles.className = "tiles";
    tiles.textContent = "";
    state.windows.forEach(function (w) {
      var b = el("button", "tile");
      b.appendChild(el("span", "num", w.number));
      b.appendChild(el("span", "", w.name));
      b.addEventListener("click", function () { renderMembers(w); });
      tiles.appendChild(b);
    });
    show("floor");
  }
  function renderMembers(w) {
    $("floor-title").textContent = T.pick_member;
    $("floor-back").hidden = false;
    var tiles = $("tiles");
    tiles.className = "tiles";
    tiles.textContent = "";
    w.members.forEach(function (m) {
      var b = el("button", "tile");
      b.appendChild(photo(m));
      b.appendChild(el("strong", "", m.name));
      if (m.title) b.appendChild(el("span", "", m.title));
      b.addEventListener("click", function () { pickTarget({ staff_id: m.id, window_id: w.id, card: m, window: w }); });
      tiles.appendChild(b);
    });
    var all = el("button", "tile");
    all.appendChild(el("span", "num", w.number));
    all.appendChild(el("strong", "", T.rate_window));
    all.addEventListener("click", function () { pickTarget({ staff_id: null, window_id: w.id, card: null, window: w }); });
    tiles.appendChild(all);
    show("floor", home);
  }
  function pickTarget(t) {
    chosen = t;
    renderStart();
    show("start", home);
    say(T.speak_rate);
  }
  $("floor-back").addEventListener("click", renderWindows);
  $("floor-suggest").addEventListener("click", openSuggest);

  // ---- rating ------------------------------------------------------------------------------------
  var faces = {};
  document.querySelectorAll(".level").forEach(function (b) {
    faces[b.dataset.score] = b.querySelector("svg").outerHTML;
    b.addEventListener("click", function () { choose(Number(b.dataset.score)); });
  });

  function choose(score) {
    if (!state) return;
    var t = target();
    pending = { score: score, staff_id: t.staff_id, window_id: t.window_id, rated_at: new Date().toISOString(),
                prompt: state.prompt ? state.prompt.token : null };
    if (score <= 2) {
      $("picked-face").innerHTML = faces[score];
      $("picked-face").style.background = getComputedStyle(document.querySelector('.level[data-score="' + score + '"]')).backgroundColor;
      $("picked-label").textContent = T.scores[String(score)];
      document.querySelectorAll("#chips .chip").forEach(function (c) { c.setAttribute("aria-pressed", "false"); });
      $("comment").value = "";
      $("reasons-send").disabled = true;
      show("reasons", function () { finish([]); });  // walked away: the score still counts
      say(T.why);
      return;
    }
    finish([]);
  }

  document.querySelectorAll("#chips .chip").forEach(function (c) {
    c.addEventListener("click", function () {
      c.setAttribute("aria-pressed", c.getAttribute("aria-pressed") === "true" ? "false" : "true");
      $("reasons-send").disabled = !document.querySelector('#chips .chip[aria-pressed="true"]');
    });
  });
  $("reasons-send").addEventListener("click", function () {
    var reasons = Array.prototype.map.call(document.querySelectorAll('#chips .chip[aria-pressed="true"]'), function (c) { return c.dataset.reason; });
    finish(reasons, $("comment").value.trim().slice(0, 500));
  });
  $("reasons-back").addEventListener("click", function () { pending = null; backToStart(); });

  function backToStart() {
    if (chosen) { renderStart(); show("start", home); } else { home(); }
  }

  function finish(reasons, comment) {
    if (!pending) { home(); return; }
    var body = { id: uuid(), score: pending.score, channel: "kiosk", kiosk_token: token,
                 reasons: reasons || [], comment: comment || "", rated_at: pending.rated_at };
    if (pending.staff_id) body.staff_id = pending.staff_id;
    if (pending.window_id && state.mode === "floor") body.window_id = pending.window_id;
    if (pending.prompt) { body.qr_token = pending.prompt; state.prompt = null; }
    pending = null;
    enqueue(body);
    show("thanks", home);
    say(T.speak_thanks);
  }
  $("thanks-done").addEventListener("click", home);

  // ---- the outbox (IndexedDB) ---------------------------------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open("lbp-kiosk", 1);
    req.onupgradeneeded = function () { req.result.createObjectStore("outbox", { keyPath: "id" }); };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
  function store(mode, fn) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("outbox", mode);
        var result = fn(tx.objectStore("outbox"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function enqueue(body) {
    return store("readwrite", function (s) { return s.put(body); }).then(countQueue).then(flush);
  }
  function countQueue() {
    return store("readonly", function (s) { return s.count(); }).then(function (n) {
      var changed = n !== queueLength;
      queueLength = n;
      paintNet();
      if (changed) heartbeat();
    });
  }

  var flushing = false, holdUntil = 0;
  function flush() {
    if (flushing || Date.now() < holdUntil) return Promise.resolve();
    flushing = true;
    return store("readonly", function (s) { return s.getAll(); }).then(function (items) {
      items.sort(function (a, b) { return a.rated_at < b.rated_at ? -1 : 1; });
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (go) { return go ? send(item) : false; });
      });
      return chain;
    }).catch(function () {}).then(function () { flushing = false; return countQueue(); });
  }
  function send(item) {
    // Sent with the token this kiosk holds now: ratings taken before it was revoked and paired
    // again are uploaded under its new pairing rather than lost.
    var body = Object.assign({}, item, { kiosk_token: token });
    return fetch("/api/v1/ratings", { method: "POST", headers: { "Content-Type": "application/json" },
                                      body: JSON.stringify(body), credentials: "omit", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) {
          // The kiosk was deleted or disabled: keep the rating, stop taking new ones, go and pair.
          return r.json().catch(function () { return {}; }).then(function (d) {
            if (d && d.error && d.error.code === "invalid_kiosk_token") revoked();
            return false;
          });
        }
        if (r.ok || (r.status >= 400 && r.status < 500 && [401, 403, 408, 429].indexOf(r.status) < 0)) {
          // Stored (2xx), or refused for good (a used prompt, an invalid field): done with it.
          return store("readwrite", function (s) { return s.delete(item.id); }).then(function () { setOnline(true); return true; });
        }
        if (r.status === 429) holdUntil = Date.now() + 1000 * Number(r.headers.get("Retry-After") || 5);
        return false;
      }, function () { setOnline(false); return false; });
  }
  setInterval(function () { if (queueLength) flush(); }, 5000);
  window.addEventListener("online", function () { flush(); });

  // ---- connection -----------------------------------------------------------------------------------
  function paintNet() {
    var net = $("net");
    net.classList.toggle("off", !online);
    var text = online ? T.online : T.offline;
    if (queueLength) text += " · " + fmt(T.queued, queueLength);
    $("net-text").textContent = text;
  }
  function setOnline(value) { if (online !== value) { online = value; paintNet(); } }

  // Deleted or disabled in the console: forget the token and the content, keep the outbox, and
  // go back to the pairing page (it says how many ratings wait).
  var socket = null;
  function revoked() {
    if (socket) socket.disconnect();
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(STATE_KEY);
    if (localStorage.getItem("lbp_kiosk_paired") === String(KIOSK_ID)) localStorage.removeItem("lbp_kiosk_paired");
    location.replace("/kiosk/");
  }

  if (!token) { revoked(); return; }

  var cached = localStorage.getItem(STATE_KEY);
  if (cached) { try { applyState(JSON.parse(cached), true); } catch (e) { /* ignore */ } }

  socket = io("/kiosk", { auth: { token: token }, reconnectionDelayMax: 10000 });
  socket.on("connect", function () { setOnline(true); heartbeat(); flush(); });
  socket.on("disconnect", function () { setOnline(false); });
  socket.on("connect_error", function (err) {
    setOnline(false);
    if (err && /invalid kiosk token/.test(err.message || "")) revoked();
    // Refused for reconnecting too often (kiosk/events.py): Socket.IO gives up, so try again later.
    else if (err && err.message === "too_many_requests") {
      setTimeout(function () { socket.connect(); }, 1000 * ((err.data && Number(err.data.retry_after)) || 5));
    }
  });
  socket.on("revoked", revoked);
  socket.on("state", function (s) { applyState(s, false); });

  function heartbeat() {
    if (socket && socket.connected) socket.emit("heartbeat", { queue_length: queueLength }, function (ack) {
      if (ack && ack.server_time) { learnTime(ack.server_time); tick(); }
    });
  }
  setInterval(heartbeat, 20000);
  // A fresh standing phone code now and then (each is valid for 20 minutes).
  setInterval(function () { if (socket.connected && (current === "start" || current === "floor")) socket.emit("refresh"); }, 5 * 60 * 1000);
  countQueue();

  // ---- staff: ask for one rating -----------------------------------------------------------------------
  var dialog = $("staff-dialog"), asking = null;
  function renderAskers() {
    // Two members on duty: the one asking taps their own name, so the prompt shows them.
    var box = $("staff-members");
    box.textContent = "";
    var members = (state && state.members) || [];
    asking = members.length === 1 ? members[0].id : null;
    box.hidden = members.length < 2;
    members.forEach(function (m) {
      var c = el("button", "chip", m.name);
      c.setAttribute("aria-pressed", "false");
      c.dataset.staffId = m.id;
      c.addEventListener("click", function () {
        asking = m.id;
        box.querySelectorAll(".chip").forEach(function (o) { o.setAttribute("aria-pressed", o === c ? "true" : "false"); });
      });
      box.appendChild(c);
    });
  }
  function openStaff() { $("case-no").value = ""; renderAskers(); dialog.showModal(); }
  $("staff-btn").addEventListener("click", openStaff);
  $("floor-staff-btn").addEventListener("click", openStaff);
  $("staff-cancel").addEventListener("click", function () { dialog.close(); });
  $("prompt-start").addEventListener("click", function () {
    var members = (state && state.members) || [];
    if (members.length > 1 && !asking) { alert(T.tap_your_name); return; }
    var data = { case_no: $("case-no").value.trim().slice(0, 64) };
    if (asking) data.staff_id = asking;
    socket.emit("start_prompt", data, function (ack) {
      dialog.close();
      if (!ack || !ack.ok) alert(T.no_member_on_duty);
    });
  });
  $("prompt-cancel").addEventListener("click", function () { socket.emit("cancel_prompt", {}, function () { dialog.close(); }); });

  // ---- suggestion box ------------------------------------------------------------------------------------
  var kind = "suggestion";
  document.querySelectorAll("#kinds .chip").forEach(function (c) {
    c.addEventListener("click", function () {
      kind = c.dataset.kind;
      document.querySelectorAll("#kinds .chip").forEach(function (o) { o.setAttribute("aria-pressed", o === c ? "true" : "false"); });
    });
  });
  function openSuggest() {
    $("suggest-text").value = ""; $("suggest-contact").value = ""; $("suggest-error").hidden = true;
    $("suggest-send").disabled = true;
    show("suggest", home);
  }
  $("open-suggest").addEventListener("click", openSuggest);
  $("suggest-text").addEventListener("input", function () { $("suggest-send").disabled = !$("suggest-text").value.trim(); });
  $("suggest-back").addEventListener("click", backToStart);
  $("suggest-send").addEventListener("click", function () {
    var t = state ? target() : {};
    var body = { kind: kind, text: $("suggest-text").value.trim().slice(0, 1000), channel: "kiosk", kiosk_token: token };
    var contact = $("suggest-contact").value.trim();
    if (contact) body.contact = contact;
    if (t.staff_id) body.staff_id = t.staff_id;
    if (t.window_id) body.window_id = t.window_id;
    $("suggest-send").disabled = true;
    fetch("/api/v1/suggestions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit" })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        if (!res.ok) { throw new Error(res.data && res.data.error ? res.data.error.message : T.error); }
        $("receipt-code").textContent = res.data.receipt;
        var url = location.origin + "/s/" + res.data.receipt;
        if (window.qrcode) { var qr = qrcode(0, "M"); qr.addData(url); qr.make(); $("receipt-qr").innerHTML = qr.createSvgTag({ cellSize: 6, margin: 2, scalable: true }); }
        show("receipt", home);
      })
      .catch(function (e) {
        $("suggest-error").textContent = (e && e.message && e.message !== "Failed to fetch") ? e.message : T.offline_suggest;
        $("suggest-error").hidden = false;
        $("suggest-send").disabled = false;
      });
  });
  $("receipt-done").addEventListener("click", home);
})();
