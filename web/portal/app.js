// Gatehouse customer portal. No framework, no build step; every server
// string is rendered as text (see lib.js).
import {
  Api, ApiError, h, replace, timeEl, announce, showError, hideError, field,
  busy, focusHeading, base64Utf8, statusBadge, listOf, route, alertBox, submitRow,
  loginForm, onDraft, navigate, markCurrentNav, startApp, morePager,
  SUBJECT_MAX_CHARS, TEXT_MAX_BYTES, textTooLong, subjectTooLong,
} from './lib.js';
import { showRequests, requestsNotice } from './requests.js';
import { portalSearch } from './search.js';
import { showContactPolicy, showCheck, showSecurity } from './protect.js';
import { selfRoute, loginLinks, securityCards, showRecoveryCodes, solveControl } from './self.js';
import { watchPortal } from './live.js';
import { passkeyLoginButton } from './passkeys.js';

const API = '/api/v1/portal';
// Tickets per page of the list.
const PAGE = 25;
const api = new Api();
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const banner = document.getElementById('phrase-banner');

const state = {
  me: null,          // {id} once logged in with MFA
  enrolling: false,  // logged in, authenticator not set up yet
  phrase: undefined, // anti-phishing phrase ('' = none set, null = unknown)
  loginNotice: '',
  inboundNotice: '', // why the inbound filter changed the message just sent
};

api.onSessionLost = () => {
  if (!state.me && !state.enrolling) return;
  signedOut('Your session has ended. Please log in again.');
};

// Navigates to a hash route; renders at once when the hash does not change
// (a changed hash renders through the hashchange listener).
function go(hash) {
  navigate(hash, render);
}

function signedOut(notice) {
  history.replaceState(null, '', location.pathname);
  state.me = null;
  state.enrolling = false;
  state.phrase = undefined;
  state.loginNotice = notice || '';
  api.setCsrf('');
  render();
}

// ---------------------------------------------------------------- shell

function setChrome() {
  const inside = !!state.me;
  nav.hidden = !(inside || state.enrolling);
  for (const li of nav.querySelectorAll('li')) {
    if (!li.querySelector('#logout')) li.hidden = !inside;
  }
  markCurrentNav(nav, 'tickets');
  renderBanner();
}

function renderBanner() {
  if (!state.me || state.phrase === undefined || state.phrase === null) {
    banner.hidden = true;
    replace(banner);
    return;
  }
  banner.hidden = false;
  if (state.phrase) {
    replace(banner,
      h('span', { class: 'phrase-label', text: 'Your anti-phishing phrase:' }), ' ',
      h('strong', { class: 'phrase', text: state.phrase }), ' ',
      h('span', { text: 'Every genuine e-mail from us shows it. No phrase, or a different one: the message is not from us.' }));
  } else {
    replace(banner,
      h('span', { text: 'You have not chosen an anti-phishing phrase yet. ' }),
      h('a', { href: '#/settings', text: 'Choose one in Security settings' }),
      h('span', { text: ' so you can recognise genuine e-mails from us.' }));
  }
}

function screen(...children) {
  replace(main, ...children);
  setChrome();
  focusHeading(main);
}

function contactNote() {
  return h('section', { class: 'card contact', 'aria-labelledby': 'contact-h' },
    h('h2', { id: 'contact-h', text: 'How we contact you' }),
    h('ul', null,
      // Keep in step with the notification text in src/core/notify.c.
      h('li', { text: 'Our e-mails only tell you that a new secure message is waiting. They never contain the message itself, your personal details or attachments.' }),
      h('li', { text: `The only address in our e-mails is this portal’s: ${location.origin}/. Type it yourself or use your bookmark, and check that it matches.` }),
      h('li', { text: 'Every genuine e-mail from us shows your anti-phishing phrase. If one does not, do not follow its links.' }),
      h('li', { text: 'We will never ask for your password, authenticator codes or card details — not by e-mail or phone, and not in a ticket.' }),
      h('li', { text: 'Read and answer our messages here in the portal.' })),
    h('p', null, h('a', { href: '#/contact', text: 'Our full contact policy' })));
}

// What self-service (self.js) needs of the app.
function selfCtx() {
  return { api, API, screen, go, signedIn: loggedIn };
}

// ---------------------------------------------------------------- login

// The login form needs e-mail and password; the code may be empty (first
// login of an invited customer) but has 6 digits when given.
function invalidLogin(body, f) {
  if (!body.email || !body.password) {
    return { message: 'Enter your e-mail address and password.', field: body.email ? f.pass : f.email };
  }
  if (body.totp && !/^[0-9]{6}$/.test(body.totp)) {
    return { message: 'The authenticator code has 6 digits.', field: f.code };
  }
  return null;
}

// After a login: the enrolment screen, or the page asked for.
function loggedIn(res) {
  if (res.enrollment_required) {
    state.enrolling = true;
    state.me = null;
    go('#/enrol');
  } else {
    state.me = { id: res.id };
    loadPhrase();
    const r = route();
    go(!r.parts.length || r.parts[0] === 'enrol' ? '#/tickets' : location.hash);
  }
}

function showLogin() {
  const login = loginForm({
    title: 'Log in', emailLabel: 'E-mail address', codeRequired: false,
    codeHint: 'The 6 digits your authenticator app shows now. Setting up for the first time? Leave this empty.',
    notice: state.loginNotice, api, path: `${API}/session`, invalid: invalidLogin, signedIn: loggedIn,
  });
  login.form.append(passkeyLoginButton({ api, base: API, email: login.email.input, err: login.err, signedIn: loggedIn }).wrap);
  state.loginNotice = '';
  screen(h('div', { class: 'two-col' }, h('div', null, login.form, loginLinks(selfCtx())), contactNote()));
  login.email.input.focus();
}

// ----------------------------------------------------------- enrolment

async function showEnrollment() {
  const err = alertBox();
  const qrBox = h('div', { class: 'qr' }, h('p', { class: 'loading', text: 'Preparing your authenticator key…' }));
  const secretBox = h('div', { class: 'secret' });
  const code = field('Code from your authenticator app', {
    type: 'text', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: '6', required: true, spellcheck: 'false', class: 'code',
  }, 'After adding the key, type the 6 digits the app shows. Your authenticator is active only once this code is accepted.');
  const form = h('form', { class: 'form', novalidate: true },
    err, code.wrap,
    submitRow('Activate authenticator'));

  screen(h('section', { class: 'card enrol', 'aria-labelledby': 'enrol-h' },
    h('h1', { id: 'enrol-h', text: 'Set up your authenticator app' }),
    h('p', { text: 'Your account needs a second step at every login: a code from an authenticator app on your phone (for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator).' }),
    h('ol', { class: 'steps' },
      h('li', { text: 'Open the app and choose to add an account by scanning a QR code.' }),
      h('li', { text: 'Scan the code below, or type the key shown under it.' }),
      h('li', { text: 'Type the 6-digit code the app shows to activate it.' })),
    qrBox, secretBox, form));

  try {
    const res = await api.post(`${API}/enrollment`);
    // The SVG is shown as an image from a data: URI, never inserted as
    // markup, so nothing in it can run or touch the page.
    const img = h('img', {
      src: 'data:image/svg+xml;base64,' + base64Utf8(String(res.qr_svg || '')),
      alt: 'QR code for your authenticator app. If you cannot scan it, type the key shown below.',
      width: '220', height: '220',
    });
    replace(qrBox, img);
    const grouped = String(res.secret || '').replace(/(.{4})/g, '$1 ').trim();
    replace(secretBox,
      h('p', { class: 'hint', id: 'secret-label', text: 'Key for typing in by hand:' }),
      h('code', { class: 'key', 'aria-labelledby': 'secret-label', text: grouped }));
  } catch (e) {
    replace(qrBox);
    showError(err, e);
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const totp = code.input.value.replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(totp)) {
      showError(err, 'The code has 6 digits.');
      code.input.focus();
      return;
    }
    busy(form, async () => {
      try {
        const res = await api.post(`${API}/enrollment/confirm`, { totp });
        api.setCsrf(res.csrf_token);
        state.enrolling = false;
        await loadSession();
        // Its recovery codes, shown this once (self.js).
        showRecoveryCodes(selfCtx(), res.recovery_codes || [], () => go('#/tickets'));
        announce('Your authenticator is active. You will need a code from it at every login.');
      } catch (e) {
        showError(err, e);
        code.input.value = '';
        code.input.focus();
      }
    });
  });
}

// --------------------------------------------------------- ticket list

// One of the customer's tickets in their list.
function ticketRow(t) {
  return h('li', null,
    h('a', { href: `#/tickets/${encodeURIComponent(t.id)}`, class: 'ticket-row' },
      h('span', { class: 'subject', text: t.subject || '(no subject)' }),
      h('span', { class: 'meta' },
        statusBadge(t.status),
        t.last_from === 'agent' ? h('span', { class: 'badge new', text: 'New reply from us' }) : null,
        h('span', { class: 'muted' }, 'Updated ', timeEl(t.updated_at)),
        h('span', { class: 'muted', text: `#${t.id}` }))));
}

// A live update of the list (live.js, ctx as showTickets builds it):
// the first page drawn again in place, so the search form and a query
// being typed stay, and a focused row keeps the focus. Search results
// stay as they are until "Show all tickets".
function liveList(ctx) {
  let failed = false;
  return async () => {
    if (ctx.search.shown()) return;
    const at = document.activeElement;
    const href = at && ctx.rows.contains(at) ? at.getAttribute('href') : null;
    try {
      const res = await api.get(`${API}/tickets?limit=${PAGE}`);
      if (ctx.search.shown() || !ctx.list.isConnected) return;
      if (failed) hideError(ctx.err);
      failed = false;
      replace(ctx.rows, ...listOf(res.tickets).map(ticketRow));
      replace(ctx.list, ctx.rows.childElementCount ? ctx.rows : h('p', { class: 'empty', text: 'You have no tickets yet. Write to us with “New ticket”.' }));
      replace(ctx.more);
      if (res.next_cursor) morePager(ctx.more, res.next_cursor, ctx.load, ctx.err, 'That is all your tickets.');
      const again = href ? [...ctx.rows.querySelectorAll('a')].find((a) => a.getAttribute('href') === href) : null;
      if (again) again.focus();
    } catch (e) {
      failed = true;
      showError(ctx.err, e);
    }
  };
}

// The customer's tickets, PAGE at a time: "Load more" reads the next page
// by the list's cursor (next_cursor).
async function showTickets() {
  const list = h('div', { class: 'list-wrap' }, h('p', { class: 'loading', text: 'Loading your tickets…' }));
  const more = h('nav', { class: 'actions', 'aria-label': 'More tickets' });
  const rows = h('ul', { class: 'tickets', 'aria-label': 'Your tickets' });
  const err = alertBox();
  screen(
    h('div', { class: 'page-head' },
      h('h1', { text: 'My tickets' }),
      h('a', { class: 'button primary', href: '#/new', text: 'New ticket' })),
    err, list, more, contactNote());
  const search = portalSearch({ api, API, list, more, err, reset: showTickets });
  list.before(search.el);
  requestsNotice({ api, API }).then((n) => { if (n && list.isConnected) list.before(n); });
  async function load(cursor) {
    const res = await api.get(`${API}/tickets?limit=${PAGE}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
    const items = listOf(res.tickets).map(ticketRow);
    rows.append(...items);
    return { next: res.next_cursor, first: items.length ? items[0].querySelector('a') : null };
  }
  try {
    const page = await load(null);
    if (!rows.childElementCount) {
      replace(list, h('p', { class: 'empty', text: 'You have no tickets yet. Write to us with “New ticket”.' }));
      return;
    }
    replace(list, rows);
    if (page.next) morePager(more, page.next, load, err, 'That is all your tickets.');
    watchPortal(list, null, liveList({ list, rows, more, err, load, search })); // live.js
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}

// ------------------------------------------------------------- ticket

// What the inbound filter removed from one of the customer's own messages.
function redactedMarker(m) {
  const red = listOf(m.redacted);
  if (!red.length) return null;
  // The anti-phishing phrase (core/contact.h): the customer's own secret.
  const phrase = red.some((r) => r && r.type === 'anti_phishing_phrase');
  return h('p', { class: 'redacted-marker', text: phrase
    ? 'We removed your anti-phishing phrase from this message before our staff could see it. Never give it to anyone: we will never ask for it.'
    : 'We removed something from this message that looked like a password, key, card number or identity number, before our staff could see it.' });
}

// One message of the conversation: the customer's own ("You") or ours.
function messageItem(m) {
  const ours = m.from === 'agent';
  return h('li', { class: `msg ${ours ? 'from-agent' : 'from-customer'}` },
    h('article', { 'aria-label': ours ? `Message from ${m.author || 'support'}` : 'Your message' },
      h('header', null,
        h('span', { class: 'who', text: ours ? (m.author || 'Support team') : 'You' }),
        ours ? h('span', { class: 'badge', text: 'Support team' }) : null,
        ' ', timeEl(m.created_at)),
      h('p', { class: 'body', text: m.body || '' }),
      ours ? null : redactedMarker(m)));
}

// The reply composer of ticket id; a sent reply shows the ticket again
// (with the inbound filter's notice) and puts the focus back in the composer.
function replyComposer(id) {
  const replyErr = alertBox();
  const reply = field('Your reply', { multiline: true, name: 'body', rows: '6', required: true, maxlength: String(TEXT_MAX_BYTES) },
    'Never include your password or authenticator code — we will never ask for them.');
  const form = h('form', { class: 'card form composer', novalidate: true, 'aria-labelledby': 'reply-h' },
    h('h2', { id: 'reply-h', text: 'Write a reply' }),
    replyErr, reply.wrap,
    submitRow('Send reply'));
  onDraft(form, reply.input, {
    what: 'Your reply',
    empty: 'Write your reply first.',
    alert: replyErr,
    send: async (text) => {
      const res = await api.post(`${API}/tickets/${encodeURIComponent(id)}/messages`, { body: text });
      reply.input.value = '';
      state.inboundNotice = (res && res.notice) || '';
      announce('Your reply was sent.');
      await showTicket(id);
      const nf = main.querySelector('textarea');
      if (nf) nf.focus();
    },
  });
  return form;
}

async function showTicket(id) {
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading…' }));
  // The inbound filter's notice about the message just sent, shown once.
  const notice = state.inboundNotice
    ? h('p', { class: 'notice inbound-notice', role: 'status', text: state.inboundNotice }) : null;
  state.inboundNotice = '';
  screen(h('p', { class: 'back' }, h('a', { href: '#/tickets', text: '← All my tickets' })),
    h('h1', { text: `Ticket #${id}` }), notice, err, body);
  let t;
  try {
    t = await api.get(`${API}/tickets/${encodeURIComponent(id)}`);
  } catch (e) {
    replace(body);
    showError(err, e);
    return;
  }
  main.querySelector('h1').textContent = t.subject || `Ticket #${id}`;
  const messages = listOf(t.messages);
  replace(body,
    h('p', { class: 'meta' },
      statusBadge(t.status), ' ',
      h('span', { class: 'muted' }, `Ticket #${t.id} · opened `, timeEl(t.created_at))),
    solveControl(selfCtx(), t, () => showTicket(id)),
    watchPortal(body, id, () => showTicket(id)), // live.js
    messages.length
      ? h('ol', { class: 'conversation', 'aria-label': 'Conversation' }, messages.map(messageItem))
      : h('p', { class: 'empty', text: 'No messages yet.' }),
    replyComposer(id), attachmentsSection(id));
}

// ---------------------------------------------------------- attachments

const VERDICT_LABEL = { clean: 'Checked', suspicious: 'Checked with care', dangerous: 'Held back' };

// Reads a File as base64 (the part after the data: URL's comma).
function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const s = String(r.result || '');
      resolve(s.slice(s.indexOf(',') + 1));
    };
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

// A file of the list; its notice is left out while the upload result
// under the list shows it (hideNotice).
function attachmentItem(a, hideNotice) {
  return h('li', { class: 'attachment' },
    h('span', { class: 'filename', text: a.filename }), ' ',
    h('span', { class: `badge verdict-${a.verdict}`, text: VERDICT_LABEL[a.verdict] || a.verdict }), ' ',
    h('span', { class: 'muted', text: `${a.size} bytes` }),
    a.notice && !hideNotice ? h('p', { class: 'hint', text: a.notice }) : null);
}

// The customer's files on ticket id, and a form to add one.
function attachmentsSection(id) {
  const path = `${API}/tickets/${encodeURIComponent(id)}/attachments`;
  const list = h('ul', { class: 'attachments', 'aria-label': 'Your files' });
  const err = alertBox();
  const result = h('p', { class: 'notice', role: 'status', hidden: true });
  let shown = null; // the id of the file whose notice result shows
  const file = field('Attach a file', { type: 'file', name: 'file' },
    'Up to 5 MB. Files are checked for malware and sign-in data before our staff can open them.');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'files-h' },
    h('h2', { id: 'files-h', text: 'Files' }),
    list, err, result, file.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Upload file' })));

  async function load() {
    try {
      const data = await api.get(path);
      const items = listOf(data.attachments);
      replace(list, items.length ? items.map((a) => attachmentItem(a, a.id === shown))
        : h('li', { class: 'empty', text: 'No files yet.' }));
    } catch (e) {
      showError(err, e);
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    result.hidden = true;
    shown = null;
    const f = file.input.files && file.input.files[0];
    if (!f) {
      showError(err, 'Choose a file first.');
      file.input.focus();
      return;
    }
    busy(form, async () => {
      try {
        const content = await fileBase64(f);
        const a = await api.post(path, { filename: f.name, content_base64: content });
        // One message: a held-back file's notice in the warning style
        // (not the success banner), not repeated in the list.
        result.className = a.quarantined ? 'notice warning' : 'notice';
        result.textContent = a.notice || (a.quarantined ? 'Your file was held back for safety.' : 'Your file was received.');
        result.hidden = false;
        shown = a.notice ? a.id : null;
        if (!a.quarantined) announce('Your file was uploaded.');
        file.input.value = '';
        await load();
      } catch (e) {
        showError(err, e);
      }
    });
  });
  load();
  return form;
}

// ---------------------------------------------------------- new ticket

function showNew() {
  const err = alertBox();
  const subject = field('Subject', { type: 'text', name: 'subject', required: true, maxlength: String(SUBJECT_MAX_CHARS), autocomplete: 'off' },
    'A few words about what you need.');
  const text = field('Message', { multiline: true, name: 'body', rows: '8', required: true, maxlength: String(TEXT_MAX_BYTES) },
    'Describe the problem. Do not include passwords, authenticator codes or full card numbers.');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'new-h' },
    h('h1', { id: 'new-h', text: 'New ticket' }), err, subject.wrap, text.wrap,
    submitRow('Send to support', h('a', { href: '#/tickets', class: 'button', text: 'Cancel' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const body = { subject: subject.input.value.trim(), body: text.input.value };
    if (!body.subject) { showError(err, 'Give your ticket a subject.'); subject.input.focus(); return; }
    if (!body.body.trim()) { showError(err, 'Write a message.'); text.input.focus(); return; }
    const long = subjectTooLong(body.subject) || textTooLong(body.body, 'Your message');
    if (long) { showError(err, long); (subjectTooLong(body.subject) ? subject : text).input.focus(); return; }
    busy(form, async () => {
      try {
        const t = await api.post(`${API}/tickets`, body);
        state.inboundNotice = (t && t.notice) || '';
        go(`#/tickets/${encodeURIComponent(t.id)}`);
        announce('Your ticket was created.');
      } catch (e) {
        showError(err, e);
      }
    });
  });
  screen(form);
}

// ------------------------------------------------------------ settings

async function showSettings() {
  const err = alertBox();
  const phrase = field('Anti-phishing phrase', { type: 'text', name: 'phrase', maxlength: '64', autocomplete: 'off', spellcheck: 'false' },
    'A few words only you know (not a password). We show them in every genuine e-mail, so a message without them is not from us.');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'phrase-h' },
    h('h2', { id: 'phrase-h', text: 'Recognise our e-mails' }), err, phrase.wrap,
    submitRow('Save phrase'));
  screen(h('h1', { text: 'Security settings' }), h('div', { class: 'two-col' }, form, contactNote()), securityCards(selfCtx()));
  try {
    const res = await api.get(`${API}/phrase`);
    // What the customer typed while it loaded is kept.
    if (!phrase.input.value) phrase.input.value = res.phrase || '';
    state.phrase = res.phrase || '';
    renderBanner();
  } catch (e) {
    showError(err, e.status === 404 ? 'The anti-phishing phrase cannot be loaded right now.' : e);
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const value = phrase.input.value.trim();
    busy(form, async () => {
      try {
        const res = await api.put(`${API}/phrase`, { phrase: value });
        state.phrase = (res && typeof res.phrase === 'string') ? res.phrase : value;
        renderBanner();
        announce('Your anti-phishing phrase was saved.');
      } catch (e) {
        showError(err, e);
      }
    });
  });
}

// -------------------------------------------------------------- router

async function loadPhrase() {
  try {
    const res = await api.get(`${API}/phrase`);
    state.phrase = res.phrase || '';
  } catch (e) {
    state.phrase = null;
  }
  renderBanner();
}

async function loadSession() {
  try {
    const s = await api.get(`${API}/session`, { expect401: true });
    api.setCsrf(s.csrf_token);
    if (s.enrollment_required) {
      state.enrolling = true;
      state.me = null;
    } else {
      state.me = { id: s.id };
      state.enrolling = false;
      loadPhrase();
    }
  } catch (e) {
    if (e.code === 'mfa_enrollment_required' && api.csrf) {
      state.enrolling = true;
    } else {
      state.me = null;
      state.enrolling = false;
      if (e.status !== 401) state.loginNotice = e.message;
      api.setCsrf('');
    }
  }
}

let rendering = 0;
async function render() {
  const seq = ++rendering;
  if (state.enrolling) {
    if (location.hash !== '#/enrol') { go('#/enrol'); return; }
    return showEnrollment();
  }
  const { parts } = route();
  const protect = { api, API, screen, loggedIn: !!state.me };
  if (parts[0] === 'contact') return showContactPolicy(protect); // before login too
  if (!state.me && selfRoute(parts, selfCtx())) return;
  if (!state.me) return showLogin();
  if (seq !== rendering) return;
  try {
    switch (parts[0]) {
      case 'check': return showCheck(protect);
      case 'security': return await showSecurity(protect);
      case 'new': return showNew();
      case 'settings': return showSettings();
      case 'requests': return await showRequests({ api, API, screen });
      case 'tickets':
        if (parts[1] && /^[0-9]+$/.test(parts[1])) return await showTicket(parts[1]);
        return await showTickets();
      default:
        go('#/tickets');
    }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
}

startApp({ api, sessionPath: `${API}/session`, loadSession, render, signedOut });
