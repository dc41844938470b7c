/* Console behaviour that needs a script, for every console page (and the error page). The
   Content-Security-Policy refuses inline scripts and style attributes (admin/security_headers.py),
   so pages ask for behaviour with data- attributes and this file does it:
     data-confirm="question"   on a form: ask before submitting it
     data-copy="id"            on a button: copy that element's text (shown-once secrets)
     data-autosubmit           on a select: submit its form when the choice changes
     data-show-if="id"         shown only while the checkbox or radio button with that id is checked
     data-back                 on a link: go back in the browser's history
     data-w="37.5"             width in percent (bars), data-left="80" left in percent (markers)
     data-print-on-load        anywhere on the page: open the print dialog once it has loaded */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var back = event.target.closest && event.target.closest("[data-back]");
    if (back) {
      event.preventDefault();
      window.history.back();
      return;
    }
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.value || source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { button.classList.add("copied"); });
    } else if (source.select) {
      source.select();
      document.execCommand("copy");
      button.classList.add("copied");
    }
  });

  function showIf() {
    document.querySelectorAll("[data-show-if]").forEach(function (box) {
      var input = document.getElementById(box.getAttribute("data-show-if"));
      box.hidden = !(input && input.checked);
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
    showIf();
  });
  showIf();

  function percent(value) {
    var n = parseFloat(value);
    return isFinite(n) ? Math.max(0, Math.min(100, n)) + "%" : "0";
  }
  document.querySelectorAll("[data-w]").forEach(function (el) { el.style.width = percent(el.getAttribute("data-w")); });
  document.querySelectorAll("[data-left]").forEach(function (el) { el.style.left = percent(el.getAttribute("data-left")); });

  if (document.querySelector("[data-print-on-load]")) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
