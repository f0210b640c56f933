// Frontdesk back office: small progressive enhancements; every page works without this file.
// - "Use this device's location" fills a location form's latitude/longitude from navigator.geolocation;
//   its status lines come from the form's data-geo-finding/-filled/-denied/-failed attributes (the
//   page writes them from the catalogue in the reader's language; {accuracy} is replaced).
// - Class-type colour dots take their colour from data-color (no inline styles under the CSP).
// - On a phone, the navigation row scrolls the current section into view.
(function () {
    "use strict";

    var current = document.querySelector("#admin-nav a[aria-current='page']");
    var row = current && current.closest("ul");
    if (row && row.scrollWidth > row.clientWidth) {
        current.scrollIntoView({ block: "nearest", inline: "center" });
    }

    document.querySelectorAll("[data-color]").forEach(function (dot) {
        var colour = dot.getAttribute("data-color");
        if (/^#[0-9a-fA-F]{6}$/.test(colour)) dot.style.backgroundColor = colour;
    });

    if (!("geolocation" in navigator)) return;
    document.querySelectorAll("form[data-geo-form]").forEach(function (form) {
        var row = form.querySelector("[data-geo-row]");
        var button = form.querySelector("[data-geo-button]");
        var status = form.querySelector("[data-geo-status]");
        var latitude = form.querySelector("[data-geo='latitude']");
        var longitude = form.querySelector("[data-geo='longitude']");
        if (!row || !button || !latitude || !longitude) return;
        var words = function (name) { return form.getAttribute("data-geo-" + name) || ""; };
        row.hidden = false;
        button.addEventListener("click", function () {
            button.disabled = true;
            status.textContent = words("finding");
            navigator.geolocation.getCurrentPosition(
                function (position) {
                    latitude.value = position.coords.latitude.toFixed(6);
                    longitude.value = position.coords.longitude.toFixed(6);
                    status.textContent = words("filled").replace("{accuracy}", String(Math.round(position.coords.accuracy)));
                    button.disabled = false;
                },
                function (error) {
                    status.textContent = words(error.code === 1 ? "denied" : "failed");
                    button.disabled = false;
                },
                { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
            );
        });
    });
})();
