/* Console ratings list: new ratings appear at the top as they are committed (Socket.IO /ratings). */
(function () {
  "use strict";
  var L = JSON.parse(document.getElementById("fb-labels").textContent);
  var rows = document.getElementById("rows"), live = document.getElementById("live-state");
  function cell(tr, node) { var td = document.createElement("td"); if (node) td.appendChild(node); tr.appendChild(td); return td; }
  function span(cls, text) { var s = document.createElement("span"); s.className = cls; s.textContent = text; return s; }
  function refreshCounters() {
    fetch(L.counters, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (c) {
      var set = function (k, v) { var n = document.querySelector('[data-k="' + k + '"]'); if (n) n.textContent = v; };
      set("count", c.count); set("bad", c.bad); set("rate", c.rate === null ? "—" : (c.rate * 100).toFixed(1) + "%");
      for (var s = 1; s <= 5; s++) set("s" + s, c.by_score[s]);
    }).catch(function () {});
  }
  var socket = io("/ratings");
  socket.on("connect", function () { live.classList.remove("off"); });
  socket.on("disconnect", function () { live.classList.add("off"); });
  socket.on("connect_error", function (err) {
    // Refused for connecting too often (kiosk/events.py): Socket.IO gives up, so try again later.
    if (err && err.message === "too_many_requests") {
      setTimeout(function () { socket.connect(); }, 1000 * ((err.data && Number(err.data.retry_after)) || 5));
    }
  });
  socket.on("rating", function (r) {
    var empty = rows.querySelector("tr.empty");
    if (empty) empty.remove();
    var tr = document.createElement("tr");
    tr.className = "fresh" + (r.flagged ? " flagged" : "");
    var a = document.createElement("a"); a.href = L.detail.replace("RID", encodeURIComponent(r.id)); a.textContent = r.rated_at;
    cell(tr, a);
    cell(tr, span("lvl lvl" + r.score, r.score_label));
    cell(tr).textContent = r.staff_name;
    cell(tr).textContent = r.window;
    var ch = cell(tr); ch.textContent = (L.channels[r.channel] || r.channel) + " ";
    if (r.prompted) ch.appendChild(span("tag", L.asked));
    var why = cell(tr);
    r.reasons.forEach(function (x) { why.appendChild(span("tag", x)); });
    why.appendChild(document.createTextNode(" " + r.comment.slice(0, 60)));
    var rev = cell(tr);
    if (r.flagged) { var f = span("tag tag-urgent", L.flagged); f.title = r.flag_label; rev.appendChild(f); }
    rows.insertBefore(tr, rows.firstChild);
    var total = document.getElementById("total");
    if (total) total.textContent = String(Number(total.textContent) + 1);
    refreshCounters();
  });
})();
