// Gatehouse customer portal: telling the company from an impostor.
//
// "How we contact you" (#/contact): the contact policy from the server's
// configuration, readable before and after login, so the link in every
// e-mail works. "Is this really us?" (#/check): the customer enters the
// contact code a caller gave them and sees either who gave it (first
// name, ticket, how long ago) or a clear warning that nobody from the
// company did, with what to do. The security centre (#/security): recent
// logins, active sessions (end any), the authenticator, pending account
// changes (cancel), and which of our agents revealed which details and
// why; the customer's passkeys (shared/passkeys.js: add, rename, delete).
//
// Every string from the server goes into the page as text (lib.js h()).
import { ApiError, h, replace, timeEl, announce, clearStatus, showError, hideError, field, busy, listOf, alertBox, submitRow } from './lib.js';
import { passkeysCard } from './passkeys.js';

const FIELD_NAMES = {
  email: 'e-mail address', phone: 'phone number', dob: 'date of birth',
  address: 'postal address', account_number: 'account number', name: 'name',
};

const CHANGE_KIND = {
  email: 'Change of your e-mail address',
  phone: 'Change of your phone number',
  mfa_reset: 'Reset of your authenticator app',
  account_number: 'Change of your account number',
};

// "2 minutes ago", "just now", "3 hours ago" for a unix time.
export function ago(unix) {
  const s = Math.max(0, Math.floor(Date.now() / 1000) - Number(unix));
  if (s < 60) return 'just now';
  const units = [[86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [n, name] of units) {
    if (s >= n) {
      const k = Math.floor(s / n);
      return `${k} ${name}${k === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

function policyList(items, cls) {
  return h('ul', { class: cls }, listOf(items).map((t) => h('li', { text: t })));
}

// What to call us on: the configured number, or where to find it.
function phoneLine(p) {
  return p.phone
    ? h('p', { class: 'policy-phone' }, 'Our support number: ', h('strong', { text: p.phone }), '. Call it yourself; never call back a number a caller or a message gave you.')
    : h('p', { class: 'policy-phone', text: 'Call us only on the number printed on your contract, card or statement; never on a number a caller or a message gave you.' });
}

// ------------------------------------------------------ contact policy

// The "How we contact you" page. app: {api, API, screen, loggedIn}.
export async function showContactPolicy(app) {
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading…' }));
  clearStatus();
  app.screen(h('div', { class: 'page-head' }, h('h1', { text: 'How we contact you' }),
    app.loggedIn ? null : h('a', { href: '#/', class: 'button', text: 'Log in' })), err, body);
  let p;
  try {
    p = await app.api.get(`${app.API}/contact-policy`);
  } catch (e) {
    replace(body);
    showError(err, e);
    return;
  }
  replace(body,
    h('section', { class: 'card policy', 'aria-labelledby': 'pol-ch' },
      h('h2', { id: 'pol-ch', text: `How ${p.company} contacts you` }),
      policyList(p.channels, 'policy-channels'),
      phoneLine(p),
      h('p', null, 'Our only web address is ', h('strong', { text: p.portal_url }), '. Type it yourself or use your bookmark.')),
    h('section', { class: 'card policy never', 'aria-labelledby': 'pol-never' },
      h('h2', { id: 'pol-never', text: 'We will never ask you for' }),
      policyList(p.never_ask, 'policy-never')),
    h('section', { class: 'card policy', 'aria-labelledby': 'pol-doubt' },
      h('h2', { id: 'pol-doubt', text: 'When in doubt' }),
      policyList(p.in_doubt, 'policy-doubt'),
      h('p', null, 'Every genuine e-mail from us shows your anti-phishing phrase. A caller from us can give you a contact code that you check under ',
        app.loggedIn ? h('a', { href: '#/check', text: 'Is this really us?' }) : h('strong', { text: 'Is this really us?' }),
        ` after logging in; a code is valid for ${p.code_minutes} minutes and only once.`)));
}

// ------------------------------------------------------- contact codes

// The advice after a code nobody from us gave (or a check that failed).
function impostorWarning() {
  return h('div', { class: 'scam-warning check-result', role: 'alert' },
    h('h2', { id: 'check-h', tabindex: '-1', text: 'Warning: nobody from our company gave you this code' }),
    h('p', { text: 'The code is unknown, expired, was already checked, or was given to someone else. Whoever gave it to you may not be from us.' }),
    h('h3', { text: 'What to do now' }),
    h('ul', null,
      h('li', { text: 'Hang up or stop replying. Do not follow their links or install anything.' }),
      h('li', null, 'Call us yourself on the number in ', h('a', { href: '#/contact', text: 'How we contact you' }), '.'),
      h('li', { text: 'Never share your password, authenticator codes or card details with anyone, whoever they say they are.' })));
}

function genuinePanel(res) {
  return h('div', { class: 'notice approved check-result', role: 'status' },
    h('h2', { id: 'check-h', tabindex: '-1', text: `Genuine: ${res.agent}, ticket #${res.ticket}, issued ${ago(res.issued_at)}` }),
    h('p', null, 'This code was given by ', h('strong', { text: res.agent }), ` from our support team about ticket #${res.ticket}, at `, timeEl(res.issued_at), '.'),
    h('p', { text: 'Even so, we will never ask for your password or authenticator codes. A code works once: a second check of it shows a warning.' }));
}

// The "Is this really us?" page. app: {api, API, screen}.
export function showCheck(app) {
  const err = alertBox();
  const out = h('div', { class: 'outcome', hidden: true });
  const code = field('Contact code', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'off', maxlength: '32', placeholder: '1234-5678' },
    'The 8 digits the person who contacted you read out or wrote to you.');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'chk-h' },
    h('h2', { id: 'chk-h', text: 'Check a contact code' }), err, code.wrap, submitRow('Check code'));
  clearStatus();
  app.screen(h('h1', { text: 'Is this really us?' }),
    h('p', { class: 'lead', text: 'Someone calls or writes saying they are from us? Ask them for a contact code and enter it here.' }),
    out, form);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const value = code.input.value.trim();
    if (!value) { showError(err, 'Enter the code you were given.'); code.input.focus(); return; }
    busy(form, async () => {
      try {
        const res = await app.api.post(`${app.API}/contact-codes/check`, { code: value });
        replace(out, res.genuine ? genuinePanel(res) : impostorWarning());
        out.hidden = false;
        code.input.value = '';
        out.querySelector('h2').focus();
      } catch (e) {
        showError(err, e instanceof ApiError && e.code === 'rate_limited'
          ? 'You have checked too many codes. Please wait a while before checking another; meanwhile, call us on the number in How we contact you.'
          : e);
      }
    });
  });
}

// ------------------------------------------------------ security centre

function section(id, title, ...children) {
  return h('section', { class: 'card sc', 'aria-labelledby': id }, h('h2', { id, text: title }), ...children);
}

function loginItem(l) {
  return h('li', { class: l.ok ? 'login ok' : 'login failed' },
    timeEl(l.at), ' — ', h('span', { text: l.ok ? 'logged in' : 'failed login' }),
    ' from network ', h('code', { text: l.network || l.ip || 'unknown' }));
}

async function endSession(app, ui, s) {
  hideError(ui.serr);
  try {
    await app.api.del(`${app.API}/sessions/${encodeURIComponent(s.id)}`);
    announce('The session was ended.');
  } catch (e) {
    showError(ui.serr, e);
  }
  await loadSessions(app, ui);
}

function sessionItem(app, ui, s) {
  const end = s.current ? h('span', { class: 'badge', text: 'This browser' })
    : h('button', { type: 'button', class: 'danger', text: 'End' });
  if (!s.current) end.addEventListener('click', () => { end.disabled = true; endSession(app, ui, s); });
  return h('li', { class: 'session' },
    h('span', null, 'Since ', timeEl(s.created_at), ', last active ', timeEl(s.last_seen), ', network ', h('code', { text: s.network || s.ip || 'unknown' })), ' ', end);
}

async function loadSessions(app, ui) {
  const res = await app.api.get(`${app.API}/sessions`);
  const items = listOf(res.sessions);
  replace(ui.sessions, h('ul', { class: 'sessions', 'aria-label': 'Active sessions' }, items.map((s) => sessionItem(app, ui, s))));
}

function revealItem(r) {
  return h('li', { class: 'reveal' },
    timeEl(r.at), ': ', h('strong', { text: r.agent }), ' saw your ',
    h('span', { text: FIELD_NAMES[r.field] || r.field }), '. Reason given: ', h('q', { text: r.reason }));
}

async function cancelChange(app, ui, c) {
  hideError(ui.cerr);
  try {
    await app.api.post(`${app.API}/changes/${encodeURIComponent(c.id)}/cancel`, {});
    announce('The change was cancelled.');
  } catch (e) {
    showError(ui.cerr, e);
  }
  await loadOverview(app, ui);
}

function changeItem(app, ui, c) {
  const cancel = h('button', { type: 'button', text: 'Cancel' });
  cancel.addEventListener('click', () => { cancel.disabled = true; cancelChange(app, ui, c); });
  return h('li', { class: 'pchange' },
    h('span', { text: CHANGE_KIND[c.kind] || 'A change to your account' }), ', asked for on ', timeEl(c.created_at),
    c.apply_after ? [', takes effect ', timeEl(c.apply_after)] : '', '. ', cancel);
}

function authItem(a) {
  return h('li', null, 'Authenticator app: ', a.enrolled
    ? h('span', null, 'set up since ', timeEl(a.since))
    : h('strong', { text: 'not set up — you will set it up at your next login' }));
}

async function loadOverview(app, ui) {
  const s = await app.api.get(`${app.API}/security`);
  const reveals = listOf(s.reveals), changes = listOf(s.changes);
  replace(ui.auth, h('ul', null, listOf(s.authenticators).map(authItem),
    h('li', null, 'Anti-phishing phrase: ', s.phrase_set ? 'set' : h('a', { href: '#/settings', text: 'not set — choose one' }))));
  replace(ui.changes, changes.length
    ? h('ul', { class: 'pchanges' }, changes.map((c) => changeItem(app, ui, c)))
    : h('p', { class: 'empty', text: 'No pending changes to your account.' }));
  replace(ui.reveals, reveals.length
    ? h('ul', { class: 'reveals' }, reveals.map(revealItem))
    : h('p', { class: 'empty', text: 'None of our agents has looked at your personal details.' }));
}

// Loads fn; a failure replaces list's content and shows in err.
async function loadInto(fn, list, err) {
  try {
    await fn();
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}

// The security centre. app: {api, API, screen}.
export async function showSecurity(app) {
  const ui = {
    logins: h('div', null, h('p', { class: 'loading', text: 'Loading…' })),
    sessions: h('div'), auth: h('div'), changes: h('div'), reveals: h('div'),
    lerr: alertBox(), serr: alertBox(), cerr: alertBox(), oerr: alertBox(),
  };
  clearStatus();
  app.screen(h('h1', { text: 'Security centre' }),
    h('div', { class: 'sc-grid' },
      section('sc-logins', 'Recent logins', ui.lerr, ui.logins),
      section('sc-sessions', 'Where you are logged in', h('p', { class: 'hint', text: 'Do not recognise one? End it, and tell us in a new ticket.' }), ui.serr, ui.sessions),
      section('sc-auth', 'How you log in', ui.oerr, ui.auth),
      passkeysCard({ api: app.api, base: app.API, id: 'sc-passkeys', cls: 'sc' }),
      section('sc-changes', 'Pending account changes', ui.cerr, ui.changes),
      section('sc-reveals', 'Who looked at your details', h('p', { class: 'hint', text: 'Our agents see your details masked; each time one shows a detail in full, it is recorded here with the reason.' }), ui.reveals)));
  await Promise.all([
    loadInto(async () => {
      const res = await app.api.get(`${app.API}/logins`);
      const items = listOf(res.logins).slice(0, 10);
      replace(ui.logins, items.length ? h('ul', { class: 'logins' }, items.map(loginItem)) : h('p', { class: 'empty', text: 'No logins recorded yet.' }));
    }, ui.logins, ui.lerr),
    loadInto(() => loadSessions(app, ui), ui.sessions, ui.serr),
    loadInto(() => loadOverview(app, ui), ui.auth, ui.oerr),
  ]);
}
