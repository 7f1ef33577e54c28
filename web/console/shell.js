// Gatehouse agent console: the shell every screen shares. It holds the API
// client, who is signed in, and the screen change (replace <main>, update
// the top bar, focus the new heading); the router in app.js registers
// itself here so screens can navigate without importing it.
import { Api, replace, focusHeading, navigate, markCurrentNav } from './lib.js';

export const API = '/api/v1';
export const state = { me: null, loginNotice: '', loginFocus: '' };

// The API client of the console. A session can become held to a password
// change while it is open (the password reached the maximum age, or the
// flag was set): the server then answers 403 password_change_required,
// and the console reads the session again and shows the forced-change
// screen (account.js).
class ConsoleApi extends Api {
  async call(method, path, body, opts) {
    try {
      return await super.call(method, path, body, opts);
    } catch (e) {
      if (e.code === 'password_change_required' && state.me && !state.me.pwChange) {
        state.me.pwChange = true;
        this.get(`${API}/staff/session`).then((s) => { signIn(s); render(); }, () => render());
      }
      // A session that may only register a passkey (issue 17): the
      // enrol-only screen, whatever was asked.
      if (e.code === 'passkey_enrollment_required' && state.me && !state.me.passkeyEnrol) {
        state.me.passkeyEnrol = true;
        render();
      }
      // A password session that the passkey rule now holds (the role, or
      // [auth] staff_passkeys, now wants a passkey, and this member has
      // one): every call would fail, so the console signs out.
      if (e.code === 'passkey_required' && state.me) endForPasskey();
      throw e;
    }
  }
}
export const api = new ConsoleApi();

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const whoami = document.getElementById('whoami');

let router = () => {};

// Registers the function that draws the screen of the current route.
export function setRouter(fn) {
  router = fn;
}

// Draws the screen of the current route again.
export function render() {
  return router();
}

export function go(hash) {
  navigate(hash, render);
}

// Logging out ends every verification (verify.js keeps their ids in
// sessionStorage); forget them.
function forgetVerifications() {
  try {
    sessionStorage.clear();
  } catch (e) {
    /* no storage */
  }
}

export function signedOut(notice) {
  history.replaceState(null, '', location.pathname);
  state.me = null;
  state.loginNotice = notice || '';
  api.setCsrf('');
  forgetVerifications();
  render();
}

// The notice of the login screen after endForPasskey (the focus goes to
// "Sign in with a passkey").
export const PASSKEY_NOW = "Your role now signs in with a passkey. Use 'Sign in with a passkey'.";

// Ends a session the passkey rule holds (a 403 passkey_required, or GET
// session saying passkey_required): DELETE the session, then the login
// screen with PASSKEY_NOW. Calls made meanwhile fail the same way; one
// sign-out is enough.
let ending = false;
export async function endForPasskey() {
  if (ending) return;
  ending = true;
  try {
    await api.del(`${API}/staff/session`, { expect401: true });
  } catch (e) {
    /* the session is of no use either way */
  }
  state.loginFocus = 'passkey';
  signedOut(PASSKEY_NOW);
  ending = false;
}

api.onSessionLost = () => {
  if (!state.me) return;
  signedOut('Your session has ended. Please log in again.');
};

// The signed-in account from a session answer (login or GET session).
// pwChange: the session is held to a password change (account.js).
// passkeyEnrol: a password login of someone who must use a passkey and
// has none yet; the session may only register one (account.js).
export function signIn(res) {
  state.me = {
    id: res.id, role: res.role, name: res.name || '',
    pwChange: !!res.password_change_required, pwChangeReason: res.password_change_reason || '',
    passkeyEnrol: !!res.passkey_enrollment_required, authMethod: res.auth_method || '',
  };
}

export function isAdmin() {
  return !!(state.me && state.me.role === 'admin');
}

// True for a supervisor or an administrator (they see every ticket and
// decide on held replies).
export function isSupervisor() {
  return !!(state.me && (state.me.role === 'supervisor' || state.me.role === 'admin'));
}

function setChrome() {
  nav.hidden = !state.me;
  whoami.textContent = state.me
    ? `Signed in as ${state.me.name || `staff #${state.me.id}`} (${state.me.role || 'agent'})`
    : '';
  // Supervisors' screens for supervisors only; a session held to a
  // password change or to registering a passkey has nowhere else to go.
  const held = !!(state.me && (state.me.pwChange || state.me.passkeyEnrol));
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    a.parentElement.hidden = held || (a.parentElement.dataset.role === 'supervisor' && !isSupervisor());
  }
  markCurrentNav(nav, 'queue');
}

// Shows a new screen: children replace <main>, the focus goes to its heading.
export function screen(...children) {
  replace(main, ...children);
  setChrome();
  focusHeading(main);
}
