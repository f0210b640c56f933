/*
 * Frontdesk wall display.
 *
 * The server renders the complete first state, so the screen is right before this runs. This
 * script keeps it right for hours unattended:
 *   - a clock and the QR countdown in the studio's time zone, on the server's clock;
 *   - a new QR code shortly before the old one rotates (fetch at expiresAt − 1.5 s and again
 *     just after expiresAt), and never an expired code shown as valid (#qr.is-stale);
 *   - live check-ins over server-sent events, with polling as fallback and safety net;
 *   - the codes of the next few windows held in advance (state.ahead): through an outage of the
 *     server or the network of up to five minutes the screen keeps rotating, each code in its own
 *     window, with the small "Offline" mark showing, and catches up when the server answers again;
 *   - a reload when the link stops working (403: the server then renders its error page) and
 *     once a day at about 04:00 to pick up new assets.
 *
 * One slot per timer (each is cleared before it is set again), one EventSource at a time, list
 * items reused: nothing grows over a long run.
 */
(() => {
    'use strict';

    const body = document.body;
    if (!body || !body.classList.contains('display') || !body.dataset.stateUrl) return;

    // ---------- Configuration and elements ----------

    const cfg = {
        stateUrl: body.dataset.stateUrl,
        eventsUrl: body.dataset.eventsUrl || '',
        timezone: body.dataset.timezone || '',
        locale: body.dataset.locale || '',
    };

    // The screen's words in its language (data-t-* on <body>, from the server's catalogue; the
    // English ones here only when an attribute is missing). "{name}" placeholders, as the server's.
    const words = {
        next: body.dataset.tNext || 'Next: {className} at {time}',
        nextWithCoach: body.dataset.tNextWithCoach || 'Next: {className} at {time} with {coach}',
        noMore: body.dataset.tNoMore || 'No more classes scheduled here',
        refreshing: body.dataset.tRefreshing || 'Refreshing code…',
        tomorrowAt: body.dataset.tTomorrowAt || 'Tomorrow {time}',
    };
    const fill = (template, values) => template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));

    const PREFETCH_BEFORE_MS = 1500;    // fetch this long before the code rotates…
    const REFETCH_AFTER_MS = 300;       // …and this long after, in case the first was too early
    const OVERDUE_RETRY_MS = 1500;      // after rotation, retry this often until a new code arrives
    const POLL_FAST_MS = 2000;          // while offline or without live events
    const POLL_SAFETY_MS = 15000;       // always, even with live events
    const FETCH_TIMEOUT_MS = 10000;
    const EVENT_DEBOUNCE_MS = 150;
    const SSE_RETRY_MIN_MS = 1000;
    const SSE_RETRY_MAX_MS = 30000;
    const OFFLINE_GRACE_MS = 5000;      // a live-events blip shorter than this shows no pill
    const NEW_NAME_MS = 6000;           // how long a new name keeps li.is-new
    const DENSE_NAMES = 15;             // more names than this: smaller chips
    const DEFAULT_WINDOW_MS = 60000;
    const RELOAD_GUARD_MS = 60000;      // at most one 403-reload a minute (no reload loops)
    const MAX_HELD = 8;                 // codes held (the current one and the server's ahead list)

    const $ = (id) => document.getElementById(id);
    const el = {
        orgName: $('org-name'),
        clock: $('clock'),
        offline: $('offline'),
        current: $('current'),
        idle: $('idle'),
        className: $('class-name'),
        classMeta: $('class-meta'),
        classTime: $('class-time'),
        coach: $('coach'),
        location: $('location'),
        count: $('count'),
        checkedInCount: $('checked-in-count'),
        capacity: $('capacity'),
        names: $('names'),
        qr: $('qr'),
        countdownSeconds: $('countdown-seconds'),
        countdownBar: $('countdown-bar'),
        next: $('next'),
    };

    // ---------- Small helpers ----------

    const monotonic = () => performance.now();
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

    /** Epoch milliseconds from an ISO-8601 string, epoch seconds or epoch milliseconds. */
    function toMs(value) {
        if (value === null || value === undefined || value === '') return NaN;
        if (typeof value === 'number') return value > 1e11 ? value : value * 1000;
        const text = String(value).trim();
        if (/^-?\d+(\.\d+)?$/.test(text)) {
            const n = Number(text);
            return n > 1e11 ? n : n * 1000;
        }
        return Date.parse(text);
    }

    function setText(node, text) {
        if (node && node.textContent !== text) node.textContent = text;
    }

    function setHidden(node, hidden) {
        if (node && node.hidden !== hidden) node.hidden = hidden;
    }

    const isColor = (c) => typeof c === 'string' && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(c.trim());

    /** Runs fn, logging instead of throwing: nothing here may take the screen down. */
    function safe(fn) {
        return function safely(...args) {
            try {
                return fn.apply(this, args);
            } catch (error) {
                console.error('display:', error);
                return undefined;
            }
        };
    }

    // ---------- Server clock ----------

    // Offset = server time − local time; the median of the last few samples, reset when a sample
    // disagrees by seconds (the kiosk's clock was corrected, or it slept).
    const offsetSamples = [];
    let offset = 0;

    function addOffsetSample(sample) {
        if (!Number.isFinite(sample)) return;
        if (offsetSamples.length && Math.abs(sample - offset) > 2000) offsetSamples.length = 0;
        offsetSamples.push(sample);
        if (offsetSamples.length > 8) offsetSamples.shift();
        const sorted = offsetSamples.slice().sort((a, b) => a - b);
        offset = sorted[Math.floor(sorted.length / 2)];
    }

    const serverNow = () => Date.now() + offset;

    (function initialOffset() {
        const rendered = toMs(body.dataset.serverNow);
        if (!Number.isFinite(rendered)) return;
        // The page's first byte arrived just after the server rendered it.
        let arrival = Date.now();
        try {
            const nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
            if (nav && nav.responseStart > 0) arrival = performance.timeOrigin + nav.responseStart;
        } catch (_) { /* older browsers: use now */ }
        addOffsetSample(rendered - arrival);
    })();

    // ---------- Time formatting in the studio's zone ----------

    let fmt = {};

    function formatter(options) {
        const attempts = [
            [cfg.locale || undefined, cfg.timezone || undefined],
            [undefined, cfg.timezone || undefined],
            [cfg.locale || undefined, undefined],
            [undefined, undefined],
        ];
        for (const [locale, timeZone] of attempts) {
            try {
                return new Intl.DateTimeFormat(locale, timeZone ? { ...options, timeZone } : options);
            } catch (_) { /* bad locale or zone: try the next */ }
        }
        return null;
    }

    // 24-hour "18:00" like the server's pages, whatever the locale's habit.
    function buildFormatters() {
        fmt = {
            time: formatter({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
            day: formatter({ year: 'numeric', month: '2-digit', day: '2-digit' }),
            date: formatter({ weekday: 'short', day: 'numeric', month: 'short' }),
            hm24: formatter({ hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }),
        };
    }
    buildFormatters();

    function formatTime(ms) {
        if (!Number.isFinite(ms)) return '';
        const date = new Date(ms);
        if (fmt.time) return fmt.time.format(date);
        return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
    }

    const dayKey = (ms) => (fmt.day ? fmt.day.format(new Date(ms)) : new Date(ms).toDateString());

    /** "18:00" today, "Tomorrow 07:00", else "Thu 27 Nov 07:00" (as the server words it). */
    function dayAndTime(ms, now) {
        if (!Number.isFinite(ms) || dayKey(ms) === dayKey(now)) return formatTime(ms);
        if (dayKey(ms) === dayKey(now + 86400000)) return fill(words.tomorrowAt, { time: formatTime(ms) });
        const date = fmt.date ? fmt.date.format(new Date(ms)).replace(/,/g, '') : '';
        return `${date} ${formatTime(ms)}`.trim();
    }

    // ---------- Screen state ----------

    const qrState = {
        url: el.qr ? el.qr.dataset.url || null : null,
        expiresAt: el.qr ? toMs(el.qr.dataset.expiresAt) : NaN,
        validUntil: NaN,
        windowMs: DEFAULT_WINDOW_MS,
    };
    if (el.qr) {
        const valid = toMs(el.qr.dataset.validUntil);
        // Without a validity from the server, the code counts as valid only until it rotates.
        qrState.validUntil = Number.isFinite(valid) ? valid : qrState.expiresAt;
        const start = toMs(el.qr.dataset.windowStart);
        if (Number.isFinite(start) && qrState.expiresAt > start) qrState.windowMs = qrState.expiresAt - start;
    }

    let sessionId = el.current && !el.current.hidden ? el.current.dataset.sessionId || null : null;
    // Codes held for the coming windows: {sessionId, url, svg, windowStart, expiresAt, validUntil},
    // from the last state the server sent; and that state's next class, for a change of class offline.
    let held = [];
    let heldNext = null;
    let hasSession = !!(el.current && !el.current.hidden);
    let metaShape = ''; // which #class-meta parts were visible when the separators were placed

    separateMeta();
    // The "Refreshing code…" text lives inside #qr; add it if the page did not.
    if (el.qr && !el.qr.querySelector('.qr-stale-text')) {
        const stale = document.createElement('p');
        stale.className = 'qr-stale-text';
        stale.textContent = words.refreshing;
        el.qr.appendChild(stale);
    }

    // ---------- Rendering ----------

    /** " · " between the visible parts of #class-meta (time, coach, location), none elsewhere. */
    function separateMeta() {
        const meta = el.classMeta;
        if (!meta) return;
        const shape = Array.from(meta.children, (part) => (part.hidden || !part.textContent.trim() ? '0' : '1')).join('');
        if (shape === metaShape) return; // already separated for these visible parts
        metaShape = shape;
        for (const node of Array.from(meta.childNodes)) {
            if (node.nodeType === Node.TEXT_NODE && /^[\s·•|–-]*$/.test(node.textContent)) node.remove();
        }
        let first = true;
        for (const part of Array.from(meta.children)) {
            if (part.hidden || !part.textContent.trim()) continue;
            if (!first) meta.insertBefore(document.createTextNode(' · '), part);
            first = false;
        }
    }

    function renderSession(session, state) {
        const changed = session.id !== sessionId;
        sessionId = session.id || null;

        setText(el.className, session.className || '');
        const starts = toMs(session.startsAt);
        const ends = toMs(session.endsAt);
        setText(el.classTime, Number.isFinite(ends) ? `${formatTime(starts)}–${formatTime(ends)}` : formatTime(starts));
        setText(el.coach, session.coachName || '');
        setHidden(el.coach, !session.coachName);
        setText(el.location, session.locationName || '');
        setHidden(el.location, !session.locationName);
        separateMeta();

        if (el.current) {
            if (isColor(session.color)) el.current.style.setProperty('--session-color', session.color.trim());
            else el.current.style.removeProperty('--session-color');
        }

        const count = Number.isFinite(state.checkedInCount) ? state.checkedInCount
            : Array.isArray(state.checkedIn) ? state.checkedIn.length : 0;
        const capacity = session.capacity === null || session.capacity === undefined ? NaN : Number(session.capacity);
        setText(el.checkedInCount, String(count));
        setText(el.capacity, Number.isFinite(capacity) ? String(capacity) : '');
        if (el.count) el.count.classList.toggle('is-full', capacity > 0 && count >= capacity);

        // A different class: its names are not "new arrivals", and the old code is void.
        renderNames(Array.isArray(state.checkedIn) ? state.checkedIn : [], !changed);
        if (changed) qrState.url = null;
        renderQr(state.qr);
    }

    // Reuses <li> nodes by name (a multiset: two "Ana P." are two chips), so a chip that stays
    // never restarts its animation; only truly new names get li.is-new.
    let newMarks = 0;

    function renderNames(names, markNew) {
        const list = el.names;
        if (!list) return;
        const pool = new Map();
        for (const li of Array.from(list.children)) {
            const key = li.textContent.trim(); // server-rendered items may carry whitespace
            if (!pool.has(key)) pool.set(key, []);
            pool.get(key).push(li);
        }
        const wanted = names.map((raw) => {
            const name = String(raw).trim();
            const reuse = pool.get(name);
            if (reuse && reuse.length) return reuse.shift();
            const li = document.createElement('li');
            li.textContent = name;
            if (markNew) {
                li.classList.add('is-new');
                li.dataset.newUntil = String(monotonic() + NEW_NAME_MS);
                newMarks += 1;
            }
            return li;
        });
        for (const leftovers of pool.values()) for (const li of leftovers) li.remove();
        wanted.forEach((li, i) => {
            if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
        });
        list.classList.toggle('names--dense', names.length > DENSE_NAMES);
    }

    function expireNewMarks() {
        if (!newMarks || !el.names) return;
        const now = monotonic();
        newMarks = 0;
        for (const li of el.names.querySelectorAll('li.is-new')) {
            if (Number(li.dataset.newUntil || 0) <= now) {
                li.classList.remove('is-new');
                delete li.dataset.newUntil;
            } else {
                newMarks += 1;
            }
        }
    }

    /** Parses the server's SVG text into a detached, inert <svg> element (or null). */
    function parseSvg(text) {
        if (typeof text !== 'string' || text.indexOf('<svg') === -1) return null;
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const root = doc.documentElement;
        if (!root || root.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
        for (const bad of root.querySelectorAll('script, foreignObject')) bad.remove();
        for (const node of [root, ...root.querySelectorAll('*')]) {
            for (const attr of Array.from(node.attributes)) {
                if (/^on/i.test(attr.name) || /href$/i.test(attr.name)) node.removeAttribute(attr.name);
            }
        }
        root.removeAttribute('width');
        root.removeAttribute('height');
        return document.importNode(root, true);
    }

    function renderQr(qr) {
        if (!el.qr) return;
        if (!qr || !qr.url) {
            // A session without a code: nothing valid to show.
            qrState.url = null;
            qrState.expiresAt = NaN;
            qrState.validUntil = NaN;
            return;
        }
        if (qr.url !== qrState.url) {
            const svg = parseSvg(qr.svg);
            // Unreadable SVG: keep the old code with its old validity; it goes stale on time.
            if (!svg) return;
            for (const old of el.qr.querySelectorAll(':scope > svg')) old.remove();
            el.qr.insertBefore(svg, el.qr.firstChild);
            qrState.url = qr.url;
            el.qr.dataset.url = qr.url;
        }
        const expires = toMs(qr.expiresAt);
        const valid = toMs(qr.validUntil);
        const start = toMs(qr.windowStart);
        qrState.expiresAt = expires;
        qrState.validUntil = Number.isFinite(valid) ? valid : expires;
        qrState.windowMs = Number.isFinite(start) && expires > start ? expires - start : DEFAULT_WINDOW_MS;
        el.qr.dataset.expiresAt = String(expires);
        el.qr.dataset.validUntil = String(qrState.validUntil);
        updateQrValidity(serverNow());
        renderCountdown(serverNow());
        scheduleRotationFetch();
    }

    /** "Next: Vinyasa Flow at 18:00 with Ana Pérez" (the server's wording for the first render). */
    function renderIdle(next) {
        if (!el.next) return;
        if (!next || !next.className) {
            setText(el.next, words.noMore);
            return;
        }
        const values = { className: next.className, time: dayAndTime(toMs(next.startsAt), serverNow()), coach: next.coachName || '' };
        setText(el.next, fill(next.coachName ? words.nextWithCoach : words.next, values));
    }

    /** Keeps the state's codes (the current one and those ahead), reusing the SVG of a code already
     * held when the server left it out (have=). Returns the state with its current code's SVG filled. */
    function holdCodes(state) {
        const known = new Map(held.map((frame) => [frame.url, frame.svg]));
        const frames = [state.qr, ...(Array.isArray(state.ahead) ? state.ahead : [])];
        const next = [];
        for (const qr of frames) {
            if (!qr || typeof qr.url !== 'string') continue;
            const svg = typeof qr.svg === 'string' ? qr.svg : known.get(qr.url);
            if (typeof svg !== 'string') continue;
            if (qr === state.qr && typeof qr.svg !== 'string') qr.svg = svg;
            next.push({
                sessionId: qr.sessionId || (state.session && state.session.id) || null,
                url: qr.url,
                svg,
                windowStart: toMs(qr.windowStart),
                expiresAt: toMs(qr.expiresAt),
                validUntil: toMs(qr.validUntil),
            });
        }
        held = next.slice(0, MAX_HELD);
        heldNext = state.next && typeof state.next === 'object' ? state.next : null;
        return state;
    }

    /** Without the server: at each rotation, the held code of the new window (and its class, when the
     * next class takes over the screen). Nothing held for now: the shown code goes stale on time. */
    function rotateFromHeld(now) {
        if (Number.isFinite(qrState.expiresAt) && now < qrState.expiresAt) return;
        const frame = held.find((f) => f.windowStart <= now && now < f.expiresAt);
        if (!frame || frame.url === qrState.url) return;
        const qr = {
            sessionId: frame.sessionId, url: frame.url, svg: frame.svg,
            windowStart: frame.windowStart, expiresAt: frame.expiresAt, validUntil: frame.validUntil,
        };
        if (hasSession && frame.sessionId === sessionId) {
            renderQr(qr);
        } else if (heldNext && frame.sessionId === heldNext.id) {
            hasSession = true;
            setHidden(el.current, false);
            setHidden(el.idle, true);
            renderSession(heldNext, { checkedIn: [], checkedInCount: 0, qr });
        }
    }

    function applyState(state) {
        holdCodes(state);
        if (state.timezone && state.timezone !== cfg.timezone) {
            cfg.timezone = state.timezone;
            buildFormatters();
        }
        if (isColor(state.primaryColor)) {
            const brand = state.primaryColor.trim();
            const root = document.documentElement;
            if (root.style.getPropertyValue('--brand') !== brand) root.style.setProperty('--brand', brand);
        }
        if (state.organizationName) setText(el.orgName, state.organizationName);

        hasSession = !!(state.session && typeof state.session === 'object');
        setHidden(el.current, !hasSession);
        setHidden(el.idle, hasSession);
        if (hasSession) {
            renderSession(state.session, state);
        } else {
            sessionId = null;
            qrState.url = null;
            qrState.expiresAt = NaN;
            qrState.validUntil = NaN;
            clearTimeout(timers.rotation);
            renderNames([], false);
            renderIdle(state.next);
        }
        renderClock(serverNow());
    }

    // ---------- Clock, countdown, validity (every second) ----------

    function renderClock(now) {
        setText(el.clock, formatTime(now));
    }

    let lastProgress = -1;

    function renderCountdown(now) {
        if (!hasSession || !Number.isFinite(qrState.expiresAt)) return;
        const remaining = qrState.expiresAt - now;
        setText(el.countdownSeconds, String(clamp(Math.ceil(remaining / 1000), 0, 999)));

        const bar = el.countdownBar;
        if (!bar) return;
        // Aim at where the bar will be at the next tick: the 1 s linear transition lands on time.
        const nowFraction = clamp(remaining / qrState.windowMs, 0, 1);
        const target = clamp((remaining - 1000) / qrState.windowMs, 0, 1);
        if (target > lastProgress + 0.02) {
            // A new window: jump back to full without animating backwards.
            bar.classList.add('is-jump');
            bar.style.setProperty('--progress', nowFraction.toFixed(4));
            void bar.offsetWidth; // commit the jump before the transition returns
            bar.classList.remove('is-jump');
        }
        bar.style.setProperty('--progress', target.toFixed(4));
        lastProgress = target;
    }

    function updateQrValidity(now) {
        if (!el.qr) return;
        const stale = hasSession && !(Number.isFinite(qrState.validUntil) && now < qrState.validUntil);
        if (el.qr.classList.contains('is-stale') !== stale) el.qr.classList.toggle('is-stale', stale);
    }

    // ---------- Timers (one slot each) ----------

    const timers = { tick: 0, rotation: 0, poll: 0, debounce: 0, sse: 0 };
    const loadedAt = monotonic();
    let lastFetchStarted = -Infinity;

    const tick = safe(() => {
        try {
            const now = serverNow();
            renderClock(now);
            renderCountdown(now);
            rotateFromHeld(now);
            updateQrValidity(now);
            expireNewMarks();
            updateOffline();
            // Rotation passed and still the old code (or none): keep asking.
            if (hasSession && !(now < qrState.expiresAt + REFETCH_AFTER_MS)
                && monotonic() - lastFetchStarted > OVERDUE_RETRY_MS) {
                fetchState();
            }
            maybeDailyReload(now);
        } finally {
            clearTimeout(timers.tick);
            // Land just after the next whole second of server time.
            timers.tick = setTimeout(tick, 1000 - (((serverNow() % 1000) + 1000) % 1000) + 20);
        }
    });

    function scheduleRotationFetch() {
        clearTimeout(timers.rotation);
        if (!Number.isFinite(qrState.expiresAt)) return;
        const now = serverNow();
        let at = qrState.expiresAt - PREFETCH_BEFORE_MS;
        if (now >= at) at = qrState.expiresAt + REFETCH_AFTER_MS;
        if (now >= at) return; // the tick's overdue check takes over
        timers.rotation = setTimeout(fetchState, at - now);
    }

    function schedulePoll() {
        clearTimeout(timers.poll);
        const fast = fetchFailed || !sseOpen;
        timers.poll = setTimeout(fetchState, fast ? POLL_FAST_MS : POLL_SAFETY_MS);
    }

    /** Coalesces bursts of events into one fetch shortly after the first. */
    function requestFetch(delay = EVENT_DEBOUNCE_MS) {
        if (timers.debounce) return;
        timers.debounce = setTimeout(() => {
            timers.debounce = 0;
            fetchState();
        }, delay);
    }

    function maybeDailyReload(now) {
        // Not in the first hour (no loop at 04:00), and never while the server is unreachable:
        // a reload then would leave the browser's own error page on the wall.
        if (monotonic() - loadedAt < 3600000 || fetchFailed || !fmt.hm24) return;
        let hour = -1;
        let minute = -1;
        for (const part of fmt.hm24.formatToParts(new Date(now))) {
            if (part.type === 'hour') hour = Number(part.value);
            if (part.type === 'minute') minute = Number(part.value);
        }
        if (hour === 4 && minute < 10) window.location.reload();
    }

    // ---------- Fetching state ----------

    let inFlight = false;
    let fetchAgain = false;
    let fetchFailed = false;

    /** The link no longer works: reload so the server renders its error page (rate-limited). */
    function reloadForRefusal() {
        let last = 0;
        try {
            last = Number(sessionStorage.getItem('fd-display-reload') || 0);
            sessionStorage.setItem('fd-display-reload', String(Date.now()));
        } catch (_) { /* storage unavailable: reload anyway */ }
        if (Math.abs(Date.now() - last) < RELOAD_GUARD_MS) return false;
        window.location.reload();
        return true;
    }

    async function fetchState() {
        if (inFlight) {
            fetchAgain = true;
            return;
        }
        inFlight = true;
        fetchAgain = false;
        lastFetchStarted = monotonic();
        const controller = typeof AbortController === 'function' ? new AbortController() : null;
        const timeout = setTimeout(() => controller && controller.abort(), FETCH_TIMEOUT_MS);
        let ok = false;
        try {
            // have=<url> for each code on screen or held: the server then leaves their SVGs out.
            const have = [...new Set([qrState.url, ...held.map((frame) => frame.url)].filter(Boolean))].slice(0, MAX_HELD);
            const query = have.map((code) => `have=${encodeURIComponent(code)}`).join('&');
            const url = query ? `${cfg.stateUrl}${cfg.stateUrl.includes('?') ? '&' : '?'}${query}` : cfg.stateUrl;
            const sent = Date.now();
            const response = await fetch(url, {
                cache: 'no-store',
                credentials: 'same-origin',
                headers: { Accept: 'application/json' },
                signal: controller ? controller.signal : undefined,
            });
            const received = Date.now();
            if (response.status === 401 || response.status === 403 || response.status === 410) {
                if (reloadForRefusal()) return;
                throw new Error(`refused (${response.status})`);
            }
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            const state = await response.json();
            if (!state || typeof state !== 'object') throw new Error('empty state');

            // Second-precision timestamps are on average half a second behind.
            const nowText = typeof state.now === 'string' ? state.now : '';
            const truncated = nowText && !/\.\d/.test(nowText) ? 500 : 0;
            addOffsetSample(toMs(state.now) + truncated - (sent + received) / 2);

            safe(applyState)(state);
            ok = true;
            // Back after an outage: try live events now rather than at the end of the back-off.
            if (fetchFailed && !source && cfg.eventsUrl) {
                sseRetryMs = SSE_RETRY_MIN_MS;
                connect();
            }
        } catch (error) {
            if (!fetchFailed) console.warn('display: state fetch failed:', error && error.message);
        } finally {
            clearTimeout(timeout);
            inFlight = false;
            fetchFailed = !ok;
            updateOffline();
            schedulePoll();
            if (fetchAgain && ok) {
                fetchAgain = false;
                requestFetch(0);
            }
        }
    }

    // ---------- Live events ----------

    let source = null;
    let sseOpen = false;
    let sseRetryMs = SSE_RETRY_MIN_MS;
    let sseDownSince = monotonic();

    function onSourceOpen(event) {
        if (event.target !== source) return;
        sseOpen = true;
        sseRetryMs = SSE_RETRY_MIN_MS;
        updateOffline();
        schedulePoll();
        requestFetch(); // catch up on anything missed while disconnected
    }

    function onSourceEvent(event) {
        if (event.target !== source) return;
        requestFetch();
    }

    function onSourceError(event) {
        if (event.target !== source) return;
        // Take over from the browser's own retry so that back-off is ours and bounded.
        closeSource();
        scheduleConnect();
    }

    function closeSource() {
        if (source) {
            source.removeEventListener('open', onSourceOpen);
            source.removeEventListener('message', onSourceEvent);
            source.removeEventListener('checkin', onSourceEvent);
            source.removeEventListener('refresh', onSourceEvent);
            source.removeEventListener('error', onSourceError);
            source.close();
            source = null;
        }
        if (sseOpen) sseDownSince = monotonic();
        sseOpen = false;
        updateOffline();
        schedulePoll();
    }

    function connect() {
        clearTimeout(timers.sse);
        timers.sse = 0;
        if (!cfg.eventsUrl || typeof EventSource !== 'function' || source) return;
        try {
            source = new EventSource(cfg.eventsUrl);
        } catch (_) {
            source = null;
            scheduleConnect();
            return;
        }
        source.addEventListener('open', onSourceOpen);
        source.addEventListener('message', onSourceEvent);
        source.addEventListener('checkin', onSourceEvent);
        source.addEventListener('refresh', onSourceEvent);
        source.addEventListener('error', onSourceError);
    }

    function scheduleConnect() {
        if (timers.sse) return;
        const delay = sseRetryMs * (0.8 + Math.random() * 0.4); // jitter: screens don't stampede
        sseRetryMs = Math.min(sseRetryMs * 2, SSE_RETRY_MAX_MS);
        timers.sse = setTimeout(safe(connect), delay);
    }

    function updateOffline() {
        const eventsDown = !!cfg.eventsUrl && typeof EventSource === 'function' && !sseOpen
            && monotonic() - sseDownSince > OFFLINE_GRACE_MS;
        setHidden(el.offline, !(fetchFailed || eventsDown));
    }

    // ---------- Start ----------

    const wake = safe(() => {
        if (document.visibilityState === 'hidden') return;
        fetchState();
        if (!source) {
            sseRetryMs = SSE_RETRY_MIN_MS;
            connect();
        }
    });

    document.addEventListener('visibilitychange', wake);
    window.addEventListener('online', wake);
    window.addEventListener('pageshow', (event) => { if (event.persisted) wake(); });

    hasSession = !!(el.current && !el.current.hidden);
    updateQrValidity(serverNow());
    scheduleRotationFetch();
    tick();
    connect();
    fetchState();
})();
