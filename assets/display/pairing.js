/* A fresh screen's pairing page: show a code, renew it before it expires, collect the token.
 * Protocol: docs/SCREENS.md ("Pairing"). The secret never leaves this page except to collect. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("lbp-config").textContent);
  var AUTH_KEY = "lbp.display.auth";
  var codeEl = document.getElementById("pairing-code");
  var statusEl = document.getElementById("pairing-status");
  var current = null;      // {code, secret, renewAt}
  var timer = null;

  function stored() {
    try {
      var auth = JSON.parse(localStorage.getItem(AUTH_KEY) || "null");
      return auth && auth.token && auth.id ? auth : null;
    } catch (e) {
      return null;
    }
  }

  var known = stored();
  if (known) {
    location.replace(cfg.screenUrl + encodeURIComponent(known.id));
    return;
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.swUrl, {scope: "/display/"}).catch(function () {});
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body || {}),
      credentials: "omit",
      cache: "no-store"
    });
  }

  function show(code) {
    codeEl.textContent = code;
    codeEl.setAttribute("data-code", code);
  }

  function status(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }

  function schedule(fn, ms) {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  }

  function openCode() {
    post(cfg.openUrl).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (data) {
      // Renew a minute early (server time differs from ours, so go by expires_in, not expires_at).
      var lifetime = Math.max(30, (data.expires_in || 900) - 60);
      current = {code: data.code, secret: data.secret, renewAt: Date.now() + lifetime * 1000};
      show(data.code);
      status(cfg.labels.pairing_expires, false);
      schedule(collect, 2000);
    }).catch(function () {
      status(cfg.labels.pairing_offline, true);
      schedule(openCode, 5000);
    });
  }

  function collect() {
    if (!current || Date.now() >= current.renewAt) {
      openCode();
      return;
    }
    post(cfg.collectUrl, {code: current.code, secret: current.secret}).then(function (r) {
      if (r.status === 200) {
        return r.json().then(function (data) {
          localStorage.setItem(AUTH_KEY, JSON.stringify({id: data.id, token: data.token}));
          status(cfg.labels.pairing_done, false);
          location.replace(cfg.screenUrl + encodeURIComponent(data.id));
        });
      }
      if (r.status === 404) {
        openCode();
        return;
      }
      if (r.status === 202) status(cfg.labels.pairing_expires, false);
      schedule(collect, r.status === 429 ? 5000 : 2000);
    }).catch(function () {
      status(cfg.labels.pairing_offline, true);
      schedule(collect, 3000);
    });
  }

  openCode();
})();
