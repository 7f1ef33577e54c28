// Gatehouse agent console: verifying the caller of a ticket. Personal
// data stays masked until the caller proves who they are through
// Gatehouse: the agent starts a verification for the ticket (bound to the
// agent, the ticket, its customer and a few minutes), then adds factors
// (factors.js). Level 1 (one strong factor: approval in the portal or the
// customer's authenticator code) unlocks contact details (C1); level 2
// (two factors of different kinds, one strong) unlocks personal details
// (C2) and account change requests.
//
// The panel shows the level in words, the time left, every factor with
// its state, and how the verification ended when it did: a customer who
// says "This isn't me" (or picks another number) means stop, disclose
// nothing, a supervisor has been alerted. The verification's id is kept
// in sessionStorage per ticket, so a reload of the ticket keeps it; the
// server decides whether it still holds.
import { ApiError, h, replace, announce, showError, hideError, alertBox } from './lib.js';
import { trainingNotice } from './training.js';
import { API, api, isSupervisor } from './shell.js';
import { reasonToggle } from './reason.js';
import { factorControls, methodName } from './factors.js';

const LEVEL_TEXT = [
  'Level 0 — not verified yet. Disclose nothing.',
  'Level 1 — contact details (class C1: e-mail, phone) may be revealed.',
  'Level 2 — personal details (class C2) may be revealed too, and account changes requested.',
];

const FACTOR_STATE = {
  pending: 'waiting', passed: 'passed', failed: 'failed',
};

// A failed factor's words: a portal approval fails by a wrong number or
// a denial; a code by too many wrong tries.
function factorStateText(f) {
  if (f.state !== 'failed') return FACTOR_STATE[f.state || 'pending'] || f.state;
  if (f.method === 'passkey') return 'failed — wrong number or too many refused passkeys';
  return f.method === 'portal_approval' ? 'failed' : 'failed — too many wrong codes';
}

// How a verification ended, in plain words: a title and the next step.
const ENDED = {
  denied: {
    title: 'The customer says this isn’t them',
    text: 'Stop: do not disclose anything and do not change anything on this account — the caller may be impersonating the customer. Verification on this ticket is locked and a supervisor has been alerted.',
  },
  wrong_number: {
    title: 'The customer picked a different number',
    text: 'Stop: do not disclose anything and do not change anything on this account — the caller may be impersonating the customer. Verification on this ticket is locked and a supervisor has been alerted.',
  },
  expired: {
    title: 'Verification expired',
    text: 'Its time is up, so nothing more can be revealed with it. Start a new verification if you still need to disclose something.',
  },
  ended: {
    title: 'Verification no longer valid',
    text: 'It ends when the ticket is reassigned, moved to another queue or solved, when you log out, or when the customer ends the portal session they approved it in. Start a new verification if you still need to disclose something.',
  },
  locked: {
    title: 'Verification is locked on this ticket',
    text: 'A customer denied a verification request on this ticket, or picked the wrong number. Do not disclose anything. A supervisor must review the ticket and clear the lock before anyone can verify the caller again.',
  },
  failed: {
    title: 'Verification failed',
    text: 'Do not disclose anything. This verification is over.',
  },
};

// The words for ended state kind (ENDED.failed when unknown).
export function endedWords(kind) {
  return ENDED[kind] || ENDED.failed;
}

// ------------------------------------------------------------ the state

const storeKey = (ticketId) => `gatehouse.verification.${ticketId}`;

function remember(ticketId, id) {
  try {
    if (id) sessionStorage.setItem(storeKey(ticketId), String(id));
    else sessionStorage.removeItem(storeKey(ticketId));
  } catch (e) {
    /* storage unavailable: the verification lasts until a reload */
  }
}

function remembered(ticketId) {
  try {
    return sessionStorage.getItem(storeKey(ticketId)) || '';
  } catch (e) {
    return '';
  }
}

// The disclosure state of one ticket screen, shared by the customer
// panel, the verification panel, reveals and change requests: the
// ticket, its customer, the verification's last answer (v) and, when it
// ended, why (ended: a key of ENDED). watch(fn) runs fn on every change.
export function disclosureContext(ticketId) {
  const watchers = [];
  return {
    ticketId,
    customerId: null,
    v: null,
    ended: null,
    watch(fn) { watchers.push(fn); },
    set(v, ended) {
      this.v = v;
      this.ended = ended || null;
      remember(ticketId, v && !ended ? v.id : '');
      for (const fn of watchers) fn();
    },
    // The level the verification holds now (0 when none or ended).
    level() {
      return this.v && !this.ended ? Number(this.v.level) || 0 : 0;
    },
    // The id to send with a reveal or a change request, or null.
    verificationId() {
      return this.v && !this.ended ? this.v.id : null;
    },
  };
}

// Why verification v is over (a key of ENDED), or null while it holds:
// its status (open, expired, ended, failed, denied); a failed one whose
// portal approval failed had the wrong number picked.
function endedKind(v) {
  const status = v.status || 'open';
  if (status === 'open') {
    return Number(v.expires_at) && Date.now() / 1000 >= Number(v.expires_at) ? 'expired' : null;
  }
  if (status === 'failed') {
    const all = Array.isArray(v.factors) ? v.factors : [];
    return all.some((f) => (f.method === 'portal_approval' || f.method === 'passkey') && f.state === 'failed')
      ? 'wrong_number' : 'failed';
  }
  return status;
}

// The ENDED key for a refusal e of the verification API.
export function refusalKind(e) {
  if (!(e instanceof ApiError)) return null;
  if (e.code === 'verification_locked') return 'locked';
  if (e.code === 'verification_failed') return 'failed';
  if (e.code === 'verification_required' || e.code === 'not_found') return 'ended';
  return null;
}

// Ends ctx's verification for refusal e of the verification API and
// returns true, or returns false when e is not such a refusal.
function refuse(ctx, e) {
  const kind = refusalKind(e);
  if (!kind) return false;
  ctx.set(ctx.v, kind);
  return true;
}

// Puts verification v (an API answer) into ctx, with how it ended.
export function adopt(ctx, v) {
  if (v && typeof v === 'object') ctx.set(v, endedKind(v));
}

// Loads verification id into ctx again; a refusal ends it in ctx.
export async function reload(ctx) {
  const id = ctx.v ? ctx.v.id : remembered(ctx.ticketId);
  if (!id) return;
  try {
    adopt(ctx, await api.get(`${API}/verifications/${encodeURIComponent(id)}`));
  } catch (e) {
    const kind = refusalKind(e);
    if (!kind) throw e;
    ctx.set(ctx.v || { id, level: 0, factors: [] }, kind);
  }
}

// ------------------------------------------------------------ the panel

function pad2(n) {
  return String(n).padStart(2, '0');
}

// "14:05" for a number of seconds (never negative).
export function clock(s) {
  const t = Math.max(0, Math.floor(s));
  return `${Math.floor(t / 60)}:${pad2(t % 60)}`;
}

function factorItem(f) {
  const st = f.state || 'pending';
  return h('li', { class: `factor state-${st}` },
    h('span', { class: 'factor-name', text: methodName(f.method) }), ' ',
    h('span', { class: `badge factor-${st}`, text: factorStateText(f) }));
}

// The level, the time left and the factors of ctx's verification.
function statusView(ctx, left) {
  const v = ctx.v;
  const level = ctx.level();
  const factors = Array.isArray(v.factors) ? v.factors : [];
  return [
    h('p', { class: `verify-level level-${level}` },
      h('span', { class: 'badge level', text: `Level ${level}` }), ' ',
      h('span', { text: LEVEL_TEXT[level] || LEVEL_TEXT[0] })),
    h('p', { class: 'verify-expiry' }, 'Expires in ', left, ' (then start a new one).'),
    factors.length
      ? h('ul', { class: 'factors', 'aria-label': 'Factors of this verification' }, factors.map(factorItem))
      : h('p', { class: 'muted', text: 'No factor yet. Add one below.' }),
  ];
}

// The box that says how the verification ended, and the next step.
function endedView(kind) {
  const w = endedWords(kind);
  const stop = kind === 'denied' || kind === 'wrong_number' || kind === 'locked';
  return h('div', { class: `verify-ended ${stop ? 'stop' : ''}`, role: 'alert' },
    h('h3', { text: w.title }),
    h('p', { text: w.text }));
}

// Starts a verification for ctx's ticket ("Verify caller"); a refusal
// shows in err (423: the ticket is locked, said in the panel).
async function startVerification(ctx, err) {
  hideError(err);
  try {
    const v = await api.post(`${API}/tickets/${encodeURIComponent(ctx.ticketId)}/verifications`, {});
    adopt(ctx, v);
    announce('Verification started. Add a factor: ask the customer to approve in the portal, or to read the code from their authenticator app.');
  } catch (e) {
    if (e instanceof ApiError && e.code === 'verification_locked') {
      ctx.set(null, 'locked');
    } else if (trainingNotice(err, e)) {
      /* the gate's refusal, with the modules, is in err */
    } else if (e instanceof ApiError && e.code === 'bad_state') {
      showError(err, `No verification started: ${e.message} A solved ticket must be reopened first.`);
    } else if (e instanceof ApiError && e.status === 404) {
      showError(err, 'You cannot verify a caller on this ticket: it is not in your queues any more (or it no longer exists). Reload the ticket.');
    } else {
      showError(err, e);
    }
  }
}

// A supervisor's "Clear the verification lock…": a reason (3..500
// characters, audited), then the lock is lifted and the panel reset.
function lockClearForm(ctx) {
  const t = reasonToggle({
    open: 'Clear the verification lock…', kind: 'unlock', id: 'verify-unlock-reason',
    label: 'Reason for clearing the lock', submit: 'Clear the lock',
    hint: 'Recorded in the audit log. Clear it only after reviewing the ticket and speaking to the customer through a channel you trust.',
    send: async (reason) => {
      await api.post(`${API}/tickets/${encodeURIComponent(ctx.ticketId)}/verification-lock/clear`, { reason });
      ctx.set(null, null);
      announce('The verification lock was cleared. The caller can be verified again.');
    },
  });
  return { el: h('div', { class: 'verify-unlock' }, t.open, t.form) };
}

// True while a portal approval of ctx's verification waits for the customer.
function approvalPending(ctx) {
  if (!ctx.v || ctx.ended) return false;
  return (Array.isArray(ctx.v.factors) ? ctx.v.factors : [])
    .some((f) => (f.method === 'portal_approval' || f.method === 'passkey') && (f.state || 'pending') === 'pending');
}

// Every second while el is on the page: the countdown in left; every
// other second, while a portal approval is pending, the verification is
// loaded again (the customer's answer). At the expiry the server is asked.
function ticker(el, ctx, left, err) {
  let n = 0;
  let loading = false;
  const timer = setInterval(async () => {
    if (!el.isConnected) {
      clearInterval(timer);
      return;
    }
    n++;
    if (!ctx.v || ctx.ended) return;
    const rest = Number(ctx.v.expires_at) - Date.now() / 1000;
    left.textContent = clock(rest);
    if (loading || !(rest <= 0 || (approvalPending(ctx) && n % 2 === 0))) return;
    loading = true;
    try {
      await reload(ctx);
    } catch (e) {
      showError(err, e);
    } finally {
      loading = false;
    }
  }, 1000);
}

// What the panel shows for ctx: the intro, the state or how it ended.
function panelBody(ctx, left) {
  if (ctx.ended) {
    return [endedView(ctx.ended), ctx.v && ctx.v.id ? statusView(ctx, left)[2] : null];
  }
  if (!ctx.v) {
    return h('p', { class: 'muted', text: 'The caller is not verified, so personal details stay masked. Verify the caller through Gatehouse — never with questions about their date of birth or address, and never by asking for their password.' });
  }
  left.textContent = clock(Number(ctx.v.expires_at) - Date.now() / 1000);
  return statusView(ctx, left);
}

// The verification panel of ctx's ticket: "Verify caller", the level,
// the countdown, the factors and the ways to add one; for a supervisor,
// clearing the lock after a denial.
export function verifyPanel(ctx) {
  const err = alertBox('verify-error');
  const body = h('div', { class: 'verify-body' });
  const left = h('strong', { class: 'countdown' });
  const start = h('button', { type: 'button', class: 'primary', text: 'Verify caller' });
  ctx.adopt = (v) => adopt(ctx, v);
  ctx.refuse = (e) => refuse(ctx, e);
  ctx.reload = () => reload(ctx);
  const factors = factorControls(ctx);
  const unlock = isSupervisor() ? lockClearForm(ctx) : null;
  const el = h('section', { class: 'card verify', 'aria-labelledby': 'verify-h' },
    h('h3', { id: 'verify-h', text: 'Caller verification' }),
    err, body, h('div', { class: 'actions' }, start), factors.el, unlock ? unlock.el : null);
  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      await startVerification(ctx, err);
    } finally {
      start.disabled = false;
    }
  });
  let level = 0;
  const draw = () => {
    replace(body, panelBody(ctx, left));
    const stop = ['denied', 'wrong_number', 'locked'].includes(ctx.ended);
    start.hidden = !!(ctx.v && !ctx.ended) || stop;
    start.textContent = ctx.ended ? 'Start a new verification' : 'Verify caller';
    factors.show();
    if (unlock) unlock.el.hidden = !stop;
    if (ctx.level() > level) announce(`The caller is verified at level ${ctx.level()}.`);
    level = ctx.level();
  };
  ctx.watch(draw);
  ticker(el, ctx, left, err);
  draw();
  return { el, err };
}
