// Gatehouse agent console: replies the outbound check held (202 "held").
// A held reply was not sent: the check could not run in full (the
// ticket's internal notes are too long to check it against them), so a
// supervisor or administrator who did not write it must look at it and
// either release it (it is sent then) or discard it (never sent), with a
// reason of 3..500 characters on one line that is audited.
//
// The composer says so in plain words (showHeld); the thread shows each
// held reply as its own kind of item, never like a sent message, with its
// state ("Held for review — not sent", released by NAME, discarded by
// NAME) and, for those who may decide, "Release…" and "Discard…". A
// decision refused because the reply changed meanwhile (409, already
// decided) reloads the ticket and says so on the reply itself; the
// summary above the thread counts the replies still waiting and shows
// what concerns a reply that is gone.
import { ApiError, h, replace, timeEl, announce, clearStatus, showError, hideError, field, busy, listOf, alertBox, submitRow } from './lib.js';
import { API, api, state, isSupervisor } from './shell.js';
import { reasonFor } from './blocked.js';

// Code points of a release or discard reason (src/core/tickets.h).
export const DECISION_MIN = 3;
export const DECISION_MAX = 500;

const WHY_HELD = {
  notes_too_large: 'The ticket’s internal notes are too long to check this reply against them.',
};

function whyHeld(code) {
  return WHY_HELD[code] || `The outbound check could not run in full (${code || 'unknown reason'}).`;
}

// --------------------------------------------------------- the composer

// The one next step for the author of a held reply.
function nextStep() {
  const who = isSupervisor()
    ? 'Ask another supervisor or an administrator to review it: you cannot release your own reply.'
    : 'Ask a supervisor to review it on this ticket.';
  return `Next step: ${who} While the notes are this long, every reply on this ticket is held like this one.`;
}

// Says in box that the reply was held, not sent (res: the 202 answer).
export function showHeld(box, res) {
  clearStatus();
  replace(box,
    h('h3', { text: 'Reply not sent — held for a supervisor’s review' }),
    h('p', { class: 'reason', text: res.notice || whyHeld(res.reason) }),
    h('p', { text: 'Your reply is kept with the ticket — above, marked “Held for review — not sent” — so the composer is empty. The customer sees nothing until it is released.' }),
    h('p', { class: 'next', text: nextStep() }));
  box.hidden = false;
}

// Empties and hides the composer's held notice.
export function clearHeld(box) {
  replace(box);
  box.hidden = true;
}

// ------------------------------------------------------------ deciding

const VERBS = {
  release: {
    open: 'Release…', label: 'Reason for releasing this reply', submit: 'Release and send to customer',
    hint: 'Recorded in the audit log. Releasing sends the reply to the customer in its author’s name; it is checked again for everything but note copies.',
    done: 'The held reply was released and sent to the customer.',
  },
  discard: {
    open: 'Discard…', label: 'Reason for discarding this reply', submit: 'Discard reply',
    hint: 'Recorded in the audit log. The reply is never sent; tell its author so they can write a new one.',
    done: 'The held reply was discarded. It was not sent.',
  },
};

// Why reason cannot be sent ('' when it can): 3..500 code points on one
// line, without control characters or bidirectional overrides.
export function reasonProblem(text) {
  const n = Array.from(text).length;
  if (n < DECISION_MIN) return `Give a reason of at least ${DECISION_MIN} characters.`;
  if (n > DECISION_MAX) return `The reason is too long: at most ${DECISION_MAX} characters, this is ${n}.`;
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text)) {
    return 'Write the reason on one line, without tabs, line breaks or control characters.';
  }
  return '';
}

// A refused decision in plain words; stale is true when the ticket must
// be reloaded because the held reply changed or went away meanwhile.
function decisionError(e, verb) {
  const code = e instanceof ApiError ? e.code : '';
  if (code === 'bad_state') {
    return { stale: true, text: 'This reply was already released or discarded by someone else, so nothing was changed. The ticket now shows the decision.' };
  }
  if (code === 'not_found') {
    return { stale: true, text: 'This held reply is no longer on this ticket (or you cannot see the ticket any more). The ticket was reloaded.' };
  }
  if (code === 'forbidden') {
    return { text: `You may not ${verb} this reply: only a supervisor or an administrator who did not write it can release or discard it.` };
  }
  if (code === 'dlp_blocked') {
    const why = [...new Set(listOf(e.data.findings).map(reasonFor))].map((r) => `${r} `).join('');
    return { text: `Not released: the outbound filter now blocks this reply. ${why}Discard it and ask its author to write a new reply.` };
  }
  if (code === 'bad_field' || code === 'bad_utf8') {
    return { text: `Give a reason of ${DECISION_MIN} to ${DECISION_MAX} characters on one line.` };
  }
  return { error: e };
}

// Reloads the ticket (ctx.changed) and puts the focus on held reply hr
// again; notice, when given, is said on it (or, if it is gone, above the
// thread).
async function reloadAt(hr, ctx, notice) {
  ctx.notice = notice ? { id: hr.id, text: notice } : null;
  try {
    await ctx.changed();
  } finally {
    ctx.notice = null;
  }
  const item = document.getElementById(`held-${hr.id}`);
  if (item) item.focus();
  else if (notice) showError(ctx.err, notice);
}

// Sends the decision verb on held reply hr with reason. A refusal shows
// in ferr, or on the reloaded reply when the view was stale.
async function decide(hr, verb, reason, ferr, ctx) {
  const path = `${API}/tickets/${encodeURIComponent(ctx.ticketId)}/held/${encodeURIComponent(hr.id)}/${verb}`;
  try {
    await api.post(path, { reason });
  } catch (e) {
    const why = decisionError(e, verb);
    if (why.stale) await reloadAt(hr, ctx, why.text);
    else showError(ferr, why.error || why.text);
    return;
  }
  hideError(ctx.err);
  announce(VERBS[verb].done);
  await reloadAt(hr, ctx, '');
}

// The hidden form that asks for the reason of verb on hr.
function decisionForm(hr, verb, ctx) {
  const v = VERBS[verb];
  const ferr = alertBox();
  const reason = field(v.label, {
    name: 'reason', required: true, minlength: String(DECISION_MIN), maxlength: String(DECISION_MAX),
    autocomplete: 'off', id: `held-${hr.id}-${verb}-reason`,
  }, v.hint);
  const form = h('form', { class: `decide ${verb}`, novalidate: true, hidden: true },
    ferr, reason.wrap, submitRow(v.submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(ferr);
    const text = reason.input.value.trim();
    const problem = reasonProblem(text);
    if (problem) {
      showError(ferr, problem);
      reason.input.focus();
      return;
    }
    busy(form, () => decide(hr, verb, text, ferr, ctx));
  });
  return form;
}

// "Release…" and "Discard…": each opens its own form (one at a time).
function decisionControls(hr, ctx) {
  const forms = {};
  const buttons = {};
  for (const verb of ['release', 'discard']) {
    forms[verb] = decisionForm(hr, verb, ctx);
    buttons[verb] = h('button', {
      type: 'button', text: VERBS[verb].open, 'aria-expanded': 'false',
      'aria-describedby': `held-${hr.id}-title`,
    });
  }
  for (const verb of ['release', 'discard']) {
    buttons[verb].addEventListener('click', () => {
      const open = forms[verb].hidden;
      for (const other of Object.keys(forms)) {
        forms[other].hidden = !(open && other === verb);
        buttons[other].setAttribute('aria-expanded', String(!forms[other].hidden));
      }
      if (open) forms[verb].querySelector('input').focus();
    });
  }
  return h('div', { class: 'held-decide' },
    h('div', { class: 'actions' }, buttons.release, buttons.discard),
    forms.release, forms.discard);
}

// ---------------------------------------------------------- the thread

const BADGE = {
  held: 'Held for review — not sent',
  released: 'Held, then released — sent',
  discarded: 'Held, then discarded — not sent',
};

function mine(hr) {
  return !!(state.me && hr.author && hr.author.id === state.me.id);
}

// True when the signed-in account may release or discard hr.
export function canDecide(hr) {
  return hr.state === 'held' && isSupervisor() && !mine(hr);
}

// Where held reply hr stands, in words.
function heldState(hr) {
  if (hr.state === 'held') {
    let text = 'Waiting for a supervisor’s review. The customer has not seen it.';
    if (canDecide(hr)) text = 'Waiting for your review: release it to send it to the customer, or discard it.';
    else if (mine(hr) && isSupervisor()) text += ' You wrote it, so another supervisor or an administrator must decide.';
    return [h('p', { class: 'held-state', text })];
  }
  const who = (hr.decided_by && hr.decided_by.name) || 'a supervisor';
  const what = hr.state === 'released'
    ? `Released by ${who} and sent to the customer (it is in the conversation as a reply) on `
    : `Discarded by ${who} — never sent — on `;
  return [
    h('p', { class: 'held-state' }, what, timeEl(hr.decided_at)),
    h('p', { class: 'held-decision', text: `Reason given: ${hr.decision || '—'}` }),
  ];
}

// One held reply of the thread; ctx: {ticketId, err, changed, notice}
// (notice: {id, text} said on the reply of that id after a reload).
export function heldItem(hr, ctx) {
  const author = (hr.author && hr.author.name) || 'Staff';
  const notice = ctx.notice && ctx.notice.id === hr.id ? ctx.notice.text : '';
  return h('li', { class: `held state-${hr.state}` },
    h('article', { id: `held-${hr.id}`, tabindex: '-1', 'aria-labelledby': `held-${hr.id}-title` },
      h('header', { id: `held-${hr.id}-title` },
        h('span', { class: 'who', text: author }),
        h('span', { class: 'badge held-badge', text: BADGE[hr.state] || `Held reply (${hr.state})` }),
        timeEl(hr.created_at)),
      notice ? h('p', { class: 'error', role: 'alert', text: notice }) : null,
      h('p', { class: 'held-why', text: `Why it was held: ${whyHeld(hr.reason)}` }),
      h('p', { class: 'body', text: hr.body || '' }),
      heldState(hr),
      canDecide(hr) ? decisionControls(hr, ctx) : null));
}

// The line above the thread that counts the replies still held, and the
// alert for a refusal about a reply that is gone; show(held) updates it.
export function heldSummary() {
  const line = h('p', { class: 'held-summary', hidden: true });
  const err = alertBox('held-error');
  return {
    el: h('div', { class: 'held-bar' }, err, line),
    err,
    show(held) {
      const n = listOf(held).filter((x) => x.state === 'held').length;
      line.hidden = n === 0;
      line.textContent = n === 1
        ? '1 reply on this ticket is held for a supervisor’s review and has not been sent.'
        : `${n} replies on this ticket are held for a supervisor’s review and have not been sent.`;
    },
  };
}
