/* Upload controls (materials/macros.html): a photo or file is sent by htmx as soon as it
   is chosen. Afterwards its input is emptied, so that the form's own submit does not send
   the same bytes again over a slow line, and choosing the same file again sends it again.
   (htmx's hx-on is not available: the pages run htmx with allowEval off.) */
document.addEventListener("htmx:afterRequest", function (e) {
  var el = e.detail && e.detail.elt;
  if (el && el.type === "file" && el.hasAttribute("data-clear-after-upload")) el.value = "";
});
