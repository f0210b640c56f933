// The door kiosk's number pad: taps fill the PIN field; the fourth digit sends the form.
(function () {
  "use strict";
  var pad = document.getElementById("kiosk-pad");
  var field = document.getElementById("kiosk-pin");
  var form = document.getElementById("kiosk-pin-form");
  if (!pad || !field || !form) return;
  pad.hidden = false;
  field.setAttribute("readonly", "readonly");
  var sent = false;
  pad.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || sent) return;
    if (button.hasAttribute("data-clear")) field.value = "";
    else if (button.hasAttribute("data-back")) field.value = field.value.slice(0, -1);
    else if (field.value.length < 4) field.value += button.getAttribute("data-digit");
    if (field.value.length === 4) {
      sent = true;
      form.submit();
    }
  });
})();
