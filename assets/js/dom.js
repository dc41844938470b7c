/* Small DOM helpers the screen, kiosk and phone scripts share (window.lbpDom).
 * Text from the server is only ever set as text or as an image's address, never as markup. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child) parent.appendChild(child);
    }
    return parent;
  }

  // A random UUID (version 4): the idempotency key of a rating.
  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // A member's photo in a frame (class "photo" and ``cls``), or their initial when there is none
  // or it fails to load.
  function photo(member, cls) {
    var frame = el("div", "photo" + (cls ? " " + cls : ""));
    var name = member && typeof member.name === "string" ? member.name : "";
    var initial = el("span", "photo-initial", name.slice(0, 1));
    var url = member && member.photo_url;
    if (typeof url === "string" && (url.charAt(0) === "/" || url.indexOf("http") === 0)) {
      var img = new Image();
      img.alt = "";
      img.decoding = "async";
      img.onerror = function () { if (img.parentNode) frame.replaceChild(initial, img); };
      img.src = url;
      frame.appendChild(img);
    } else {
      frame.appendChild(initial);
    }
    return frame;
  }

  window.lbpDom = {el: el, add: add, uuid: uuid, photo: photo};
})();
