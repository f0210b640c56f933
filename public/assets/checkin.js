/*
 * Frontdesk — the phone's scan landing and check-in result page.
 *
 * (a) form#checkin-form[data-auto="1"]: submitted by itself on load, so a scan is one tap (the
 *     camera's) rather than two. Without JS the form's own button does the same.
 * (b) section#gps (hidden in the HTML): shown only where the browser can locate the phone;
 *     button.gps-checkin[data-session-id] checks in by position via the JSON API, the answer
 *     shown in #gps-result.
 */
(() => {
    'use strict';

    const LOCATION_TIMEOUT_MS = 15000;
    const REQUEST_TIMEOUT_MS = 20000;

    // ---------- Helpers ----------

    // The page's words, in the reader's language (data- attributes the server fills from its
    // catalogue); the English ones here only when an attribute is missing.
    const gpsData = (document.getElementById('gps') || {}).dataset || {};
    const say = (data, name, fallback) => (data && data[name]) || fallback;

    function cookie(name) {
        for (const part of document.cookie ? document.cookie.split(';') : []) {
            const eq = part.indexOf('=');
            if (eq > -1 && part.slice(0, eq).trim() === name) {
                try {
                    return decodeURIComponent(part.slice(eq + 1).trim());
                } catch (_) {
                    return part.slice(eq + 1).trim();
                }
            }
        }
        return '';
    }

    /** Puts a label on a button, keeping the original to restore later. */
    function setLabel(button, text) {
        if (!button) return;
        if (!('originalLabel' in button.dataset)) button.dataset.originalLabel = button.textContent;
        button.textContent = text;
    }

    function restoreLabel(button) {
        if (button && 'originalLabel' in button.dataset) {
            button.textContent = button.dataset.originalLabel;
            delete button.dataset.originalLabel;
        }
    }

    // ---------- (a) Automatic check-in form ----------

    const form = document.getElementById('checkin-form');

    function submitButton(f) {
        return f.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
    }

    function markSubmitting(f) {
        const button = submitButton(f);
        if (button) {
            button.classList.add('is-submitting');
            if (button.tagName === 'BUTTON') setLabel(button, say(f.dataset, 'checking', 'Checking you in…'));
        }
        const status = document.getElementById('checkin-status');
        if (status) status.hidden = false;
        // Disable after the browser has collected the form data (it did, synchronously, in
        // submit()), so a second tap cannot send the same one-time token twice.
        setTimeout(() => { if (button) button.disabled = true; }, 0);
    }

    function resetForm(f) {
        const button = submitButton(f);
        if (button) {
            button.classList.remove('is-submitting');
            button.disabled = false;
            restoreLabel(button);
        }
        const status = document.getElementById('checkin-status');
        if (status) status.hidden = true;
    }

    if (form) {
        form.addEventListener('submit', () => markSubmitting(form));

        // Back/forward cache: the page comes back as it was left, mid-submit (scripts do not run
        // again, so there is no second auto-submit). Make the button usable again.
        window.addEventListener('pageshow', (event) => {
            if (event.persisted) resetForm(form);
        });

        if (form.dataset.auto === '1') {
            markSubmitting(form);
            // submit() skips validation and the submit event; the hidden-field form needs neither.
            // A reload submits again, which the server answers as "already checked in".
            HTMLFormElement.prototype.submit.call(form);
        }
    }

    // ---------- (b) GPS check-in ----------

    const gps = document.getElementById('gps');
    const result = document.getElementById('gps-result');

    function showResult(kind, message) {
        if (!result) return;
        result.classList.add('flash');
        result.classList.toggle('flash--ok', kind === 'ok');
        result.classList.toggle('flash--error', kind !== 'ok');
        result.setAttribute('role', kind === 'ok' ? 'status' : 'alert');
        result.textContent = message;
        result.hidden = false;
    }

    function clearResult() {
        if (!result) return;
        result.hidden = true;
        result.textContent = '';
        result.classList.remove('flash--ok', 'flash--error');
    }

    function locationMessage(error) {
        switch (error && error.code) {
        case 1: // PERMISSION_DENIED
            return say(gpsData, 'locationDenied', 'Location is off for this site — allow it in your browser settings, or scan the QR code on the screen.');
        case 3: // TIMEOUT
            return say(gpsData, 'locationTimeout', 'Finding your location took too long. Try again near a window, or scan the QR code on the screen.');
        default: // POSITION_UNAVAILABLE and anything else
            return say(gpsData, 'locationUnavailable', 'Your phone could not tell where you are right now. Try again in a moment, or scan the QR code on the screen.');
        }
    }

    function locate() {
        return new Promise((resolve, reject) => {
            navigator.geolocation.getCurrentPosition(resolve, reject, {
                enableHighAccuracy: true,
                timeout: LOCATION_TIMEOUT_MS,
                maximumAge: 0,
            });
        });
    }

    async function post(sessionId, position) {
        const controller = typeof AbortController === 'function' ? new AbortController() : null;
        const timer = setTimeout(() => controller && controller.abort(), REQUEST_TIMEOUT_MS);
        try {
            return await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/self-checkin`, {
                method: 'POST',
                credentials: 'same-origin',
                headers: {
                    'Content-Type': 'application/json',
                    Accept: 'application/json',
                    'X-CSRF-Token': cookie('fd_csrf'),
                },
                body: JSON.stringify({
                    latitude: position.coords.latitude,
                    longitude: position.coords.longitude,
                    accuracyMeters: position.coords.accuracy,
                }),
                signal: controller ? controller.signal : undefined,
            });
        } finally {
            clearTimeout(timer);
        }
    }

    function successMessage(data) {
        if (data && data.alreadyCheckedIn) return say(gpsData, 'okAlready', 'You were already checked in. Enjoy the class!');
        if (data && data.walkIn) return say(gpsData, 'okWalkIn', 'You’re checked in as a walk-in. Enjoy the class!');
        return say(gpsData, 'ok', 'You’re checked in. Enjoy the class!');
    }

    let busy = false;

    async function gpsCheckin(button) {
        const sessionId = button.dataset.sessionId;
        if (busy || !sessionId || button.classList.contains('is-done')) return;
        busy = true;
        clearResult();
        button.disabled = true;
        button.classList.add('is-busy');
        setLabel(button, say(gpsData, 'locating', 'Finding your location…'));

        let position;
        try {
            position = await locate();
        } catch (error) {
            showResult('error', locationMessage(error));
            finish(button, false);
            return;
        }

        setLabel(button, say(gpsData, 'checking', 'Checking you in…'));
        try {
            const response = await post(sessionId, position);
            let data = null;
            try {
                data = await response.json();
            } catch (_) { /* not JSON: handled below */ }

            if (response.ok) {
                showResult('ok', successMessage(data));
                finish(button, true);
                return;
            }
            let message = data && data.error && typeof data.error.message === 'string' ? data.error.message : '';
            if (!message && response.status === 401) message = say(gpsData, 'logInFirst', 'Please log in first, then try again.');
            if (!message) message = say(gpsData, 'failed', 'Check-in did not work just now. Try again, or scan the QR code on the screen.');
            showResult('error', message);
        } catch (_) {
            showResult('error', say(gpsData, 'offline', 'No connection to the studio’s system. Check your internet and try again.'));
        }
        finish(button, false);
    }

    function finish(button, done) {
        busy = false;
        button.classList.remove('is-busy');
        if (done) {
            button.classList.add('is-done');
            button.disabled = true;
            setLabel(button, say(gpsData, 'checkedIn', 'Checked in ✓'));
            // One check-in is enough: the other sessions' buttons step back.
            if (gps) {
                for (const other of gps.querySelectorAll('button.gps-checkin')) {
                    if (other !== button) other.disabled = true;
                }
            }
        } else {
            button.disabled = false;
            restoreLabel(button);
        }
    }

    if (gps && navigator.geolocation && typeof fetch === 'function') {
        gps.hidden = false;
        if (result && !result.hasAttribute('aria-live')) result.setAttribute('aria-live', 'polite');
        gps.addEventListener('click', (event) => {
            const button = event.target instanceof Element ? event.target.closest('button.gps-checkin') : null;
            if (!button || !gps.contains(button)) return;
            event.preventDefault();
            gpsCheckin(button).catch(() => finish(button, false));
        });
    }
})();
