// Gatehouse web front end: shared helpers. This one file (web/shared/lib.js)
// is served by both the portal and the console; what both apps do the same
// way lives here: the API client, the element builder, labelled fields,
// the login form, text composers and the app shell (router, logout).
//
// Rules kept here so every screen follows them:
//  - every piece of server text goes into the page as a text node
//    (textContent / createTextNode); nothing is ever parsed as HTML;
//  - no inline script, style attribute or event-handler attribute (the
//    served CSP has no 'unsafe-inline');
//  - state-changing requests send the session's CSRF token and JSON.

export class ApiError extends Error {
  constructor(status, data) {
    super((data && typeof data.message === 'string' && data.message) ||
      `The request failed (HTTP ${status}).`);
    this.status = status;
    this.code = (data && data.error) || 'http_' + status;
    this.data = data || {};
  }
}

// A small JSON client. The CSRF token lives in memory only; on page load
// the app asks GET .../session for it again (the session cookie is
// HttpOnly and never visible to scripts).
export class Api {
  constructor() {
    this.csrf = '';
    this.onSessionLost = null;
  }

  setCsrf(token) {
    this.csrf = token || '';
  }

  async call(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET' && method !== 'HEAD') {
      if (this.csrf) headers['X-CSRF-Token'] = this.csrf;
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, {
        error: 'network',
        message: 'The server cannot be reached. Check your connection and try again.',
      });
    }
    let data = null;
    const type = res.headers.get('Content-Type') || '';
    if (type.startsWith('application/json')) {
      try { data = await res.json(); } catch (e) { data = null; }
    }
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      if (res.status === 401 && !opts.expect401 && this.onSessionLost) {
        this.onSessionLost(err);
      }
      throw err;
    }
    return data || {};
  }

  get(path, opts) { return this.call('GET', path, undefined, opts); }
  post(path, body, opts) { return this.call('POST', path, body, opts); }
  put(path, body, opts) { return this.call('PUT', path, body, opts); }
  del(path, opts) { return this.call('DELETE', path, undefined, opts); }
}

// h('p', {class: 'x', text: 'hello'}, child, 'text', ...) builds an element.
// Attributes are set with setAttribute (never innerHTML); strings become
// text nodes; `on` takes {event: handler}.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// A <time> element for a Unix time in seconds.
export function timeEl(unix) {
  if (typeof unix !== 'number') return h('span', { text: '—' });
  const d = new Date(unix * 1000);
  return h('time', { datetime: d.toISOString(), title: d.toString() },
    d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

let liveTimer = 0;
let liveFrame = 0;
let liveHash = null;
// Polite announcement in the page's status region (and visible there).
// It belongs to the screen (hash route) it was raised on: startApp's
// router clears it when the route changes (navigate first, then announce).
export function announce(msg) {
  const el = document.getElementById('status');
  if (!el) return;
  el.textContent = '';
  clearTimeout(liveTimer);
  cancelAnimationFrame(liveFrame);
  liveHash = location.hash;
  // A fresh text node so screen readers announce a repeated message too.
  liveFrame = requestAnimationFrame(() => {
    el.textContent = msg;
    liveTimer = setTimeout(() => { el.textContent = ''; }, 8000);
  });
}

// Empties the status region (e.g. when an error replaces an earlier success).
export function clearStatus() {
  const el = document.getElementById('status');
  clearTimeout(liveTimer);
  cancelAnimationFrame(liveFrame);
  if (el) el.textContent = '';
}

// Shows an error in a form's alert element (role="alert": read at once).
export function showError(el, err) {
  if (!el) return;
  let msg = err instanceof Error ? err.message : String(err);
  if (err && err.data && err.data.retry_after) {
    msg += ` Try again in ${formatWait(err.data.retry_after)}.`;
  }
  if (err && err.data && err.data.request_id && err.status >= 500) {
    msg += ` (Request id: ${err.data.request_id})`;
  }
  el.textContent = msg;
  el.hidden = false;
}

export function hideError(el) {
  if (!el) return;
  el.textContent = '';
  el.hidden = true;
}

function formatWait(s) {
  s = Math.max(1, Math.ceil(Number(s) || 0));
  if (s < 90) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

// Labelled form field: returns {wrap, input}. The label is tied to the
// input with for/id, a hint with aria-describedby.
let fieldSeq = 0;
export function field(label, attrs = {}, hint) {
  const id = attrs.id || `f${++fieldSeq}`;
  const multi = attrs.multiline;
  const a = Object.assign({}, attrs, { id });
  delete a.multiline;
  const input = h(multi ? 'textarea' : 'input', a);
  const wrap = h('div', { class: 'field' }, h('label', { for: id, text: label }));
  if (hint) {
    const hid = id + '-hint';
    input.setAttribute('aria-describedby', hid);
    wrap.appendChild(h('p', { class: 'hint', id: hid, text: hint }));
  }
  wrap.appendChild(input);
  return { wrap, input };
}

// Disables a form's controls while a request runs.
export async function busy(form, fn) {
  const controls = Array.from(form.querySelectorAll('button, input, textarea, select'));
  const was = controls.map((c) => c.disabled);
  form.setAttribute('aria-busy', 'true');
  controls.forEach((c) => { if (c.tagName === 'BUTTON') c.disabled = true; });
  try {
    return await fn();
  } finally {
    controls.forEach((c, i) => { if (c.tagName === 'BUTTON') c.disabled = was[i]; });
    form.removeAttribute('aria-busy');
  }
}

// Moves focus to the main heading after a screen change (keyboard and
// screen-reader users land at the start of the new content).
export function focusHeading(root) {
  const h1 = root.querySelector('h1, h2');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  }
}

// Converts a code-point offset in s to a UTF-16 index (for
// setSelectionRange and String.slice).
export function cpToUtf16(s, cp) {
  let i = 0;
  let n = 0;
  while (n < cp && i < s.length) {
    const c = s.charCodeAt(i);
    i += (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) ? 2 : 1;
    n++;
  }
  return i;
}

// The server's text limits (src/core/tickets.h). The server stays
// authoritative; these only let a form say so before sending. A textarea's
// maxlength counts UTF-16 units, and no text of at most 65536 UTF-8 bytes
// has more than 65536 units, so maxlength TEXT_MAX_BYTES never stops valid
// text; textTooLong() then counts the real bytes.
export const SUBJECT_MAX_CHARS = 200;
export const TEXT_MAX_BYTES = 65536;

// The message for a text over its limit, or '' when it fits.
export function textTooLong(s, what) {
  const bytes = new TextEncoder().encode(String(s)).length;
  if (bytes <= TEXT_MAX_BYTES) return '';
  return `${what} is too long: at most 64 KiB (${TEXT_MAX_BYTES} bytes) of text, this is ${bytes} bytes. Shorten it or split it into two messages.`;
}

// The message for a subject over its limit (code points), or ''.
export function subjectTooLong(s) {
  const n = Array.from(String(s)).length;
  return n > SUBJECT_MAX_CHARS ? `The subject is too long: at most ${SUBJECT_MAX_CHARS} characters, this is ${n}.` : '';
}

// Base64 of a string's UTF-8 bytes (for data: URIs).
export function base64Utf8(s) {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

export function statusLabel(s) {
  return ({ open: 'Open', pending: 'Pending', solved: 'Solved' })[s] || String(s || '');
}

// The coloured badge for a ticket status.
export function statusBadge(s) {
  return h('span', { class: `badge status-${s}`, text: statusLabel(s) });
}

// v when it is an array, else an empty one (server lists may be missing).
export function listOf(v) {
  return Array.isArray(v) ? v : [];
}

// ---------------------------------------------------------------- forms

// An empty, hidden error element (role="alert": read at once when shown).
export function alertBox(id) {
  return h('p', { class: 'error', role: 'alert', hidden: true, id });
}

// The actions row under a form with its primary submit button; extra
// children (a Cancel link) follow the button.
export function submitRow(text, ...extra) {
  return h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text }), ...extra);
}

// Labelled <select>: options are [value, text] pairs. Returns {wrap,
// input, follow}: follow(v) shows the stored value v, unless the user
// has picked another since the last follow (a repaint from a live update
// must not undo a choice not yet saved).
export function select(label, name, options, value) {
  const id = `sel-${name}`;
  const s = h('select', { id, name },
    options.map(([v, t]) => h('option', { value: v, selected: v === value ? true : null, text: t })));
  let shown = value;
  const follow = (v) => {
    if (s.value === shown) s.value = v;
    shown = v;
  };
  return { wrap: h('div', { class: 'field' }, h('label', { for: id, text: label }), s), input: s, follow };
}

// Why a draft cannot be sent ('' when it can): empty, or over 64 KiB.
// what names the text in the message ("The reply").
export function draftProblem(text, what, empty) {
  if (!String(text).trim()) return empty;
  return textTooLong(text, what);
}

// Wires a text composer. On submit: opts.reset() (default: hide
// opts.alert), then the draft is checked (draftProblem with opts.what and
// opts.empty) and refused with opts.refuse(message) and the focus back in
// the draft, or handed to opts.send(draft) while the form is busy; what
// send throws goes to opts.failed(error, draft). refuse and failed show
// the message in opts.alert unless given.
export function onDraft(form, input, opts) {
  const reset = opts.reset || (() => hideError(opts.alert));
  const refuse = opts.refuse || ((msg) => showError(opts.alert, msg));
  const failed = opts.failed || ((e) => showError(opts.alert, e));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    reset();
    const draft = input.value;
    const problem = draftProblem(draft, opts.what, opts.empty);
    if (problem) {
      refuse(problem);
      input.focus();
      return;
    }
    busy(form, async () => {
      try {
        await opts.send(draft);
      } catch (e) {
        failed(e, draft);
      }
    });
  });
}

// ---------------------------------------------------------------- login

// The three login fields: e-mail, password, authenticator code.
function loginFields(opts) {
  return {
    email: field(opts.emailLabel, { type: 'email', name: 'email', autocomplete: 'username', required: true, spellcheck: 'false' }),
    pass: field('Password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
    code: field('Authenticator code', {
      type: 'text', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code',
      pattern: '[0-9]{6}', maxlength: '6', required: opts.codeRequired, spellcheck: 'false', class: 'code',
    }, opts.codeHint),
  };
}

// Sends the login: the body is checked by opts.invalid(body) ({message,
// field} or null), then POSTed to opts.path; on success the CSRF token is
// kept, the password field emptied and opts.signedIn(res) called; on
// failure the code is emptied, then opts.refused(error, alert) may take
// the refusal (it returns true: it said so and moved the focus itself),
// else the server's message is shown and the focus goes back to the
// password.
function onLogin(form, err, fields, opts) {
  const { email, pass, code } = fields;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const body = { email: email.input.value.trim(), password: pass.input.value, totp: code.input.value.replace(/\s+/g, '') };
    const bad = opts.invalid(body, fields);
    if (bad) {
      showError(err, bad.message);
      bad.field.input.focus();
      return;
    }
    // A refusal is handled once busy() has enabled the buttons again
    // (opts.refused may move the focus to one of them).
    busy(form, async () => {
      try {
        const res = await opts.api.post(opts.path, body, { expect401: true });
        opts.api.setCsrf(res.csrf_token);
        pass.input.value = '';
        opts.signedIn(res);
        return null;
      } catch (e) {
        return e;
      }
    }).then((e) => {
      if (!e) return;
      code.input.value = '';
      if (opts.refused && opts.refused(e, err)) return;
      showError(err, e);
      pass.input.focus();
    });
  });
}

// The login form of both apps. opts: title, emailLabel, codeRequired,
// codeHint, notice (shown above the fields, e.g. "Your session has
// ended"), and api, path, invalid, signedIn, refused as onLogin takes
// them. Returns {form, email, err} (the caller focuses email once it is
// shown; err is the form's alert, for controls added below the form).
export function loginForm(opts) {
  const err = alertBox('login-error');
  const fields = loginFields(opts);
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h', text: opts.title }),
    opts.notice ? h('p', { class: 'notice', text: opts.notice }) : null,
    err, fields.email.wrap, fields.pass.wrap, fields.code.wrap,
    submitRow('Log in'));
  onLogin(form, err, fields, opts);
  return { form, email: fields.email, err };
}

// ---------------------------------------------------------------- shell

// The skip link targets #main, which would otherwise look like a route
// change: move the focus without touching the hash.
function initSkipLink() {
  const skip = document.querySelector('a.skip');
  const target = document.getElementById('main');
  if (!skip || !target) return;
  skip.addEventListener('click', (ev) => {
    ev.preventDefault();
    target.focus();
    target.scrollIntoView();
  });
}

// True when the hash names a route ("#/..." or nothing).
function isRouteHash() {
  return !location.hash || location.hash.startsWith('#/');
}

// Current hash route: {parts: ['tickets', '12'], query: URLSearchParams}.
export function route() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, q] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q || '') };
}

// Navigates to a hash route; calls render at once when the hash does not
// change (a changed hash renders through the hashchange listener).
export function navigate(hash, render) {
  if (location.hash === hash || (hash === '' && !location.hash)) render();
  else location.hash = hash;
}

// Marks the navigation link of the current route with aria-current
// (fallback names the route of an empty hash).
export function markCurrentNav(nav, fallback) {
  const r = route();
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    if (a.dataset.nav === (r.parts[0] || fallback)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// Starts an app: the skip link, the "Log out" button (DELETE sessionPath,
// then signedOut), the hash router, and the first loadSession and render.
export function startApp({ api, sessionPath, loadSession, render, signedOut }) {
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api.del(sessionPath, { expect401: true });
    } catch (e) {
      /* the session is gone either way */
    }
    signedOut('You have logged out.');
  });
  initSkipLink();
  window.addEventListener('hashchange', () => {
    if (!isRouteHash()) return;
    if (location.hash !== liveHash) clearStatus();
    render();
  });
  (async () => {
    await loadSession();
    await render();
  })();
}

// "Load more" for a list the API reads by cursor (next_cursor, null at
// the end; issue 14): into nav, a button that calls load(next), which
// appends that page and resolves to { next, first } (the page's
// next_cursor and its first new focusable element). Focus moves to that
// element, then the button is offered again for the page after, or the
// text done (may be null) when there is none.
export function morePager(nav, next, load, err, done) {
  if (!next) {
    replace(nav, done ? h('p', { class: 'muted', text: done }) : null);
    return;
  }
  const b = h('button', { type: 'button', class: 'load-more', text: 'Load more' });
  b.addEventListener('click', async () => {
    b.disabled = true;
    b.textContent = 'Loading…';
    try {
      const page = await load(next);
      morePager(nav, page.next, load, err, done);
      if (page.first) page.first.focus();
    } catch (e) {
      b.disabled = false;
      b.textContent = 'Load more';
      showError(err, e);
    }
  });
  replace(nav, b);
}
