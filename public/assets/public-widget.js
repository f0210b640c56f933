// The public schedule widget inside a studio's website: tells the embedding page (widget.js) how tall
// the schedule is, so the frame fits it without a scroll bar. Only a number leaves the frame.
(function () {
  "use strict";
  if (window.parent === window) return;
  function send() {
    window.parent.postMessage({ frontdeskWidget: true, height: document.documentElement.scrollHeight }, "*");
  }
  window.addEventListener("load", send);
  window.addEventListener("resize", send);
})();
