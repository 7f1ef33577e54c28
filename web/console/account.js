// Gatehouse agent console: the staff member's own account. "My account"
// changes the password (the current one is required; the other sessions
// end), manages the passkeys (shared/passkeys.js), lists the active
// sessions with "End" (ending this one logs out) and the recent logins
// with their network, so a stranger's login stands out. The forced-change
// screen is all a session shows while its password must be changed (an
// administrator forced it after a suspected compromise, or it is older
// than the company allows): the server then refuses everything else with
// 403 password_change_required. The passkey enrol-only screen is all a
// session shows after the password login of someone who must sign in with
// a passkey and has none (403 passkey_enrollment_required elsewhere).
import { ApiError, h, replace, timeEl, announce, showError, hideError, field, busy, listOf, alertBox, submitRow } from './lib.js';
import { API, api, state, screen, render, signedOut } from './shell.js';
import { passkeysCard, newNameField, nameProblem } from './passkeys.js';
import { passkeysAvailable, UNAVAILABLE, registerPasskey, ceremonyMessage } from './webauthn.js';

const MIN_CHARS = 12;

// The form's own checks before anything is sent ('' when fine).
function pwProblem(cur, next, again) {
  if (!cur) return 'Enter your current password.';
  if ([...next].length < MIN_CHARS) return `The new password needs at least ${MIN_CHARS} characters. A phrase of several unrelated words is easy to remember and hard to guess.`;
  if (next !== again) return 'The two new passwords are not the same.';
  if (next === cur) return 'The new password must differ from the current one.';
  return '';
}

// A refusal of the change in plain words.
function pwError(e) {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'forbidden' && e.data && e.data.field === 'current') return 'Not changed: the current password is not correct.';
  if (e.code === 'password_reused') return 'Not changed: the new password must differ from the current one.';
  if (e.code === 'weak_password') return `Not changed: ${e.message}`;
  return e;
}

function pwFields() {
  const attrs = (id, ac) => ({ type: 'password', id, autocomplete: ac, maxlength: '256', spellcheck: 'false' });
  return {
    cur: field('Current password', attrs('pw-current', 'current-password')),
    next: field('New password', attrs('pw-new', 'new-password'),
      `At least ${MIN_CHARS} characters; spaces and any letters are fine. Not a common or breached password, not your name or e-mail, not a run like “abcd1234”.`),
    again: field('New password again', attrs('pw-again', 'new-password')),
  };
}

// The change-password form titled title; done() runs after a change.
function passwordForm(title, done) {
  const err = alertBox('pw-error');
  const f = pwFields();
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'pw-h' },
    h('h2', { id: 'pw-h', text: title }),
    h('p', { class: 'hint', text: 'Changing it ends every other session of your account. You get an e-mail about it.' }),
    err, f.cur.wrap, f.next.wrap, f.again.wrap, submitRow('Change password'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(err);
    const problem = pwProblem(f.cur.input.value, f.next.input.value, f.again.input.value);
    if (problem) return showError(err, problem);
    await busy(form, async () => {
      try {
        await api.post(`${API}/staff/password`, { current: f.cur.input.value, new: f.next.input.value });
        for (const x of [f.cur, f.next, f.again]) x.input.value = '';
        await done();
      } catch (e) {
        showError(err, pwError(e));
      }
    });
  });
  return form;
}

// "End" for session s (ending the current one logs out).
function endButton(s) {
  const label = s.current ? 'End (log out)' : 'End';
  return h('button', {
    type: 'button', class: s.current ? 'danger' : null, text: label,
    'aria-label': `${label}: session started ${new Date(s.created_at * 1000).toLocaleString()}`,
    on: {
      click: async (ev) => {
        ev.target.disabled = true;
        try {
          await api.del(`${API}/staff/sessions/${encodeURIComponent(s.id)}`);
          if (s.current) return signedOut('You ended this session and are logged out.');
          announce('The session was ended.');
          await render();
        } catch (e) {
          ev.target.disabled = false;
          announce(e.message);
        }
      },
    },
  });
}

function sessionRow(s) {
  return h('tr', { class: s.current ? 'is-current' : null },
    h('td', { 'data-label': 'Started' }, timeEl(s.created_at), s.current ? h('span', { class: 'badge new', text: 'This session' }) : null),
    h('td', { 'data-label': 'Last active' }, timeEl(s.last_seen)),
    h('td', { 'data-label': 'Address' }, h('span', { text: s.ip }), h('span', { class: 'hint', text: ` ${s.network}` })),
    h('td', { class: 'end' }, endButton(s)));
}

function sessionsTable(list) {
  if (!list.length) return h('p', { class: 'empty', text: 'No active sessions.' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'account' },
    h('caption', { text: 'Active sessions' }),
    h('thead', null, h('tr', null, ['Started', 'Last active', 'Address (network)', ''].map((t) =>
      h('th', { scope: 'col', text: t })))),
    h('tbody', null, list.map(sessionRow))));
}

const LOGIN_METHOD = { 'password+totp': 'Password and authenticator', passkey: 'Passkey' };

function loginRow(l) {
  return h('tr', { class: l.ok ? null : 'is-failed' },
    h('td', { 'data-label': 'When' }, timeEl(l.at)),
    h('td', { 'data-label': 'Address' }, h('span', { text: l.ip }), h('span', { class: 'hint', text: ` ${l.network}` })),
    h('td', { 'data-label': 'How', text: LOGIN_METHOD[l.method] || 'Password' }),
    h('td', { 'data-label': 'Result' }, h('span', { class: `badge ${l.ok ? 'login-ok' : 'login-failed'}`, text: l.ok ? 'Succeeded' : 'Failed' })));
}

function loginsTable(list) {
  if (!list.length) return h('p', { class: 'empty', text: 'No logins recorded yet.' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'account' },
    h('caption', { text: 'Recent logins (newest first)' }),
    h('thead', null, h('tr', null, ['When', 'Address (network)', 'How', 'Result'].map((t) =>
      h('th', { scope: 'col', text: t })))),
    h('tbody', null, list.map(loginRow))));
}

// The "My account" screen.
export async function showAccount() {
  const err = alertBox();
  const sessions = h('section', { class: 'card', 'aria-labelledby': 'sess-h' },
    h('h2', { id: 'sess-h', text: 'Sessions' }), h('p', { class: 'loading', text: 'Loading…' }));
  const logins = h('section', { class: 'card', 'aria-labelledby': 'logins-h' },
    h('h2', { id: 'logins-h', text: 'Logins' }), h('p', { class: 'loading', text: 'Loading…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'My account' })), err,
    h('div', { class: 'account-grid' },
      h('div', { class: 'account-stack' },
        passwordForm('Change your password', async () => { announce('Your password was changed. Your other sessions were ended.'); await render(); }),
        passkeysCard({ api, base: `${API}/staff`, id: 'passkeys' })),
      sessions, logins));
  try {
    const [s, l] = await Promise.all([api.get(`${API}/staff/sessions`), api.get(`${API}/staff/logins`)]);
    replace(sessions, h('h2', { id: 'sess-h', text: 'Sessions' }),
      h('p', { class: 'hint', text: 'Where your account is logged in now. End any session you do not recognise, then change your password.' }),
      sessionsTable(listOf(s.sessions)));
    replace(logins, h('h2', { id: 'logins-h', text: 'Logins' }),
      h('p', { class: 'hint', text: 'Successful and failed logins to your account. A login you did not make, or from a network you do not know: change your password and tell your administrator.' }),
      loginsTable(listOf(l.logins)));
  } catch (e) {
    showError(err, e);
  }
}

// The screen of a session held to a password change.
export function showPasswordChange() {
  const why = state.me && state.me.pwChangeReason === 'expired'
    ? 'Your password is older than the company’s password policy allows.'
    : 'An administrator requires a new password for your account, for example because the old one may have been seen by someone else.';
  screen(h('div', { class: 'two-col' },
    h('section', { class: 'card', 'aria-labelledby': 'forced-h' },
      h('h1', { id: 'forced-h', text: 'Change your password to continue' }),
      h('p', { class: 'notice', text: why }),
      h('p', { text: 'Until you choose a new password, this session can do nothing else. Choose one you have never used here or anywhere else.' })),
    passwordForm('Choose a new password', async () => {
      state.me.pwChange = false;
      announce('Your password was changed. You can continue.');
      await render();
    })));
}

// Why this member must use a passkey, in words for the enrol-only screen.
function passkeyWhy() {
  const role = state.me && state.me.role;
  return role === 'supervisor' || role === 'admin'
    ? 'Supervisors and administrators must sign in with a phishing-resistant passkey.'
    : 'Your company requires staff to sign in with a phishing-resistant passkey.';
}

// The screen of a session that may only register a passkey: a name,
// "Register a passkey", "Log out". After the registration the session
// ends and the login screen asks to sign in again with the passkey (the
// enrol-only session stays enrol-only on the server).
export function showPasskeyEnrol() {
  const err = alertBox('enrol-error');
  const name = newNameField('enrol-passkey-name');
  const ok = passkeysAvailable();
  const out = h('button', { type: 'button', text: 'Log out' });
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'enrol-form-h' },
    h('h2', { id: 'enrol-form-h', text: 'Register a passkey' }), err, name.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Register a passkey', disabled: !ok }), out),
    ok ? null : h('p', { class: 'hint', text: UNAVAILABLE }));
  out.addEventListener('click', async () => {
    try { await api.del(`${API}/staff/session`, { expect401: true }); } catch (e) { /* gone either way */ }
    signedOut('You have logged out.');
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const v = name.input.value.trim();
    const bad = nameProblem(v, false);
    if (bad) { showError(err, bad); name.input.focus(); return; }
    busy(form, async () => {
      try {
        await registerPasskey(api, `${API}/staff`, v);
      } catch (e) {
        showError(err, ceremonyMessage(e));
        name.input.focus();
        return;
      }
      try { await api.del(`${API}/staff/session`, { expect401: true }); } catch (e) { /* gone either way */ }
      // Said once, in the status region (the login screen's notice would
      // repeat it), with the focus on "Sign in with a passkey".
      state.loginFocus = 'passkey';
      signedOut('');
      announce('Passkey registered. Sign in again with it.');
    });
  });
  screen(h('div', { class: 'two-col' },
    h('section', { class: 'card', 'aria-labelledby': 'enrol-h' },
      h('h1', { id: 'enrol-h', text: 'Register a passkey to continue' }),
      h('p', { class: 'notice', text: passkeyWhy() }),
      h('p', { text: 'A password and an authenticator code can be typed into a fake login page, and whoever runs it can use them at once. A passkey cannot be phished: your browser uses it only on this site.' }),
      h('p', { text: 'Until you register one, this session can do nothing else. Use this device’s screen lock (PIN, fingerprint or face) or a security key. Then sign in again with the passkey.' })),
    form));
}
