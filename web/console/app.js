// Gatehouse agent console. No framework, no build step; every server string
// is rendered as text (see lib.js). The customer conversation and the
// internal notes are two separate panels with separate composers and
// separate endpoints; nothing moves text from one to the other.
//
// This file is the entry point: the login screen, the session and the
// hash router. The screens live in their own modules:
//   shell.js        API client, signed-in state, screen change, navigation
//   queue.js        the queue with its filters
//   ticket.js       one ticket: facts, assignment and status, the two panels
//   thread.js       the messages and the internal notes of a ticket
//   links.js        links in customers' messages (defanged, opened on request)
//   composers.js    the reply and note composers
//   blocked.js      a reply refused by the outbound filter
//   held.js         replies held for a supervisor's review (release, discard)
//   attachments.js  a ticket's attachments (download, release)
//   customer.js     the customer panel of a ticket: masked fields, verification
//   verify.js       verifying the caller: level, countdown, factors, how it ended
//   factors.js      adding a factor: portal approval, authenticator, codes on file
//   reveal.js       revealing a field with a reason (watermarked, hidden again)
//   reason.js       a button opening a reason form before an audited action
//   changes.js      account changes under dual control: request, approve, reject
//   supervisor.js   reveals per agent and reveal locks (supervisors)
//   training.js     training modules and quizzes, the gate's notice, and
//                   every staff member's training status (supervisors)
//   account.js      My account: password change, passkeys, sessions,
//                   logins; the forced-change and passkey enrol-only screens
//   drills.js       phishing drills: schedule, campaigns, rates (supervisors)
//   drillchart.js   the drills' rate chart (inline SVG)
//   report.js       "Report phishing" under each customer message
//   queues.js       queues and their counts; Assign to / Move on a ticket
//   staff.js        staff: roles, queues, last login, MFA; disable, enable
//   bulk.js         selecting tickets in the queue and changing them together
//   macros.js       canned replies: the composer's picker, the Macros screen
//   search.js       search over the tickets, with views.js: saved views
//   sla.js          priority, tags and time left (ticket, queue); SLA (supervisors)
import { ApiError, h, route, loginForm, startApp, showError } from './lib.js';
import { API, api, state, go, signIn, signedOut, screen, setRouter, PASSKEY_NOW } from './shell.js';
import { showQueue } from './queue.js';
import { showTicket } from './ticket.js';
import { showChanges } from './changes.js';
import { showReveals } from './supervisor.js';
import { showTraining, showTrainingStatus } from './training.js';
import { showAccount, showPasswordChange, showPasskeyEnrol } from './account.js';
import { passkeyLoginButton } from './passkeys.js';
import { showDrills } from './drills.js';
import { showStaff } from './staff.js';
import { showQueues } from './queues.js';
import { showMacros } from './macros.js';
import { showSearch } from './search.js';
import { showSla } from './sla.js';

// The login form checks that all three fields are filled in.
function invalidLogin(body, f) {
  if (body.email && body.password && /^[0-9]{6}$/.test(body.totp)) return null;
  return {
    message: 'Enter your e-mail address, password and the 6-digit code from your authenticator app.',
    field: !body.email ? f.email : !body.password ? f.pass : f.code,
  };
}

// After a login (password or passkey): the page asked for, or the queue.
// A session that may only register a passkey shows that screen instead.
function signedIn(res) {
  signIn(res);
  go(route().parts.length ? location.hash : '#/queue');
}

// A password login refused because the role signs in with a passkey
// (403 passkey_required: the password and code were right, and are of
// no use here: the password is not kept in the form).
function passkeyRequired(e, err, form, button) {
  if (e.code !== 'passkey_required') return false;
  for (const f of form.querySelectorAll('input[type="password"]')) f.value = '';
  showError(err, "Your role signs in with a passkey. Use 'Sign in with a passkey'.");
  button.focus();
  return true;
}

function showLogin() {
  let passkey = null;
  const login = loginForm({
    title: 'Staff log in', emailLabel: 'Work e-mail address', codeRequired: true,
    codeHint: 'The 6 digits your authenticator app shows now.', notice: state.loginNotice,
    api, path: `${API}/staff/session`, invalid: invalidLogin, signedIn,
    refused: (e, err) => passkeyRequired(e, err, login.form, passkey.button),
  });
  passkey = passkeyLoginButton({ api, base: `${API}/staff`, email: login.email.input, err: login.err, signedIn });
  login.form.append(passkey.wrap);
  state.loginNotice = '';
  screen(h('div', { class: 'two-col' }, login.form,
    h('section', { class: 'card', 'aria-labelledby': 'rules-h' },
      h('h2', { id: 'rules-h', text: 'Before you start' }),
      h('ul', null,
        h('li', { text: 'Internal notes stay internal: the console keeps them apart from replies, and replies that copy note text are blocked.' }),
        h('li', { text: 'Every reply is checked before it leaves: card numbers, national IDs, secrets and other customers’ data are stopped.' }),
        h('li', { text: 'A caller who asks for a password or authenticator reset is verified only through Gatehouse — no exceptions for urgency.' })))));
  // Just after registering a passkey, or when the passkey rule ended a
  // password session, the next step is signing in with a passkey; the
  // notice, if any, is read out with the button that gets the focus.
  if (state.loginFocus === 'passkey' && !passkey.button.disabled) {
    const notice = login.form.querySelector('.notice');
    if (notice) {
      notice.id = 'login-notice';
      passkey.button.setAttribute('aria-describedby', `login-notice ${passkey.button.getAttribute('aria-describedby')}`);
    }
    passkey.button.focus();
  } else {
    login.email.input.focus();
  }
  state.loginFocus = '';
}

// At load, a password session the passkey rule now holds (GET session
// says passkey_required): it is ended and the login screen says why.
async function endHeldSession() {
  try {
    await api.del(`${API}/staff/session`, { expect401: true });
  } catch (e) {
    /* the session is of no use either way */
  }
  state.me = null;
  api.setCsrf('');
  state.loginNotice = PASSKEY_NOW;
  state.loginFocus = 'passkey';
}

async function loadSession() {
  try {
    const s = await api.get(`${API}/staff/session`, { expect401: true });
    api.setCsrf(s.csrf_token);
    if (s.passkey_required) return endHeldSession();
    signIn(s);
  } catch (e) {
    state.me = null;
    if (e.status !== 401) state.loginNotice = e.message;
    api.setCsrf('');
  }
}

async function render() {
  document.title = 'Gatehouse — Agent console';
  if (!state.me) return showLogin();
  if (state.me.passkeyEnrol) return showPasskeyEnrol();
  if (state.me.pwChange) return showPasswordChange();
  const { parts, query } = route();
  try {
    switch (parts[0]) {
      case 'account': return await showAccount();
      case 'queue': return await showQueue(query);
      case 'search': return await showSearch(query);
      case 'reveals': return await showReveals(query);
      case 'changes': return await showChanges(query);
      case 'training': return await showTraining(parts);
      case 'training-status': return await showTrainingStatus();
      case 'drills': return await showDrills();
      case 'staff': return await showStaff();
      case 'queues': return await showQueues();
      case 'macros': return await showMacros();
      case 'sla': return await showSla();
      case 'tickets':
        if (parts[1] && /^[0-9]+$/.test(parts[1])) return await showTicket(parts[1]);
        return go('#/queue');
      default:
        return go('#/queue');
    }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
}

setRouter(render);
startApp({ api, sessionPath: `${API}/staff/session`, loadSession, render, signedOut });
