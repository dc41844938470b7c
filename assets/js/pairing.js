/* A fresh screen's or kiosk's pairing page: show a code, renew it before it expires, collect the
 * device's token once an administrator has claimed the code. One flow for both (admin/public.py,
 * docs/SCREENS.md "Pairing"); the secret never leaves this page except to collect.
 *
 * The page's config (#lbp-config): kind ("screen" | "kiosk"), openUrl, collectUrl, deviceUrl (the
 * device page's address without its id), labels {expires, offline, done, waiting}, swUrl (screens). */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("lbp-config").textContent);
  var L = cfg.labels;
  var codeEl = document.getElementById("pairing-code");
  var statusEl = document.getElementById("pairing-status");
  var current = null;      // {code, secret, renewAt}
  var timer = null;

  // Where each kind of device keeps its token (the device pages read it from there).
  var KEEP = {
    screen: {
      known: function () {
        try {
          var auth = JSON.parse(localStorage.getItem("lbp.display.auth") || "null");
          return auth && auth.token && auth.id ? auth.id : null;
        } catch (e) { return null; }
      },
      keep: function (data) { localStorage.setItem("lbp.display.auth", JSON.stringify({id: data.id, token: data.token})); }
    },
    kiosk: {
      known: function () {
        var id = localStorage.getItem("lbp_kiosk_paired");
        return id && localStorage.getItem("lbp_kiosk_token_" + id) ? id : null;
      },
      keep: function (data) {
        localStorage.setItem("lbp_kiosk_token_" + data.id, data.token);
        localStorage.setItem("lbp_kiosk_paired", String(data.id));
      }
    }
  }[cfg.kind];

  var known = KEEP.known();
  if (known) {
    location.replace(cfg.deviceUrl + encodeURIComponent(known));
    return;
  }

  if (cfg.swUrl && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.swUrl, {scope: "/display/"}).catch(function () {});
  }

  // A kiosk cut off while offline still holds the ratings it took (IndexedDB): say how many, so
  // nobody wipes the tablet; the kiosk page uploads them once it is paired again.
  if (cfg.kind === "kiosk" && L.waiting && window.indexedDB) {
    try {
      var req = indexedDB.open("lbp-kiosk", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("outbox", {keyPath: "id"}); };
      req.onsuccess = function () {
        var count = req.result.transaction("outbox", "readonly").objectStore("outbox").count();
        count.onsuccess = function () {
          var box = document.getElementById("pair-waiting");
          box.hidden = !count.result;
          box.textContent = String(L.waiting).replace("%(n)s", count.result);
        };
      };
    } catch (e) { /* no IndexedDB: nothing can wait either */ }
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
      status(L.expires, false);
      schedule(collect, 2000);
    }).catch(function () {
      status(L.offline, true);
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
          KEEP.keep(data);
          status(L.done, false);
          location.replace(cfg.deviceUrl + encodeURIComponent(data.id));
        });
      }
      if (r.status === 404) {
        openCode();
        return;
      }
      if (r.status === 202) status(L.expires, false);
      schedule(collect, r.status === 429 ? 5000 : 2000);
    }).catch(function () {
      status(L.offline, true);
      schedule(collect, 3000);
    });
  }

  openCode();
})();
