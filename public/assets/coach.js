/*
 * Frontdesk — the coach tablet.
 *
 * The page works without this script (forms POST and redirect back). With it:
 *   - the roster (#roster) refreshes itself when a check-in for its session arrives over
 *     server-sent events, and every 20 s as a fallback;
 *   - forms.js-inline post in the background, the button disabled while in flight, the roster
 *     redrawn afterwards and the server's message shown in #flash;
 *   - #live shows whether live updates are connected;
 *   - the walk-in search (form.walkin-search) updates .walkin-results while typing.
 *
 * Everything is delegated from document, so a redrawn roster keeps working.
 */
(() => {
    'use strict';

    const REFRESH_DEBOUNCE_MS = 200;
    const FALLBACK_REFRESH_MS = 20000;
    const EDITING_RETRY_MS = 2000;
    const MAX_EDITING_DEFERRALS = 5;
    const SEARCH_DEBOUNCE_MS = 350;
    const SSE_RETRY_MIN_MS = 1000;
    const SSE_RETRY_MAX_MS = 30000;
    const FLASH_OK_MS = 4000;
    const FLASH_ERROR_MS = 10000;
    const RELOAD_GUARD_MS = 60000;
    const GENERIC_ERROR = 'Could not save — try again';

    const roster = document.getElementById('roster');
    const live = document.getElementById('live');
    const eventsUrl = document.body ? document.body.dataset.eventsUrl || '' : '';

    // ---------- Helpers ----------

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

    const parseHtml = (text) => new DOMParser().parseFromString(text, 'text/html');
    const looksLikePage = (text) => /<(?:html|body)[\s>]/i.test(text);

    /** Reloads the page, at most once a minute (a broken session must not loop). */
    function reloadOnce() {
        let last = 0;
        try {
            last = Number(sessionStorage.getItem('fd-coach-reload') || 0);
            sessionStorage.setItem('fd-coach-reload', String(Date.now()));
        } catch (_) { /* no storage: reload anyway */ }
        if (Math.abs(Date.now() - last) < RELOAD_GUARD_MS) return false;
        window.location.reload();
        return true;
    }

    // ---------- Flash messages (#flash) ----------

    // #flash is the layout's message element itself (class "flash flash--ok|error"), rendered
    // between the top bar and <main> when the server has something to say.
    let flashTimer = 0;

    function flashBox() {
        let box = document.getElementById('flash');
        if (!box) {
            box = document.createElement('div');
            box.id = 'flash';
            const main = document.querySelector('main');
            if (main && main.parentNode) main.parentNode.insertBefore(box, main);
            else document.body.insertBefore(box, document.body.firstChild);
        }
        return box;
    }

    function showFlash(kind, text) {
        const box = flashBox();
        const ok = kind === 'ok';
        box.className = `flash ${ok ? 'flash--ok' : 'flash--error'}`;
        box.setAttribute('role', ok ? 'status' : 'alert');
        box.removeAttribute('data-error-message');
        box.textContent = String(text).slice(0, 400);
        box.hidden = false;
        clearTimeout(flashTimer);
        flashTimer = setTimeout(clearFlash, ok ? FLASH_OK_MS : FLASH_ERROR_MS);
    }

    function clearFlash() {
        clearTimeout(flashTimer);
        const box = document.getElementById('flash');
        if (box) {
            box.hidden = true;
            box.textContent = '';
        }
    }

    /** The message a server page carries in its #flash, if any: {kind, text} or null. */
    function flashFrom(doc) {
        const box = doc.getElementById('flash');
        if (!box) {
            const loose = doc.querySelector('[data-error-message]');
            const text = loose && loose.getAttribute('data-error-message');
            return text && text.trim() ? { kind: 'error', text: text.trim() } : null;
        }
        const ok = box.classList.contains('flash--ok') || !!box.querySelector('.flash--ok');
        const text = (box.getAttribute('data-error-message') || box.textContent || '').trim();
        return text ? { kind: ok ? 'ok' : 'error', text } : null;
    }

    /** A login page where a roster or a redirect was expected: the session has ended. */
    const isLoginPage = (doc) => !!doc.querySelector('#login-form, form[action="/login"]');

    // Tap the message to dismiss it (wet fingers: the whole banner is the target).
    document.addEventListener('click', (event) => {
        const target = event.target instanceof Element ? event.target : null;
        if (target && target.closest('#flash')) clearFlash();
    });

    // ---------- Roster refresh ----------

    const timers = { refresh: 0, fallback: 0, sse: 0, search: 0 };
    let refreshing = false;
    let refreshAgain = false;
    let postsInFlight = 0;
    let editingDeferrals = 0;
    let lastRosterHtml = null;

    /** True while the coach is typing in a field inside the roster. */
    function isEditing() {
        const active = document.activeElement;
        if (!roster || !active || !roster.contains(active)) return false;
        if (active.tagName === 'TEXTAREA' || active.tagName === 'SELECT') return true;
        return active.tagName === 'INPUT' && !/^(?:button|submit|checkbox|radio|hidden|reset)$/i.test(active.type);
    }

    /** Something to find the focused control again after a redraw. */
    function focusKey(node) {
        if (!node || !roster.contains(node) || node === roster) return null;
        if (node.id) return { id: node.id };
        const form = node.form || node.closest('form');
        return { name: node.getAttribute('name'), value: node.getAttribute('value'), action: form ? form.getAttribute('action') : null };
    }

    function refocus(key) {
        if (!key) return;
        let target = null;
        if (key.id) {
            target = document.getElementById(key.id);
        } else if (key.name) {
            for (const candidate of roster.querySelectorAll('[name]')) {
                const form = candidate.form || candidate.closest('form');
                if (candidate.getAttribute('name') === key.name && candidate.getAttribute('value') === key.value
                    && (form ? form.getAttribute('action') : null) === key.action) {
                    target = candidate;
                    break;
                }
            }
        }
        if (target && roster.contains(target) && typeof target.focus === 'function') target.focus({ preventScroll: true });
    }

    /**
     * Replaces the roster's content, keeping scroll, focus and a walk-in search in progress (the
     * fragment knows nothing of the search). keepSearch=false after a walk-in was added.
     */
    function replaceRoster(html, keepSearch = true) {
        if (!roster || html === lastRosterHtml) return;
        const scrollX = window.scrollX;
        const scrollY = window.scrollY;
        const rosterScroll = roster.scrollTop;
        const focus = focusKey(document.activeElement);

        const search = roster.querySelector('#walkin-q');
        const query = keepSearch && search ? search.value : '';
        const selection = search && document.activeElement === search
            ? [search.selectionStart, search.selectionEnd] : null;
        const results = roster.querySelector('.walkin-results');
        const keptResults = query && results ? results : null;

        roster.innerHTML = html;
        lastRosterHtml = html;

        const newSearch = roster.querySelector('#walkin-q');
        if (newSearch && query && newSearch.value !== query) {
            newSearch.value = query;
            if (keptResults) placeResults(newSearch.form, keptResults);
        }
        if (newSearch && selection && keepSearch) {
            newSearch.focus({ preventScroll: true });
            try {
                newSearch.setSelectionRange(selection[0], selection[1]);
            } catch (_) { /* type=search without selection API */ }
        } else {
            refocus(focus);
        }
        roster.scrollTop = rosterScroll;
        window.scrollTo(scrollX, scrollY);
    }

    /** Puts a .walkin-results list in place of the current one, or right after the search form. */
    function placeResults(form, list) {
        const current = document.querySelector('.walkin-results');
        if (current) current.replaceWith(list);
        else if (form && form.parentNode) form.parentNode.insertBefore(list, form.nextSibling);
    }

    function scheduleRefresh(delay = REFRESH_DEBOUNCE_MS) {
        if (timers.refresh) return;
        timers.refresh = setTimeout(() => {
            timers.refresh = 0;
            refresh();
        }, delay);
    }

    function scheduleFallback() {
        clearTimeout(timers.fallback);
        timers.fallback = setTimeout(() => {
            if (document.visibilityState === 'hidden') scheduleFallback();
            else refresh();
        }, FALLBACK_REFRESH_MS);
    }

    async function refresh() {
        const url = roster && roster.dataset.fragmentUrl;
        if (!url) return;
        // A post in flight redraws the roster itself when it lands.
        if (refreshing || postsInFlight > 0) {
            refreshAgain = true;
            return;
        }
        if (isEditing() && editingDeferrals < MAX_EDITING_DEFERRALS) {
            editingDeferrals += 1;
            scheduleRefresh(EDITING_RETRY_MS);
            return;
        }
        editingDeferrals = 0;
        refreshing = true;
        try {
            const response = await fetch(url, {
                credentials: 'same-origin',
                cache: 'no-store',
                headers: { Accept: 'text/html', 'X-Requested-With': 'fetch' },
            });
            // Logged out (expired session): let the server show its login page.
            if (response.status === 401 || response.status === 403 || /\/login(?:[/?#]|$)/.test(new URL(response.url, location.href).pathname)) {
                reloadOnce();
                return;
            }
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            let html = await response.text();
            if (looksLikePage(html)) {
                // A whole page after all: take its roster, or (a login page) let the server decide.
                const doc = parseHtml(html);
                const fresh = doc.getElementById('roster');
                if (!fresh) {
                    if (isLoginPage(doc)) reloadOnce();
                    return;
                }
                html = fresh.innerHTML;
            }
            replaceRoster(html);
        } catch (_) {
            // Offline for a moment: the next event or the fallback timer tries again.
        } finally {
            refreshing = false;
            scheduleFallback();
            if (refreshAgain) {
                refreshAgain = false;
                scheduleRefresh();
            }
        }
    }

    // ---------- Inline forms (form.js-inline) ----------

    async function submitInline(form, submitter) {
        const walkIn = !!form.closest('.walkin-results');
        const data = new FormData(form);
        if (submitter && submitter.name && !submitter.disabled) data.append(submitter.name, submitter.value);
        const controls = Array.from(form.querySelectorAll('button, input[type="submit"]'));
        const wasDisabled = controls.map((c) => c.disabled);
        controls.forEach((c) => { c.disabled = true; });
        if (submitter) submitter.classList.add('is-busy');
        form.setAttribute('aria-busy', 'true');
        postsInFlight += 1;

        let redrawn = false;
        try {
            // getAttribute: form.action would be a control named "action" if the form has one.
            const action = new URL(form.getAttribute('action') || location.href, location.href).href;
            const response = await fetch(action, {
                method: 'POST',
                credentials: 'same-origin',
                redirect: 'follow',
                headers: { Accept: 'text/html', 'X-CSRF-Token': cookie('fd_csrf') },
                body: new URLSearchParams(data),
            });
            if (/\/login(?:[/?#]|$)/.test(new URL(response.url, location.href).pathname)) {
                window.location.assign(response.url); // signed out mid-shift: go and sign in
                return;
            }
            let text = '';
            try {
                text = await response.text();
            } catch (_) { /* no body */ }
            const doc = text ? parseHtml(text) : null;
            if (doc && isLoginPage(doc)) {
                window.location.reload(); // signed out mid-shift: the page shows the login form
                return;
            }
            const message = doc ? flashFrom(doc) : null;
            if (!response.ok) {
                showFlash('error', message && message.kind === 'error' ? message.text : GENERIC_ERROR);
            } else if (message) {
                // Redirected back to the tablet: its flash says how it went.
                showFlash(message.kind, message.text);
            } else {
                clearFlash();
            }
            // The page that came back (success or refusal) shows the roster as it is now: use it
            // rather than asking again. After a walk-in the search has done its job.
            const fresh = doc && doc.getElementById('roster');
            if (fresh && roster && fresh.dataset.sessionId === roster.dataset.sessionId) {
                replaceRoster(fresh.innerHTML, !walkIn);
                redrawn = true;
            }
        } catch (_) {
            showFlash('error', `${GENERIC_ERROR} (no connection)`);
        } finally {
            postsInFlight -= 1;
            if (form.isConnected) {
                controls.forEach((c, i) => { c.disabled = wasDisabled[i]; });
                if (submitter) submitter.classList.remove('is-busy');
                form.removeAttribute('aria-busy');
            }
            if (!redrawn || refreshAgain) {
                refreshAgain = false;
                refresh();
            }
        }
    }

    // Browsers without SubmitEvent.submitter: remember the button that was pressed.
    let lastPressed = null;
    document.addEventListener('click', (event) => {
        const target = event.target instanceof Element ? event.target : null;
        lastPressed = target ? target.closest('button, input[type="submit"]') : null;
    }, true);

    document.addEventListener('submit', (event) => {
        const form = event.target;
        if (!(form instanceof HTMLFormElement) || !form.classList.contains('js-inline')) return;
        if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post' || typeof fetch !== 'function') return;
        event.preventDefault();
        if (form.getAttribute('aria-busy') === 'true') return; // double tap
        const submitter = event.submitter || (lastPressed && lastPressed.form === form ? lastPressed : null);
        submitInline(form, submitter).catch(() => showFlash('error', GENERIC_ERROR));
    });

    // ---------- Walk-in search (form.walkin-search, input#walkin-q) ----------

    let searchController = null;

    /** Fetches the search page and swaps in its .walkin-results; false if that was not possible. */
    async function searchWalkins(form) {
        if (typeof fetch !== 'function') return false;
        const url = new URL(form.getAttribute('action') || location.pathname, location.href);
        url.search = new URLSearchParams(new FormData(form)).toString();
        if (searchController) searchController.abort();
        searchController = typeof AbortController === 'function' ? new AbortController() : null;
        try {
            const response = await fetch(url.href, {
                credentials: 'same-origin',
                headers: { Accept: 'text/html' },
                signal: searchController ? searchController.signal : undefined,
            });
            if (!response.ok) return false;
            const fresh = parseHtml(await response.text()).querySelector('.walkin-results');
            if (!fresh) return false;
            placeResults(form, document.importNode(fresh, true));
            try {
                history.replaceState(history.state, '', url.href);
            } catch (_) { /* not same-origin path: ignore */ }
            return true;
        } catch (error) {
            return error && error.name === 'AbortError';
        }
    }

    document.addEventListener('input', (event) => {
        const input = event.target;
        if (!(input instanceof HTMLInputElement) || input.id !== 'walkin-q') return;
        const form = input.closest('form.walkin-search');
        if (!form) return;
        clearTimeout(timers.search);
        const query = input.value.trim();
        if (query.length === 0) {
            // Cleared: drop the old results.
            const results = document.querySelector('.walkin-results');
            if (results) results.remove();
            return;
        }
        if (query.length < 2) return;
        timers.search = setTimeout(() => { searchWalkins(form); }, SEARCH_DEBOUNCE_MS);
    });

    document.addEventListener('submit', (event) => {
        const form = event.target;
        if (!(form instanceof HTMLFormElement) || !form.classList.contains('walkin-search')) return;
        if (typeof fetch !== 'function') return; // a plain GET, as without JS
        event.preventDefault();
        clearTimeout(timers.search);
        searchWalkins(form).then((done) => {
            if (!done) HTMLFormElement.prototype.submit.call(form);
        });
    });

    // ---------- Live events ----------

    let source = null;
    let sseRetryMs = SSE_RETRY_MIN_MS;

    /** #live: green "Live" while connected, grey otherwise. */
    function setLive(isLive, label) {
        if (!live) return;
        live.classList.toggle('is-live', isLive);
        live.textContent = label || (isLive ? 'Live' : 'Reconnecting…');
        live.title = isLive ? 'Live updates on' : 'Live updates off — the page refreshes itself every 20 s';
    }

    function onOpen(event) {
        if (event.target !== source) return;
        sseRetryMs = SSE_RETRY_MIN_MS;
        setLive(true);
        scheduleRefresh(); // catch up on what happened while disconnected
    }

    function onEvent(event) {
        if (event.target !== source || !roster) return;
        if (event.type === 'refresh') {
            scheduleRefresh();
            return;
        }
        let data = null;
        try {
            data = JSON.parse(event.data);
        } catch (_) { /* unreadable: refresh to be safe */ }
        if (!data || !data.sessionId || data.sessionId === roster.dataset.sessionId) scheduleRefresh();
    }

    function onError(event) {
        if (event.target !== source) return;
        closeSource();
        scheduleConnect();
    }

    function closeSource() {
        if (!source) return;
        source.removeEventListener('open', onOpen);
        source.removeEventListener('message', onEvent);
        source.removeEventListener('checkin', onEvent);
        source.removeEventListener('refresh', onEvent);
        source.removeEventListener('error', onError);
        source.close();
        source = null;
        setLive(false);
    }

    function connect() {
        clearTimeout(timers.sse);
        timers.sse = 0;
        if (!eventsUrl || typeof EventSource !== 'function' || source) return;
        try {
            source = new EventSource(eventsUrl);
        } catch (_) {
            source = null;
            scheduleConnect();
            return;
        }
        source.addEventListener('open', onOpen);
        source.addEventListener('message', onEvent);
        source.addEventListener('checkin', onEvent);
        source.addEventListener('refresh', onEvent);
        source.addEventListener('error', onError);
    }

    function scheduleConnect() {
        if (timers.sse) return;
        const delay = sseRetryMs * (0.8 + Math.random() * 0.4);
        sseRetryMs = Math.min(sseRetryMs * 2, SSE_RETRY_MAX_MS);
        timers.sse = setTimeout(connect, delay);
    }

    // ---------- Start ----------

    function wake() {
        if (document.visibilityState === 'hidden') return;
        if (roster) scheduleRefresh(0);
        if (!source) {
            sseRetryMs = SSE_RETRY_MIN_MS;
            connect();
        }
    }

    document.addEventListener('visibilitychange', wake);
    window.addEventListener('online', wake);
    window.addEventListener('pageshow', (event) => { if (event.persisted) wake(); });

    if (live) live.hidden = !eventsUrl || typeof EventSource !== 'function';
    setLive(false, 'Connecting…');
    connect();
    if (roster && roster.dataset.fragmentUrl) scheduleFallback();
})();
