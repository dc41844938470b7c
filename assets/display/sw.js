/* Service worker for screen pages (served at /display/sw.js, scope /display/).
 *
 * A screen must never go blank: when the server is down, a reload still gets the page shell
 * from here and the page draws its last state from localStorage.
 *  - pages under /display/: network first (a fresh page when the server answers), cache on failure;
 *  - /assets/...?v=<hash> (JS, CSS, fonts) and /media/photos/<id>-<hash>.jpg: cache first, their
 *    names change when their content does;
 *  - everything else (Socket.IO, pairing, API) goes straight to the network.
 */
"use strict";

var PAGES = "lbp-display-pages-v1";
var FILES = "lbp-display-files-v1";
var KEEP = [PAGES, FILES];
var MAX_FILES = 400;
var PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("lbp-display-") === 0 && KEEP.indexOf(n) < 0;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function isFile(url) {
  return (url.pathname.indexOf("/assets/") === 0) || (url.pathname.indexOf("/media/photos/") === 0);
}

function isPage(request, url) {
  return request.mode === "navigate" && url.pathname.indexOf("/display/") === 0 &&
    url.pathname !== "/display/sw.js";
}

function pageKey(url) {
  // One copy per page, whatever its query (?slide=...) or fragment.
  return url.origin + url.pathname;
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    var extra = keys.length - MAX_FILES;
    return Promise.all(keys.slice(0, Math.max(0, extra)).map(function (k) { return cache.delete(k); }));
  });
}

function networkFirst(request, url) {
  var key = pageKey(url);
  var timeout;
  var network = fetch(request).then(function (response) {
    clearTimeout(timeout);
    if (response.ok) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(key, copy); });
    }
    return response;
  });
  var fallback = new Promise(function (resolve, reject) {
    network.catch(reject);
    timeout = setTimeout(function () { reject(new Error("slow")); }, PAGE_TIMEOUT_MS);
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(key); }).then(function (hit) {
      return hit || network;
    });
  });
  return Promise.race([network.catch(function () { return fallback; }), fallback]);
}

function cacheFirst(request) {
  return caches.open(FILES).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone()).then(function () { return trim(cache); });
        }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isPage(request, url)) {
    event.respondWith(networkFirst(request, url));
  } else if (isFile(url)) {
    event.respondWith(cacheFirst(request));
  }
});

/* The page tells us what to keep: its own address and shell (fetched before this worker
 * controlled it), and member photos as new states arrive. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache") return;
  var urls = (data.files || []).filter(function (u) { return typeof u === "string"; }).slice(0, 200);
  var page = typeof data.page === "string" ? new URL(data.page, self.location.origin) : null;
  event.waitUntil(Promise.all([
    page && page.origin === self.location.origin ? fetch(page.href, {credentials: "same-origin"}).then(function (r) {
      if (r.ok) return caches.open(PAGES).then(function (c) { return c.put(pageKey(page), r); });
    }).catch(function () {}) : null,
    caches.open(FILES).then(function (cache) {
      return Promise.all(urls.map(function (u) {
        return cache.match(u).then(function (hit) {
          if (hit) return null;
          return fetch(u).then(function (r) { if (r.ok) return cache.put(u, r); }).catch(function () {});
        });
      })).then(function () { return trim(cache); });
    })
  ]));
});
