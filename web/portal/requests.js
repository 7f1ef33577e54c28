// Gatehouse customer portal: requests about the customer's account.
//
// Verification requests: an agent talking to someone who says they are
// this customer asks them to confirm it here. The agent reads out a
// number; the customer picks it among several (number matching, so a
// request the customer did not expect cannot be approved by reflex), or
// says "This isn't me". A denial or a wrong pick ends the request, locks
// verification on that ticket and alerts the supervisors; the customer is
// told in plain words that someone may be impersonating them, that we
// never ask for passwords or codes, and what to do. A request "with your
// passkey" (issue 17) is answered the same way, and the pick is confirmed
// with one of the customer's passkeys: the browser asks for the
// fingerprint, face, PIN or security key; the server checks the
// assertion was made for this request, in this session, on our site.
//
// Pending account changes: a change of e-mail, phone, authenticator or
// account number filed by our staff waits for a supervisor and then a
// cooling-off period; the customer can cancel it here until it applies.
//
// Every string from the server goes into the page as text (lib.js h()).
import { ApiError, h, replace, timeEl, announce, showError, hideError, listOf, alertBox } from './lib.js';
import { passkeysAvailable, UNAVAILABLE, requestOptions, credentialJSON, ceremonyMessage } from './webauthn.js';

// Checks for new verification requests this often while the screen is open.
const POLL_MS = 4000;

const CHANGE_KIND = {
  email: 'Change of your e-mail address',
  phone: 'Change of your phone number',
  mfa_reset: 'Reset of your authenticator app (you would set it up again at your next login)',
  account_number: 'Change of your account number',
};

// What to do after a denial or a wrong pick: the same advice every time.
function scamAdvice() {
  return h('ul', null,
    h('li', { text: 'We never ask for your password, authenticator codes or card details — not by phone, e-mail or chat, and not in a ticket. Never give them to anyone.' }),
    h('li', { text: 'If someone contacted you saying they are from us, stop talking to them. Do not call back a number they gave you, and do not follow their links.' }),
    h('li', { text: 'If you are talking to us yourself and this was a mistake, write to us in a new ticket here in the portal; we will check and contact you.' }),
    h('li', { text: 'If you shared a password or code with anyone, tell us in a new ticket right away.' }));
}

// The warning after "This isn't me" (wrong: a wrong number was picked);
// notice is the server's own words, when it gave some.
function scamWarning(wrong, notice) {
  return h('div', { class: 'scam-warning', role: 'alert' },
    h('h2', { id: 'scam-h', tabindex: '-1', text: 'Someone may be pretending to be you' }),
    wrong ? h('p', { text: 'The number you picked is not the one we showed our agent.' }) : null,
    notice
      ? h('p', { class: 'server-message', text: notice })
      : h('p', { text: 'We stopped this request. The agent cannot see or change your personal details, and our supervisors have been alerted.' }),
    h('h3', { text: 'What to do now' }),
    scamAdvice());
}

// The thanks after a right pick.
function approvedNotice() {
  return h('div', { class: 'notice approved', role: 'status' },
    h('h2', { id: 'approved-h', tabindex: '-1', text: 'Thank you — you confirmed it is you' }),
    h('p', { text: 'The agent you are talking to can now help you with your account, for a few minutes and on this ticket only.' }));
}

// Shows an outcome (approved or a warning) above the lists, focused.
function showOutcome(ui, el) {
  replace(ui.outcome, el);
  ui.outcome.hidden = false;
  const head = ui.outcome.querySelector('h2');
  if (head) head.focus();
}

// The notice for a request that is no longer open.
function goneNotice() {
  return h('div', { class: 'notice', role: 'status' },
    h('h2', { id: 'gone-h', tabindex: '-1', text: 'This request is no longer open' }),
    h('p', { text: 'It expired or was ended, so nothing was confirmed and nothing was shared. If you are talking to our agent, ask them to send a new request.' }));
}

// Sends the customer's answer to request r: the number picked, or null
// for "This isn't me"; shows the outcome and reloads the list. A wrong
// number is 409 with the server's notice; a request that ended
// meanwhile is 409 without one (or 404).
async function answer(app, ui, r, number) {
  const verb = number === null ? 'deny' : 'approve';
  hideError(ui.err);
  try {
    const body = number === null ? {} : { number };
    if (number !== null && r.method === 'passkey') body.credential = await passkeyAssertion(app, r);
    const res = await app.api.post(`${app.API}/verifications/${encodeURIComponent(r.id)}/${verb}`, body);
    showOutcome(ui, number === null ? scamWarning(false, res.notice) : approvedNotice());
  } catch (e) {
    if (!(e instanceof ApiError) || e.code === 'passkey_refused') {
      /* the browser's refusal, or the server's of the passkey: try again */
      showError(ui.err, ceremonyMessage(e));
      return;
    }
    if (e instanceof ApiError && e.code === 'verification_failed' && e.data.notice) {
      showOutcome(ui, scamWarning(number !== null, e.data.notice));
    } else if (e instanceof ApiError && (e.status === 404 || e.code === 'verification_failed')) {
      showOutcome(ui, goneNotice());
    } else {
      showError(ui.err, e);
      return;
    }
  }
  await loadRequests(app, ui, true);
}

// The passkey assertion for request r: options bound to r and this
// session from the server, then the browser's get().
async function passkeyAssertion(app, r) {
  const opts = await app.api.post(`${app.API}/verifications/${encodeURIComponent(r.id)}/passkey/options`, {});
  const cred = await navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) });
  return credentialJSON(cred);
}

// One verification request: who asks, on which ticket, the numbers to
// pick from and "This isn't me". A passkey request says so; without
// WebAuthn in this browser its numbers are disabled and say why.
function requestItem(app, ui, r) {
  const title = `vr-${r.id}-title`;
  const pick = `vr-${r.id}-pick`;
  const agent = (r.agent && r.agent.name) || 'from our support team';
  const ticket = r.ticket && typeof r.ticket === 'object' ? r.ticket.id : r.ticket;
  const choices = listOf(r.choices);
  const passkey = r.method === 'passkey';
  const noWebauthn = passkey && !passkeysAvailable();
  const buttons = choices.map((n) => h('button', { type: 'button', class: 'choice', text: String(n),
    'aria-label': passkey ? `${n}, then confirm with your passkey` : null, disabled: noWebauthn ? true : null }));
  const deny = h('button', { type: 'button', class: 'danger', text: 'This isn’t me' });
  const all = [...buttons, deny];
  const act = async (number) => {
    all.forEach((b) => { b.disabled = true; });
    try {
      await answer(app, ui, r, number);
    } finally {
      all.forEach((b) => { b.disabled = noWebauthn && b !== deny; });
    }
  };
  buttons.forEach((b, i) => b.addEventListener('click', () => act(choices[i])));
  deny.addEventListener('click', () => act(null));
  return h('li', { class: 'vrequest' },
    h('article', { 'aria-labelledby': title },
      h('h3', { id: title, text: `An agent (${agent}) on ticket #${ticket} asks you to confirm it is you.` }),
      h('p', null, 'Answer only if you are talking to us right now, on a call or in a chat you started. The request expires at ', timeEl(r.expires_at), '.'),
      passkey ? h('p', { class: 'hint passkey-hint', text: 'Approve with your passkey: pick the number, then your browser asks for your fingerprint, face, PIN or security key. A passkey works only on our real site.' }) : null,
      noWebauthn ? h('p', { class: 'hint', text: `${UNAVAILABLE} You can still say “This isn’t me”, or ask the agent for another way.` }) : null,
      h('div', { class: 'choices-group', role: 'group', 'aria-labelledby': pick },
        h('p', { id: pick, class: 'pick-label', text: passkey ? 'Pick the number the agent read out to you, then confirm with your passkey:' : 'Pick the number the agent read out to you:' }),
        h('div', { class: 'choices' }, buttons)),
      h('p', { class: 'deny-label', text: 'Nobody read you a number, or you are not talking to us?' }),
      deny));
}

// Loads the pending verification requests; the list is drawn again only
// when it changed (or force), so a poll never moves the focus.
async function loadRequests(app, ui, force) {
  const res = await app.api.get(`${app.API}/verifications`);
  const items = listOf(res.items);
  const key = items.map((r) => `${r.id}:${r.method || ''}`).join(',');
  if (!force && key === ui.key) return;
  ui.key = key;
  replace(ui.requests, items.length
    ? h('ul', { class: 'vrequests', 'aria-label': 'Open verification requests' }, items.map((r) => requestItem(app, ui, r)))
    : h('p', { class: 'empty', text: 'No open requests. When one of our agents needs to confirm it is you, the request appears here.' }));
}

// ----------------------------------------------------- account changes

function changeWhen(c) {
  if (c.state === 'cooling_off') {
    return ['Approved by a supervisor. It takes effect on ', timeEl(c.apply_after), ' unless you cancel it before then.'];
  }
  return 'Waiting for a supervisor’s approval. If it is approved, you will still have time to cancel it before it takes effect.';
}

// Cancels change c; the list is loaded again.
async function cancelChange(app, ui, c) {
  hideError(ui.cerr);
  try {
    await app.api.post(`${app.API}/changes/${encodeURIComponent(c.id)}/cancel`, {});
  } catch (e) {
    showError(ui.cerr, e instanceof ApiError && e.code === 'change_not_allowed'
      ? 'This change can no longer be cancelled: it has already taken effect or was closed. If you did not ask for it, tell us in a new ticket at once.'
      : e);
    await loadChanges(app, ui, true);
    return;
  }
  replace(ui.cdone,
    h('p', { text: 'The change was cancelled. Nothing on your account was changed.' }),
    h('p', { text: 'If you did not ask for it, someone may be trying to take over your account. We never ask for your password or codes. Tell us in a new ticket so we can check.' }));
  ui.cdone.hidden = false;
  announce('The change was cancelled.');
  await loadChanges(app, ui, true);
}

function changeItem(app, ui, c) {
  const title = `pc-${c.id}-title`;
  const cancel = h('button', { type: 'button', text: 'Cancel this change', 'aria-describedby': title });
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await cancelChange(app, ui, c);
    } finally {
      cancel.disabled = false;
    }
  });
  return h('li', { class: 'pchange' },
    h('article', { 'aria-labelledby': title },
      h('h3', { id: title, text: CHANGE_KIND[c.kind] || 'A change to your account' }),
      h('p', null, 'Asked for by our support team on ', timeEl(c.created_at), '.'),
      h('p', null, changeWhen(c)),
      c.can_cancel === false ? null : h('p', { class: 'hint', text: 'Did not ask for this? Cancel it now: someone may be trying to take over your account.' }),
      c.can_cancel === false ? null : cancel));
}

// Loads the open account changes; drawn again only when they changed
// (or force), like the verification requests.
async function loadChanges(app, ui, force) {
  const res = await app.api.get(`${app.API}/changes?state=open`);
  const items = listOf(res.changes);
  const key = items.map((c) => `${c.id}:${c.state}:${c.can_cancel}`).join(',');
  if (!force && key === ui.ckey) return;
  ui.ckey = key;
  replace(ui.changes, items.length
    ? h('ul', { class: 'pchanges', 'aria-label': 'Pending account changes' }, items.map((c) => changeItem(app, ui, c)))
    : h('p', { class: 'empty', text: 'No pending changes to your account.' }));
}

// ----------------------------------------------------------- the screen

// Loads fn into list's place; a failure shows in err.
async function loadInto(fn, list, err) {
  try {
    await fn();
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}

// The "Requests" screen. app: {api, API, screen}.
export async function showRequests(app) {
  const ui = {
    outcome: h('div', { class: 'outcome', hidden: true }),
    err: alertBox(), cerr: alertBox(), key: null,
    requests: h('div', null, h('p', { class: 'loading', text: 'Loading…' })),
    changes: h('div', null, h('p', { class: 'loading', text: 'Loading…' })),
    cdone: h('div', { class: 'notice', role: 'status', hidden: true }),
  };
  const refresh = h('button', { type: 'button', text: 'Check again' });
  app.screen(h('div', { class: 'page-head' }, h('h1', { text: 'Requests about your account' }), refresh),
    ui.outcome,
    h('section', { class: 'card requests', 'aria-labelledby': 'vr-h' },
      h('h2', { id: 'vr-h', text: 'Verification requests' }),
      h('p', { class: 'hint', text: 'Our agents never ask for your password or codes. To confirm it is you, they read you a number and you pick it here.' }),
      ui.err, ui.requests),
    h('section', { class: 'card', 'aria-labelledby': 'pc-h' },
      h('h2', { id: 'pc-h', text: 'Pending account changes' }), ui.cerr, ui.cdone, ui.changes));
  refresh.addEventListener('click', () => Promise.all([
    loadInto(() => loadRequests(app, ui, true), ui.requests, ui.err),
    loadInto(() => loadChanges(app, ui, true), ui.changes, ui.cerr),
  ]));
  const timer = setInterval(() => {
    if (!ui.requests.isConnected) clearInterval(timer);
    else Promise.all([loadRequests(app, ui, false), loadChanges(app, ui, false)]).catch(() => {});
  }, POLL_MS);
  await Promise.all([
    loadInto(() => loadRequests(app, ui, true), ui.requests, ui.err),
    loadInto(() => loadChanges(app, ui, true), ui.changes, ui.cerr),
  ]);
}

// A line for the ticket list when verification requests wait, or null.
export async function requestsNotice(app) {
  let items = [];
  try {
    items = listOf((await app.api.get(`${app.API}/verifications`)).items);
  } catch (e) {
    return null;
  }
  if (!items.length) return null;
  return h('p', { class: 'notice request-notice' },
    'One of our agents asks you to confirm it is you. ',
    h('a', { href: '#/requests', text: 'Open the request' }));
}
