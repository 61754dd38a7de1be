/* One tap, one submission. Over a slow line a page's POST takes seconds to answer and a
   second tap on the same button sends the form again: the first accept, refusal or
   hand-back goes through, the second finds the case moved on and answers with an error
   that hides the first one's success. So a plain (non-htmx) POST form, once sent, is
   marked busy and ignores further submits until the next page shows — or until a while
   has passed with no answer, so that a lost request can still be sent again. */
(function () {
  var RETRY_AFTER_MS = 15000;

  function release(form) {
    form.removeAttribute("data-sending");
    form.removeAttribute("aria-busy");
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    // htmx prevents the default and sends the request itself (and drops a second one).
    if (e.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.target && form.target !== "_self") return;
    if (form.hasAttribute("data-sending")) {
      e.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "");
    form.setAttribute("aria-busy", "true");
    setTimeout(function () { release(form); }, RETRY_AFTER_MS);
  });

  // Back to a page kept in the back-forward cache: its forms may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(release);
  });
})();
