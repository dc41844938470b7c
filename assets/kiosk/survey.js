// The kiosk's survey page: the form is sent with the token this kiosk was paired with (kiosk.js keeps it).
(function () {
  "use strict";
  var id = document.body.getAttribute("data-kiosk");
  var field = document.getElementById("sv-kiosk-token");
  if (!id || !field) return;
  field.value = localStorage.getItem("lbp_kiosk_token_" + id) || "";
})();
