/* A signature pad for the tablet: draw with a finger or stylus on the canvas; the drawing
   goes into the form as a PNG data URL. No library: pointer events and a canvas. */
(function () {
  "use strict";
  function setup(canvas) {
    var input = document.getElementById(canvas.dataset.input);
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false;
    function size() {
      var r = canvas.getBoundingClientRect(), d = window.devicePixelRatio || 1;
      canvas.width = Math.round(r.width * d); canvas.height = Math.round(r.height * d);
      ctx.setTransform(d, 0, 0, d, 0, 0);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, r.width, r.height);
      inked = false; input.value = "";
    }
    function at(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); inked = true; e.preventDefault();
    });
    function end() { if (drawing && inked) input.value = canvas.toDataURL("image/png"); drawing = false; }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    var clear = document.getElementById(canvas.dataset.clear);
    if (clear) clear.addEventListener("click", size);
    size();
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Show the parts that need script first: a hidden canvas has no size to draw on.
    Array.prototype.forEach.call(document.querySelectorAll(".needs-js"), function (el) { el.hidden = false; });
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-input]"), setup);
  });
})();
