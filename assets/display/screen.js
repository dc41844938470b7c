/* A lobby or window screen: draws what the server pushes over Socket.IO (docs/SCREENS.md).
 *
 * - never blank: the last applied state lives in localStorage and the service worker keeps the
 *   page shell, so a reload while the server is down still shows the last content;
 * - never trusts data as markup: every text goes in through textContent;
 * - heals itself: at a slide boundary it reloads when its heap grows too large, or once a day.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("lbp-config").textContent);
  var L = cfg.labels || {};
  var AUTH_KEY = "lbp.display.auth";
  var STATE_KEY = "lbp.display.state." + cfg.screenId;
  // Self-healing bounds (kept in an object so that tests can lower them).
  var heal = {
    heapLimit: 300 * 1024 * 1024,       // bytes of JS heap in use
    nightAfterMs: 20 * 3600 * 1000,     // from 20 h uptime, reload in the small hours...
    maxUptimeMs: 30 * 3600 * 1000       // ...and after 30 h whatever the hour
  };
  var STALE_AFTER_MS = 60 * 1000;          // "最后更新" shows after this long without a connection
  var HEARTBEAT_MS = 30 * 1000;
  var IDENTIFY_MS = 10 * 1000;
  // A slide's duration is shared by its pages, but no page is shown for less than this.
  var PER_PAGE_MIN_S = 10;
  // How long a page's timer runs, as a share of its duration: 1 on a hall's screen. Only a script in
  // the page can change it (bench/screen_soak.py turns a day of rotation into minutes this way).
  var pace = {scale: 1};
  var startedAt = Date.now();
  // From the address itself: an offline reload gets the cached page, whose config came from another query.
  var pinnedSlide = new URLSearchParams(location.search).get("slide") || cfg.pinnedSlide || null;

  var stage = document.getElementById("stage");
  var urgentEl = document.getElementById("urgent");
  var identifyEl = document.getElementById("identify");
  var staleEl = document.getElementById("stale");

  /* ---------------------------------------------------------------- token and stored state */

  function readJSON(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function writeJSON(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* quota: the screen still shows what it has */ }
  }

  if (location.hash.indexOf("#token=") === 0) {
    // A screen created through the API is opened once as /display/<id>#token=...; keep the token
    // and take it out of the address bar (the fragment never reaches the server).
    writeJSON(AUTH_KEY, {id: cfg.screenId, token: decodeURIComponent(location.hash.slice(7))});
    history.replaceState(null, "", location.pathname + location.search);
  }
  var auth = readJSON(AUTH_KEY);
  if (!auth || !auth.token) {
    location.replace(cfg.pairingUrl);
    return;
  }
  if (String(auth.id) !== String(cfg.screenId)) {
    location.replace(cfg.pairingUrl + encodeURIComponent(auth.id) + location.search);
    return;
  }

  function forget() {
    try {
      localStorage.removeItem(AUTH_KEY);
      localStorage.removeItem(STATE_KEY);
    } catch (e) { /* nothing to keep */ }
    location.replace(cfg.pairingUrl);
  }

  var saved = readJSON(STATE_KEY) || {};
  var model = {
    version: typeof saved.version === "number" ? saved.version : -1,
    sections: saved.sections || null,
    appliedAt: saved.appliedAt || null,
    screen: saved.screen || null
  };

  function persist() {
    writeJSON(STATE_KEY, {version: model.version, sections: model.sections, appliedAt: model.appliedAt,
      screen: model.screen});
  }

  /* ---------------------------------------------------------------- service worker */

  function toWorker(message) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage(message);
    }).catch(function () {});
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.swUrl, {scope: "/display/"}).catch(function () {});
    toWorker({type: "cache", page: location.pathname, files: cfg.shell || []});
  }

  function cachePhotos() {
    var s = model.sections || {};
    var urls = [];
    [].concat(s.members || [], s.all_members || []).forEach(function (m) {
      if (m && typeof m.photo_url === "string" && urls.indexOf(m.photo_url) < 0) urls.push(m.photo_url);
    });
    if (urls.length) toWorker({type: "cache", files: urls});
  }

  /* ---------------------------------------------------------------- small DOM helpers */

  var el = window.lbpDom.el, add = window.lbpDom.add, photo = window.lbpDom.photo;

  function list(items) {
    return Array.isArray(items) ? items : [];
  }

  function str(value) {
    return typeof value === "string" ? value : (value === null || value === undefined ? "" : String(value));
  }

  function chunk(items, size) {
    var pages = [];
    for (var i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
    return pages.length ? pages : [[]];
  }

  function isPortrait() {
    return window.innerHeight > window.innerWidth * 1.1;
  }

  function zone() {
    var hall = (model.sections || {}).hall || {};
    return hall.timezone || "Asia/Shanghai";
  }

  function fmt(date, options) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || "zh-CN",
        Object.assign({timeZone: zone()}, options)).format(date);
    } catch (e) {
      return new Intl.DateTimeFormat("zh-CN", options).format(date);
    }
  }

  function hhmm(date) {
    return fmt(date, {hour: "2-digit", minute: "2-digit", hour12: false});
  }

  function day(iso) {
    if (!iso) return "";
    var parts = String(iso).slice(0, 10).split("-");
    if (parts.length !== 3) return str(iso);
    return parts[0] + "." + parts[1] + "." + parts[2];
  }

  /* A moment (ISO with an offset) as a date in the hall's zone. */
  function dayInZone(iso) {
    var when = new Date(iso);
    if (!iso || isNaN(when.getTime())) return day(iso);
    return fmt(when, {year: "numeric", month: "2-digit", day: "2-digit"});
  }

  function partyMark(small) {
    var mark = el("span", "party-mark" + (small ? " small" : ""));
    add(mark, el("span", "party-star"), el("span", "party-text", L.party_member));
    return mark;
  }

  function badges(member) {
    var box = el("div", "badges");
    list(member.designations).forEach(function (d) { add(box, el("span", "badge", d)); });
    return box.childNodes.length ? box : null;
  }

  function membersById() {
    var s = model.sections || {};
    var byId = {};
    [].concat(list(s.all_members), list(s.members)).forEach(function (m) { if (m) byId[m.id] = m; });
    return byId;
  }

  /* Shrink the text inside a box until it fits (long standards, long notices). */
  function fit(box, minScale) {
    if (!box) return;
    var scale = 1;
    var floor = minScale || 0.55;
    box.style.fontSize = "";
    var base = parseFloat(getComputedStyle(box).fontSize) || 16;
    while ((box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) && scale > floor) {
      scale -= 0.05;
      box.style.fontSize = (base * scale) + "px";
    }
  }

  /* ---------------------------------------------------------------- slides */

  function hallFrame(kind, body, pageIndex, pageCount) {
    var s = model.sections || {};
    var hall = s.hall || {};
    var frame = el("section", "slide hall-slide kind-" + kind);
    var head = el("header", "slide-head");
    var brand = el("div", "brand");
    add(brand, el("span", "emblem"), el("span", "hall-name", hall.name));
    var clock = el("div", "clock");
    add(clock, el("span", "clock-date", fmt(new Date(), {month: "long", day: "numeric", weekday: "long"})),
      el("span", "clock-time", hhmm(new Date())));
    // The campaign slide says its own name large; its header and footer stay quiet.
    add(head, brand, el("h1", "slide-title", kind === "banner" ? "" : (L[kind] || kind)), clock);
    var foot = el("footer", "slide-foot");
    if (kind !== "banner") add(foot, el("span", "foot-banner", hall.banner || L.campaign));
    if (kind !== "banner" && s.phase) add(foot, phaseChip(s.phase));
    if (pageCount > 1 && pageCount <= 8) {
      var dots = el("span", "dots");
      for (var i = 0; i < pageCount; i++) add(dots, el("i", i === pageIndex ? "on" : ""));
      add(foot, dots);
    } else if (pageCount > 8) {
      add(foot, el("span", "page-count", (pageIndex + 1) + " / " + pageCount));
    }
    add(frame, head, add(el("div", "slide-body"), body), foot);
    return frame;
  }

  // The campaign phase the hall is in: its stage, name and the days left.
  function phaseChip(phase) {
    var chip = el("span", "phase-chip");
    chip.setAttribute("data-phase", String(phase.id));
    add(chip, el("span", "phase-label", L.phase), el("span", "phase-stage", phase.stage_label || ""),
      el("span", "phase-name", phase.name),
      el("span", "phase-left", str(L.days_left).replace("{n}", String(phase.days_left))));
    return chip;
  }

  function identityGrid(count, portrait) {
    if (portrait) {
      if (count <= 2) return [1, 2, 1.55];
      if (count <= 4) return [1, 4, 1.3];
      if (count <= 6) return [2, 3, 1.05];
      if (count <= 8) return [2, 4, 1.0];
      return [2, 6, 0.92];
    }
    if (count <= 2) return [2, 1, 1.6];
    if (count <= 4) return [2, 2, 1.35];
    if (count <= 6) return [3, 2, 1.2];
    if (count <= 9) return [3, 3, 1.0];
    return [4, 3, 0.95];
  }

  function memberCard(m) {
    var card = el("article", "member-card" + (m.is_party_member ? " party" : ""));
    var text = el("div", "member-text");
    var nameRow = el("div", "name-row");
    add(nameRow, el("span", "member-name", m.name), m.is_party_member ? partyMark(true) : null);
    add(text, nameRow, el("div", "member-post", m.title), el("div", "member-window", m.window || m.department),
      badges(m));
    add(card, photo(m), text);
    card.setAttribute("data-member", String(m.id));
    return card;
  }

  var slideKinds = {
    identity_wall: {
      pages: function (s) {
        var members = list(s.members);
        var grid = identityGrid(members.length, isPortrait());
        return chunk(members, grid[0] * grid[1]);
      },
      has: function (s) { return list(s.members).length > 0; },
      render: function (s, page) {
        var grid = identityGrid(list(s.members).length, isPortrait());
        var box = el("div", "identity-grid");
        box.style.gridTemplateColumns = "repeat(" + grid[0] + ", minmax(0, 1fr))";
        box.style.gridTemplateRows = "repeat(" + grid[1] + ", minmax(0, 1fr))";
        box.style.fontSize = grid[2] + "rem";
        page.forEach(function (m) { add(box, memberCard(m)); });
        return box;
      }
    },

    member_spotlight: {
      pages: function (s) {
        var members = list(s.members);
        if (!members.length) return [[]];
        return [[members[rotation.spotlight % members.length]]];
      },
      has: function (s) { return list(s.members).length > 0; },
      render: function (s, page) {
        var m = page[0] || {};
        var box = el("div", "spotlight" + (m.is_party_member ? " party" : ""));
        var text = el("div", "spotlight-text");
        var nameRow = el("div", "name-row");
        add(nameRow, el("span", "spot-name", m.name), m.is_party_member ? partyMark(false) : null);
        add(text, nameRow, el("div", "spot-post", m.title));
        var where = [m.department, m.window].filter(Boolean).join(" · ");
        add(text, el("div", "spot-where", where));
        if (m.party_post) add(text, el("div", "spot-party-post", m.party_post));
        add(text, badges(m));
        if (m.duties) {
          var duties = el("div", "spot-block");
          add(duties, el("div", "spot-label", L.duties), el("p", "spot-duties", m.duties));
          add(text, duties);
        }
        var pledge = list(s.pledges).filter(function (p) { return p.staff_id === m.id; })[0];
        if (pledge) {
          var quote = el("blockquote", "spot-pledge");
          add(quote, el("div", "spot-label", L.pledge), el("p", "", pledge.text));
          add(text, quote);
        }
        var honors = list(s.honors).filter(function (h) { return h.staff_id === m.id; }).slice(0, 3);
        if (honors.length) {
          var hb = el("div", "spot-honors");
          honors.forEach(function (h) { add(hb, el("span", "honor-chip", h.title)); });
          add(text, hb);
        }
        add(box, photo(m, "large"), text);
        return box;
      },
      after: function (node) { fit(node.querySelector(".spotlight-text"), 0.6); }
    },

    standards: {
      items: function (s, options) {
        var items = list(s.standards).filter(function (x) { return x.kind !== "hall_rule"; });
        if (options && options.window_id) {
          items = items.filter(function (x) { return list(x.window_ids).indexOf(options.window_id) >= 0; });
        }
        if (options && options.department_id) {
          items = items.filter(function (x) { return x.department_id === options.department_id; });
        }
        if (options && options.department) {
          items = items.filter(function (x) { return x.department === options.department; });
        }
        return items;
      },
      pages: function (s, options) {
        var pages = [];
        this.items(s, options).forEach(function (item) {
          var last = pages[pages.length - 1];
          if (last && last.length === 1 && weight(last[0]) <= LIGHT_ITEM && weight(item) <= LIGHT_ITEM) {
            last.push(item);
          } else {
            pages.push([item]);
          }
        });
        return pages.length ? pages : [[]];
      },
      has: function (s, options) { return this.items(s, options).length > 0; },
      render: function (s, page) {
        var box = el("div", "standards");
        var single = page.length === 1;
        var row = el("div", "standard-row" + (single ? " single" : ""));
        var windows = {};
        list(s.windows).forEach(function (w) { windows[w.id] = w; });
        page.forEach(function (item) { add(row, standardCard(item, windows, single && !isPortrait())); });
        add(box, row, hallRules(s));
        return box;
      },
      after: function (node) {
        var cards = node.querySelectorAll(".standard-card");
        for (var i = 0; i < cards.length; i++) fit(cards[i], 0.5);
      }
    },

    pledges: {
      pages: function (s) {
        var members = list(s.pledges).filter(function (p) { return p.staff_id; });
        var per = isPortrait() ? 4 : 6;
        return chunk(members, per);
      },
      has: function (s) { return list(s.pledges).length > 0; },
      render: function (s, page) {
        var box = el("div", "pledges");
        var org = list(s.pledges).filter(function (p) { return !p.staff_id; });
        if (org.length) {
          var orgBox = el("div", "org-pledge");
          add(orgBox, el("div", "org-pledge-head", L.org_pledge));
          org.slice(0, 2).forEach(function (p) { add(orgBox, el("p", "org-pledge-text", p.text)); });
          add(box, orgBox);
        }
        if (page.length) {
          var byId = membersById();
          var grid = el("div", "pledge-grid");
          page.forEach(function (p) {
            var m = byId[p.staff_id] || {name: p.by};
            var card = el("article", "pledge-card");
            var who = el("div", "pledge-who");
            add(who, photo(m, "small"), add(el("div", "pledge-who-text"),
              add(el("div", "name-row"), el("span", "pledge-name", p.by || m.name), m.is_party_member ? partyMark(true) : null),
              el("div", "pledge-post", [m.title, m.window].filter(Boolean).join(" · "))));
            add(card, who, el("p", "pledge-text", p.text));
            add(grid, card);
          });
          add(box, grid);
        }
        return box;
      },
      after: function (node) {
        fit(node.querySelector(".org-pledge"), 0.6);
        var cards = node.querySelectorAll(".pledge-card");
        for (var i = 0; i < cards.length; i++) fit(cards[i], 0.6);
      }
    },

    honor_board: {
      pages: function (s) { return chunk(list(s.honors), isPortrait() ? 6 : 8); },
      has: function (s) { return list(s.honors).length > 0; },
      render: function (s, page) {
        var byId = membersById();
        var box = el("div", "honor-grid" + (page.length <= 4 ? " roomy" : ""));
        page.forEach(function (h) {
          var card = el("article", "honor-card");
          var m = h.staff_id ? (byId[h.staff_id] || {name: h.name}) : null;
          if (m) {
            add(card, photo(m, "honor"));
          } else {
            add(card, add(el("div", "honor-window"), el("span", "", str(h.window).split(" ")[0])));
          }
          var text = el("div", "honor-text");
          add(text, el("div", "honor-title", h.title), el("div", "honor-name", m ? (h.name || m.name) : h.window),
            m && (m.window || m.title) ? el("div", "honor-sub", [m.title, m.window].filter(Boolean).join(" · ")) : null,
            el("div", "honor-meta", [h.issuer, day(h.awarded_on)].filter(Boolean).join("  ")));
          add(card, text);
          add(box, card);
        });
        return box;
      },
      after: function (node) {
        var cards = node.querySelectorAll(".honor-text");
        for (var i = 0; i < cards.length; i++) fit(cards[i], 0.6);
      }
    },

    notices: {
      pages: function (s) { return chunk(list(s.notices), 3); },
      has: function (s) { return list(s.notices).length > 0; },
      render: function (s, page) {
        var box = el("div", "notice-list");
        page.forEach(function (n) {
          var card = el("article", "notice-card");
          add(card, el("h2", "notice-title", n.title), el("p", "notice-text", n.text),
            n.ends_at ? el("div", "notice-until", L.until + " " + dayInZone(n.ends_at)) : null);
          add(box, card);
        });
        return box;
      },
      after: function (node) { fit(node.querySelector(".notice-list"), 0.5); }
    },

    banner: {
      pages: function () { return [[]]; },
      has: function () { return true; },
      render: function (s) {
        var box = el("div", "campaign");
        add(box, el("div", "campaign-star"), el("div", "campaign-title", L.campaign));
        var cols = el("div", "campaign-cols");
        [["campaign_show_head", "campaign_show"], ["campaign_compare_head", "campaign_compare"],
          ["campaign_review_head", "campaign_review"]].forEach(function (pair) {
          var col = el("div", "campaign-col");
          add(col, el("div", "campaign-head", L[pair[0]]));
          str(L[pair[1]]).split("·").forEach(function (word) { add(col, el("div", "campaign-word", word.trim())); });
          add(cols, col);
        });
        add(box, cols);
        if (s.phase) {
          var phase = el("div", "campaign-phase");
          var bar = el("div", "phase-bar");
          var done = el("i", "");
          done.style.width = Math.round(Math.max(0, Math.min(1, s.phase.progress || 0)) * 100) + "%";
          add(bar, done);
          add(phase, phaseChip(s.phase), bar);
          add(box, phase);
        }
        add(box, el("div", "campaign-hall", ((s.hall || {}).name) || ""));
        return box;
      }
    },

    boards: {
      // Each published 三比 board, its ranking over as many pages as it needs.
      pages: function (s) {
        var per = isPortrait() ? 10 : 8;
        var pages = [];
        list(s.boards).forEach(function (b) {
          chunk(list(b.rows), per).forEach(function (rows) { if (rows.length) pages.push([{board: b, rows: rows}]); });
        });
        return pages.length ? pages : [[]];
      },
      has: function (s) { return list(s.boards).some(function (b) { return list(b.rows).length > 0; }); },
      render: function (s, page) {
        var board = page[0].board, shown = page[0].rows;
        var byId = membersById();
        var box = el("div", "board");
        add(box, add(el("div", "board-head"), el("h2", "board-title", board.title),
          el("span", "board-period", [board.period, board.note].filter(Boolean).join(" · "))));
        var rows = el("ol", "board-rows");
        shown.forEach(function (r) {
          var m = byId[r.staff_id] || {name: r.name};
          var row = el("li", "board-row" + (r.rank <= 3 ? " top top-" + r.rank : ""));
          add(row, el("span", "board-rank", String(r.rank)),
            add(el("span", "board-who"), el("span", "board-name", m.name || r.name), el("span", "board-dept", r.department || "")),
            r.sample ? el("span", "board-sample", r.sample + " " + L.board_sample) : el("span", "board-sample", ""),
            el("span", "board-value", r.display || String(r.value)));
          add(rows, row);
        });
        return add(box, rows);
      }
    },

    wishes: {
      // 心愿 / 代办: how many were fulfilled this month, and the latest ones (no citizen named).
      pages: function () { return [[]]; },
      has: function (s) { return !!(s.wishes && s.wishes.month_count > 0); },
      render: function (s) {
        var w = s.wishes || {};
        var box = el("div", "wishes");
        add(box, add(el("div", "wishes-count"), el("span", "wishes-num", String(w.month_count || 0)),
          el("span", "wishes-caption", L.wishes_month)));
        var items = el("ul", "wishes-list");
        list(w.latest).slice(0, 5).forEach(function (x) {
          add(items, add(el("li", "wishes-item"), el("span", "wishes-text", x.text),
            el("span", "wishes-by", [x.by, x.done_on].filter(Boolean).join(" · "))));
        });
        var how = el("div", "wishes-how", L.wishes_how);
        // The wish page's code (admin.push.citizen_codes), for the citizen who reads this and has one.
        if (s.take_part && s.take_part.wish_url) add(how, qrSlot(s.take_part.wish_url, "qr-slot wishes-qr"));
        return add(box, items, how);
      }
    },

    take_part: {
      // 群众评议: each survey round open to citizens with its code, and the wish page's code.
      pages: function () { return [[]]; },
      has: function (s) { return !!(s.take_part && list(s.take_part.surveys).length); },
      render: function (s) {
        var t = s.take_part || {};
        var box = el("div", "take-part");
        list(t.surveys).forEach(function (x) {
          var card = el("div", "take-card take-survey");
          card.setAttribute("data-survey", x.code);
          add(box, add(card, qrSlot(x.url, "qr-slot"), el("div", "take-title", x.title),
            el("div", "take-period", x.period), el("div", "take-how", L.take_part_survey)));
        });
        if (t.wish_url) {
          add(box, add(el("div", "take-card take-wish"), qrSlot(t.wish_url, "qr-slot"),
            el("div", "take-title", L.wishes), el("div", "take-how", L.take_part_wish)));
        }
        return box;
      }
    },

    satisfaction: {
      // Every window, best first: rated ones by their share, then those with no rating this month.
      // Those that do not fit go on further pages, so the weakest are shown too.
      rows: function (s) {
        var sat = s.satisfaction || {};
        var seen = {};
        var rows = list(sat.windows).map(function (w) { seen[w.window_id] = true; return w; });
        list(s.windows).forEach(function (w) {
          if (!seen[w.id]) rows.push({window_id: w.id, count: 0, rate: null});
        });
        return rows;
      },
      pages: function (s) { return chunk(this.rows(s), isPortrait() ? 10 : 8); },
      has: function (s) { return !!(s.satisfaction && s.satisfaction.count > 0); },
      render: function (s, page) {
        var sat = s.satisfaction || {};
        var box = el("div", "satisfaction");
        var rate = typeof sat.rate === "number" ? sat.rate : 0;
        var big = el("div", "sat-big");
        var ring = el("div", "sat-ring");
        ring.style.setProperty("--p", String(Math.round(rate * 1000) / 10));
        add(ring, add(el("div", "sat-ring-inner"), el("span", "sat-rate", (Math.round(rate * 1000) / 10).toFixed(1)),
          el("span", "sat-pct", "%")));
        add(big, el("div", "sat-label", L.satisfaction_rate), ring,
          el("div", "sat-count", str(sat.count) + " " + L.ratings_count), el("div", "sat-month", sat.month));
        var windows = {};
        list(s.windows).forEach(function (w) { windows[w.id] = w; });
        var bars = el("div", "sat-bars");
        add(bars, el("div", "sat-bars-head", L.by_window));
        list(page).forEach(function (w) {
          var win = windows[w.window_id] || {};
          var rated = typeof w.rate === "number";
          var row = el("div", "sat-row" + (rated ? "" : " unrated"));
          row.setAttribute("data-window", String(w.window_id));
          var track = el("div", "sat-track");
          var fill = el("div", "sat-fill");
          fill.style.width = rated ? Math.max(0, Math.min(100, w.rate * 100)) + "%" : "0";
          add(track, fill);
          add(row, el("div", "sat-win", [win.number, win.name].filter(Boolean).join(" ") || ("#" + w.window_id)),
            track, el("div", "sat-val", rated ? (w.rate * 100).toFixed(1) + "%" : L.no_ratings));
          add(bars, row);
        });
        add(box, big, bars);
        return box;
      }
    },

    window: {
      pages: function () { return [[]]; },
      has: function () { return true; },
      render: function (s) { return windowScreen(s); },
      bare: true,
      after: function (node) {
        fit(node.querySelector(".win-items"), 0.5);
        var cards = node.querySelectorAll(".win-member");
        for (var i = 0; i < cards.length; i++) fit(cards[i].querySelector(".win-member-text"), 0.55);
      }
    }
  };

  // Characters of text an item carries: two light items share a page, a heavy one gets a page alone.
  var LIGHT_ITEM = 240;

  function weight(item) {
    return [item.item_name, item.description, item.legal_basis, item.service_language, item.time_limit, item.fees]
      .concat(list(item.steps), list(item.materials)).map(str).join("").length;
  }

  function standardCard(item, windows, wide) {
    var card = el("article", "standard-card" + (wide ? " wide" : ""));
    var left = wide ? el("div", "standard-col") : card;
    var right = wide ? el("div", "standard-col") : card;
    var head = el("div", "standard-head");
    var where = [item.department].concat(list(item.window_ids).map(function (id) {
      var w = windows[id];
      return w ? (L.window + " " + w.number) : "";
    })).filter(Boolean).join(" · ");
    add(head, el("h2", "standard-name", item.item_name), el("div", "standard-where", where));
    var facts = el("div", "standard-facts");
    if (item.time_limit) add(facts, add(el("div", "fact"), el("span", "fact-label", L.time_limit), el("span", "fact-value", item.time_limit)));
    add(facts, add(el("div", "fact"), el("span", "fact-label", L.fees), el("span", "fact-value", item.fees || L.no_fee)));
    add(left, head, facts);
    if (item.description) add(left, el("p", "standard-desc", item.description));
    if (list(item.steps).length) {
      var steps = el("ol", "steps");
      list(item.steps).forEach(function (step, i) {
        add(steps, add(el("li", "step"), el("span", "step-no", String(i + 1)), el("span", "step-text", step)));
      });
      add(left, add(el("div", "standard-block"), el("div", "block-label", L.steps), steps));
    }
    if (list(item.materials).length) {
      var mats = el("ul", "materials");
      list(item.materials).forEach(function (m) { add(mats, el("li", "", m)); });
      add(right, add(el("div", "standard-block"), el("div", "block-label", L.materials), mats));
    }
    if (item.service_language) {
      add(right, add(el("div", "standard-block"), el("div", "block-label", L.service_language),
        el("div", "standard-language", item.service_language)));
    }
    if (item.legal_basis) add(right, add(el("div", "standard-basis"), el("span", "block-label inline", L.legal_basis), el("span", "", item.legal_basis)));
    if (wide) add(card, left, right);
    return card;
  }

  function hallRules(s) {
    var rules = list(s.standards).filter(function (x) { return x.kind === "hall_rule"; });
    if (!rules.length) {
      rules = ["rule_first_contact", "rule_inform_once", "rule_time_limit", "rule_accountability"].map(function (k) {
        return {item_name: L[k], description: ""};
      });
    }
    var band = el("div", "hall-rules");
    rules.slice(0, 6).forEach(function (r) {
      add(band, add(el("div", "rule"), el("div", "rule-name", r.item_name), r.description ? el("div", "rule-desc", r.description) : null));
    });
    return band;
  }

  function windowScreen(s) {
    var win = s.window || {};
    var hall = s.hall || {};
    var box = el("section", "slide window-screen" + (isPortrait() ? " portrait" : ""));
    var head = el("header", "win-head");
    add(head, add(el("div", "win-number"), el("span", "", win.number)),
      add(el("div", "win-title"), el("div", "win-name", win.name), el("div", "win-dept", win.department)),
      add(el("div", "win-clock"), el("span", "clock-time", hhmm(new Date()))));
    var members = el("div", "win-members");
    var on = list(s.members);
    var codes = {};
    list(s.rating_codes).forEach(function (c) { if (c && c.staff_id) codes[c.staff_id] = c; });
    var perMember = on.length > 1 && on.slice(0, 2).every(function (m) { return codes[m.id]; });
    if (!on.length) add(members, el("div", "win-closed", L.window_closed));
    on.slice(0, 2).forEach(function (m) {
      var card = el("article", "win-member" + (m.is_party_member ? " party" : ""));
      var text = el("div", "win-member-text");
      add(text, el("div", "win-serving", L.at_your_service),
        add(el("div", "name-row"), el("span", "member-name", m.name), m.is_party_member ? partyMark(false) : null),
        el("div", "member-post", m.title), m.party_post ? el("div", "member-party-post", m.party_post) : null, badges(m));
      add(card, photo(m, "win"), text, perMember ? memberCode(codes[m.id]) : null);
      card.setAttribute("data-member", String(m.id));
      add(members, card);
    });
    if (on.length > 1) members.classList.add("two");
    var side = el("div", "win-side");
    var items = el("div", "win-items");
    add(items, el("div", "block-label", L.service_items));
    var ol = el("ol", "");
    list(s.standards).filter(function (x) { return x.kind !== "hall_rule"; }).forEach(function (item) {
      add(ol, add(el("li", ""), el("span", "item-name", item.item_name),
        item.time_limit ? el("span", "item-limit", item.time_limit) : null));
    });
    add(items, ol);
    // A prompt open here (one case, one rating) comes first: its code rates exactly that case.
    add(side, items, s.prompt ? promptBox(s.prompt) : null, perMember || s.prompt ? null : ratingBox(s));
    add(box, head, add(el("div", "win-body"), members, side),
      add(el("footer", "win-foot"), el("span", "", hall.name), el("span", "", hall.banner || L.campaign)));
    return box;
  }

  // A QR code drawn on a canvas, for a path or address the server sent; "" when there is none.
  function qrSlot(target, cls) {
    var url = typeof target === "string" ? target : (target && typeof target.url === "string" ? target.url : "");
    // The server sends a path; a phone needs the whole address of this server.
    if (url) { try { url = new URL(url, location.href).href; } catch (e) { url = ""; } }
    var slot = el("div", cls + (url ? "" : " empty"));
    slot.setAttribute("data-qr", url ? "drawn" : "empty");
    if (url) slot.setAttribute("data-url", url);
    if (url && typeof window.qrcode === "function") {
      try {
        var qr = window.qrcode(0, "M");
        qr.addData(url);
        qr.make();
        var n = qr.getModuleCount();
        var quiet = 2;
        var canvas = document.createElement("canvas");
        var cell = 8;
        canvas.width = canvas.height = (n + quiet * 2) * cell;
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.fillStyle = "#111";
        for (var r = 0; r < n; r++) {
          for (var c = 0; c < n; c++) {
            if (qr.isDark(r, c)) ctx.fillRect((c + quiet) * cell, (r + quiet) * cell, cell, cell);
          }
        }
        add(slot, canvas);
      } catch (e) {
        slot.classList.add("empty");
      }
    }
    return slot;
  }

  function ratingBox(s) {
    var box = el("div", "win-rate");
    add(box, qrSlot(s.rating_url, "qr-slot"), el("div", "rate-label", L.rate_us), el("div", "rate-hint", L.rate_hint));
    return box;
  }

  function promptBox(p) {
    var box = el("div", "win-prompt");
    box.setAttribute("data-prompt", String(p.id));
    var facts = el("dl", "prompt-facts");
    if (p.case_no) add(facts, el("dt", "", L.prompt_case), el("dd", "prompt-case", p.case_no));
    if (p.service_item) add(facts, el("dt", "", L.prompt_item), el("dd", "prompt-item", p.service_item));
    if (p.member && p.member.name) add(facts, el("dt", "", L.prompt_member), el("dd", "prompt-member", p.member.name));
    add(box, el("div", "prompt-title", L.prompt_title), add(el("div", "prompt-body"), qrSlot(p.url, "qr-slot"),
      add(el("div", "prompt-text"), facts, el("div", "rate-hint", L.prompt_hint))));
    return box;
  }

  // Two members on duty: each card carries its own member's code, so a citizen's rating lands on
  // the one who served them.
  function memberCode(code) {
    var box = el("div", "win-member-rate");
    add(box, qrSlot(code.url, "qr-slot"), el("div", "rate-label", L.rate_me));
    box.setAttribute("data-staff", String(code.staff_id));
    return box;
  }

  /* ---------------------------------------------------------------- rotation */

  // changes: pages and slides shown since the page loaded; shownMs: for how long, at a hall's pace.
  var rotation = {index: 0, page: 0, kind: null, timer: null, spotlight: 0, sentSlide: null, changes: 0, shownMs: 0,
    dueMs: 0};

  function playlist() {
    var s = model.sections || {};
    var isWindow = !!s.window || (model.screen && model.screen.kind === "window");
    var slides = list(s.playlist).filter(function (x) { return x && slideKinds[x.kind]; });
    if (isWindow) slides = [{kind: "window", duration: 0}];
    if (pinnedSlide && slideKinds[pinnedSlide]) {
      slides = [{kind: pinnedSlide, duration: 15, options: (slides.filter(function (x) {
        return x.kind === pinnedSlide; })[0] || {}).options}];
    }
    var usable = slides.filter(function (x) { return slideKinds[x.kind].has(s, x.options); });
    return usable.length ? usable : (isWindow ? [{kind: "window", duration: 0}] : [{kind: "banner", duration: 15}]);
  }

  function pagesOf(slide) {
    var kind = slideKinds[slide.kind];
    return kind.pages.call(kind, model.sections || {}, slide.options);
  }

  function draw() {
    clearTimeout(rotation.timer);
    if (!model.sections) {
      stage.textContent = "";
      return;
    }
    var slides = playlist();
    if (rotation.index >= slides.length) rotation.index = 0;
    var slide = slides[rotation.index];
    var kind = slideKinds[slide.kind];
    var pages = pagesOf(slide);
    if (rotation.page >= pages.length) rotation.page = 0;
    var body = kind.render.call(kind, model.sections, pages[rotation.page], slide.options);
    var node = kind.bare ? body : hallFrame(slide.kind, body, rotation.page, pages.length);
    document.body.classList.toggle("portrait", isPortrait());
    stage.textContent = "";
    stage.appendChild(node);
    stage.setAttribute("data-slide", slide.kind);
    if (kind.after) kind.after.call(kind, node);
    rotation.kind = slide.kind;
    var seconds = Number(slide.duration) || 0;
    if (seconds > 0 && (slides.length > 1 || pages.length > 1 || slide.kind === "member_spotlight")) {
      rotation.dueMs = Math.max(PER_PAGE_MIN_S, seconds / pages.length) * 1000;
      rotation.timer = setTimeout(advance, rotation.dueMs * pace.scale);
    } else {
      rotation.dueMs = 60 * 1000;
      rotation.timer = setTimeout(idleTick, rotation.dueMs * pace.scale);
    }
    if (rotation.sentSlide !== slide.kind) {
      rotation.sentSlide = slide.kind;
      sendAck();
    }
  }

  function idleTick() {
    // A single, static slide (a window screen): still heal, and keep the clock right.
    if (selfHeal()) return;
    draw();
  }

  function advance() {
    rotation.changes += 1;
    rotation.shownMs += rotation.dueMs;
    var slides = playlist();
    var slide = slides[rotation.index] || slides[0];
    var pages = pagesOf(slide);
    if (rotation.page + 1 < pages.length) {
      rotation.page += 1;
    } else {
      // A slide boundary: the moment to reload if the page needs healing.
      if (selfHeal()) return;
      if (slide.kind === "member_spotlight") rotation.spotlight += 1;
      rotation.page = 0;
      rotation.index = (rotation.index + 1) % slides.length;
    }
    draw();
  }

  function selfHeal() {
    var uptime = Date.now() - startedAt;
    var heap = performance && performance.memory ? performance.memory.usedJSHeapSize : 0;
    var hour = parseInt(fmt(new Date(), {hour: "2-digit", hour12: false}), 10);
    var night = hour >= 1 && hour < 5;
    // Once a day, in the small hours when the hall is closed; after 30 h whatever the hour.
    if (heap > heal.heapLimit || (uptime > heal.nightAfterMs && night) || uptime > heal.maxUptimeMs) {
      persist();
      location.reload();
      return true;
    }
    return false;
  }

  /* ---------------------------------------------------------------- urgent, identify, stale */

  function drawUrgent() {
    var urgent = list((model.sections || {}).urgent);
    if (!urgent.length) {
      urgentEl.hidden = true;
      urgentEl.textContent = "";
      document.body.classList.remove("has-urgent");
      return;
    }
    urgentEl.textContent = "";
    var box = el("div", "urgent-box");
    add(box, el("div", "urgent-label", L.urgent));
    urgent.slice(0, 3).forEach(function (n) {
      add(box, add(el("article", "urgent-item"), el("h1", "urgent-title", n.title), el("p", "urgent-text", n.text)));
    });
    add(urgentEl, box);
    urgentEl.hidden = false;
    document.body.classList.add("has-urgent");
    fit(box, 0.4);
  }

  var identifyTimer = null;

  function identify() {
    var name = (model.screen && model.screen.name) || ("#" + cfg.screenId);
    identifyEl.textContent = "";
    add(identifyEl, add(el("div", "identify-box"), el("div", "identify-name", name),
      el("div", "identify-id", "#" + cfg.screenId + " · " + window.innerWidth + "×" + window.innerHeight)));
    identifyEl.hidden = false;
    clearTimeout(identifyTimer);
    identifyTimer = setTimeout(function () { identifyEl.hidden = true; }, IDENTIFY_MS);
  }

  var disconnectedSince = Date.now();

  function drawStale() {
    var show = disconnectedSince !== null && Date.now() - disconnectedSince > STALE_AFTER_MS && model.appliedAt;
    if (show) {
      staleEl.textContent = L.last_updated + " " + hhmm(new Date(model.appliedAt));
      staleEl.hidden = false;
    } else {
      staleEl.hidden = true;
    }
  }

  setInterval(function () {
    drawStale();
    var clock = stage.querySelector(".clock-time");
    if (clock) clock.textContent = hhmm(new Date());
  }, 5000);

  /* ---------------------------------------------------------------- applying pushes */

  function render() {
    drawUrgent();
    draw();
  }

  // When the last push arrived and when it was on screen (performance.now()), for the bench.
  var timing = {received: null, drawn: null};

  function applied() {
    model.appliedAt = Date.now();
    persist();
    render();
    timing.drawn = performance.now();
    cachePhotos();
    sendAck();
    window.dispatchEvent(new CustomEvent("lbp:applied", {detail: {version: model.version}}));
  }

  function applyState(msg) {
    timing.received = performance.now();
    if (!msg || typeof msg.version !== "number" || typeof msg.sections !== "object" || !msg.sections) return;
    model.version = msg.version;
    model.sections = msg.sections;
    applied();
  }

  function applyPatch(msg) {
    timing.received = performance.now();
    if (!msg || typeof msg.version !== "number" || typeof msg.sections !== "object") return;
    // Already in the state this page holds: the state went straight to the socket, the patch
    // came round through the other processes.
    if (model.sections && msg.version <= model.version) return;
    if (msg.base !== model.version || !model.sections) {
      socket.emit("resync");
      return;
    }
    var next = Object.assign({}, model.sections);
    Object.keys(msg.sections || {}).forEach(function (k) { next[k] = msg.sections[k]; });
    list(msg.removed).forEach(function (k) { delete next[k]; });
    model.sections = next;
    model.version = msg.version;
    applied();
  }

  function resolution() {
    return window.innerWidth + "x" + window.innerHeight;
  }

  function sendAck() {
    if (typeof socket === "undefined" || !socket.connected || model.version < 0) return;
    socket.emit("ack", {version: model.version, slide: rotation.kind || "", resolution: resolution()});
  }

  /* ---------------------------------------------------------------- the socket */

  var socket = window.io("/display", {
    auth: {token: auth.token, resolution: resolution()},
    transports: ["websocket"],
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30000,
    randomizationFactor: 0.5
  });

  socket.on("connect", function () {
    disconnectedSince = null;
    drawStale();
  });
  socket.on("disconnect", function () {
    if (disconnectedSince === null) disconnectedSince = Date.now();
  });
  socket.on("connect_error", function (err) {
    if (disconnectedSince === null) disconnectedSince = Date.now();
    var message = err && (err.message || (err.data && err.data.message));
    if (message === "unauthorized") forget();
  });
  socket.on("hello", function (msg) {
    if (msg && msg.screen) {
      model.screen = msg.screen;
      persist();
    }
  });
  socket.on("state", applyState);
  socket.on("patch", applyPatch);
  socket.on("rejoin", function () { socket.emit("hello"); });
  socket.on("revoked", forget);
  function command(msg) {
    var name = msg && msg.name;
    if (name === "reload") {
      persist();
      location.reload();
    } else if (name === "identify") {
      identify();
    } else if (name === "next") {
      advance();
    }
  }

  socket.on("command", command);

  setInterval(function () {
    if (socket.connected) socket.emit("heartbeat", {slide: rotation.kind || ""});
  }, HEARTBEAT_MS);

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { render(); sendAck(); }, 200);
  });

  // The last content first, at once, before the socket has said anything.
  render();
  drawStale();
  window.lbpScreen = {
    model: model, rotation: rotation, advance: advance, socket: socket, timing: timing, heal: heal, command: command,
    pace: pace,
    // For tests and the console preview: act as if the connection had been gone this long.
    disconnectedFor: function (ms) {
      if (disconnectedSince !== null) disconnectedSince = Date.now() - ms;
      drawStale();
    }
  };
})();
