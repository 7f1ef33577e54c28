// Gatehouse agent console: account changes under dual control. Changing
// a customer's e-mail address or phone number, resetting their
// authenticator (MFA) or changing their account number is never done by
// the agent on the call: the agent, with the caller verified at level 2
// (including a factor the customer has on file), files a change request
// with a reason; a different staff member with the supervisor role
// approves or rejects it (with a reason); after the approval a
// cooling-off period starts, the customer is told at their current
// contact and can cancel in the portal; only then is it applied. There
// is no "urgent" path. The requester never sees "Approve…" on their own
// request.
//
// This file holds "Request change…" of the customer panel and the
// supervisors' "Changes" screen (open requests, approve / reject).
import { ApiError, h, replace, timeEl, announce, showError, hideError, field, busy, listOf, alertBox, submitRow, select } from './lib.js';
import { API, api, state, screen, go, render } from './shell.js';
import { reasonProblem } from './held.js';
import { reasonToggle, exclusive } from './reason.js';

export const KINDS = {
  email: 'E-mail address',
  phone: 'Phone number',
  mfa_reset: 'Reset the customer’s authenticator (MFA)',
  account_number: 'Account number',
};

const NEW_VALUE = { email: 'New e-mail address', phone: 'New phone number', account_number: 'New account number' };

// Why value cannot be the new value of kind ('' when it can).
function valueProblem(kind, value) {
  if (kind === 'mfa_reset') return '';
  if (!value) return `Enter the ${NEW_VALUE[kind].toLowerCase()}.`;
  if (kind === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return 'This is not an e-mail address.';
  if (kind === 'phone' && !/^\+[0-9 ()-]{7,24}$/.test(value)) return 'Write the phone number in international form: + and the country code, then 7 to 15 digits.';
  if (value.length > 128) return 'The value is too long: at most 128 characters.';
  return '';
}

// A refused change request in plain words.
function requestError(e, ctx) {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'verification_required') {
    return `Not requested: an account change needs a level-2 verification that includes a factor the customer has on file (approval in the portal, their authenticator code, or a code sent to their e-mail or phone). This caller is verified at level ${Number(e.data.level_held) || 0}.`;
  }
  if (ctx.refuse(e)) return `Not requested: the verification ended. ${e.message}`;
  if (e.code === 'already_exists') return 'Not requested: another customer has this e-mail address.';
  if (['change_not_allowed', 'bad_field'].includes(e.code)) return `Not requested: ${e.message}`;
  return e;
}

// The form fields of a change request.
function requestFields() {
  const kind = select('What to change', 'change-kind', Object.entries(KINDS), 'email');
  const value = field('New e-mail address', { type: 'text', name: 'value', autocomplete: 'off', spellcheck: 'false', maxlength: '128', id: 'change-value' },
    'Type it as the customer gives it. It is applied only after a supervisor’s approval and the cooling-off period.');
  const reason = field('Reason for the change', { type: 'text', name: 'reason', maxlength: '500', autocomplete: 'off', id: 'change-reason' },
    'Recorded in the audit log and shown to the supervisor who decides. 3 to 500 characters.');
  const label = value.wrap.querySelector('label');
  kind.input.addEventListener('change', () => {
    const k = kind.input.value;
    value.wrap.hidden = k === 'mfa_reset';
    if (NEW_VALUE[k]) label.textContent = NEW_VALUE[k];
  });
  return { kind, value, reason };
}

// Sends the change request of form fields f; the answer shows in result.
async function sendRequest(ctx, f, result) {
  const k = f.kind.input.value;
  const body = { kind: k, reason: f.reason.input.value.trim(), verification: ctx.verificationId() };
  if (k !== 'mfa_reset') body.value = f.value.input.value.trim();
  const res = await api.post(`${API}/customers/${encodeURIComponent(ctx.customerId)}/changes`, body);
  f.value.input.value = '';
  f.reason.input.value = '';
  result.textContent = `Change request #${res.id} filed (${KINDS[k]}). Nothing is changed yet: a different supervisor must approve it, then the customer is told at their current contact and can cancel it in the portal during the cooling-off period. Tell the caller so.`;
  result.hidden = false;
  announce(`Change request #${res.id} filed.`);
}

// Checks the request form f ('' when it can be sent) and focuses the
// field at fault.
function requestProblem(ctx, f) {
  const value = f.value.input.value.trim();
  const reason = f.reason.input.value.trim();
  const problem = ctx.level() < 2
    ? 'Verify the caller at level 2 first.'
    : valueProblem(f.kind.input.value, value);
  if (problem) {
    (ctx.level() < 2 ? f.kind : f.value).input.focus();
    return problem;
  }
  const bad = reasonProblem(reason);
  if (bad) f.reason.input.focus();
  return bad;
}

// "Request change…" of the customer panel: offered once the caller is
// verified at level 2; otherwise a line says what it needs.
export function changeRequestControl(ctx) {
  const ferr = alertBox();
  const result = h('p', { class: 'notice change-filed', role: 'status', hidden: true });
  const f = requestFields();
  const form = h('form', { class: 'decide change-request', novalidate: true, hidden: true, 'aria-label': 'Request an account change' },
    ferr, f.kind.wrap, f.value.wrap, f.reason.wrap, submitRow('File change request'));
  const open = h('button', { type: 'button', text: 'Request change…', 'aria-expanded': 'false' });
  const note = h('p', { class: 'hint change-note' });
  open.addEventListener('click', () => {
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) f.kind.input.focus();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(ferr);
    const problem = requestProblem(ctx, f);
    if (problem) {
      showError(ferr, problem);
      return;
    }
    busy(form, async () => {
      try {
        await sendRequest(ctx, f, result);
        form.hidden = true;
        open.setAttribute('aria-expanded', 'false');
        open.focus();
      } catch (e) {
        showError(ferr, requestError(e, ctx));
      }
    });
  });
  const show = () => {
    const ok = ctx.level() >= 2;
    open.hidden = !ok;
    if (!ok) form.hidden = true;
    note.textContent = ok
      ? 'E-mail, phone, authenticator reset and account number are changed only through a request: a different supervisor approves it, the customer is told and can cancel during the cooling-off period.'
      : 'To request a change of e-mail, phone, authenticator or account number, verify the caller at level 2 first (with a factor the customer has on file).';
  };
  ctx.watch(show);
  show();
  return { el: h('div', { class: 'change-request-box' }, h('h4', { text: 'Account changes' }), note, open, form, result) };
}

// ------------------------------------------------- the supervisors' screen

const STATES = [
  ['pending_approval', 'Waiting for approval'], ['cooling_off', 'Cooling off'], ['open', 'Open (both)'],
  ['applied', 'Applied'], ['rejected', 'Rejected'], ['cancelled', 'Cancelled by the customer'],
  ['failed', 'Could not be applied'], ['any', 'Any state'],
];
const STATE_LABEL = Object.fromEntries(STATES);

const nameOf = (p) => (p && p.name) || (p && p.id ? `staff #${p.id}` : '—');

function mine(c) {
  return !!(state.me && c.requested_by && c.requested_by.id === state.me.id);
}

// Where change request c stands, in words.
function changeState(c) {
  switch (c.state) {
    case 'pending_approval':
      return mine(c)
        ? 'You filed this request, so another supervisor must approve or reject it.'
        : 'Waiting for a supervisor who did not file it to approve or reject it.';
    case 'cooling_off':
      return [`Approved by ${nameOf(c.approved_by)}. The customer was told at their current contact; it is applied on `,
        timeEl(c.apply_after), ' unless they cancel it in the portal.'];
    case 'applied':
      return ['Applied on ', timeEl(c.closed_at || c.apply_after), '.'];
    case 'rejected':
      return ['Rejected on ', timeEl(c.closed_at), '. Nothing was changed.'];
    case 'cancelled':
      return ['Cancelled by the customer on ', timeEl(c.closed_at), '. Nothing was changed.'];
    case 'failed':
      return 'Could not be applied: the new e-mail address belongs to another customer by now. Nothing was changed.';
    default:
      return STATE_LABEL[c.state] || String(c.state || '');
  }
}

// The reasons given by the supervisors who decided on c.
function decisions(c) {
  return [
    c.approval ? h('p', { class: 'change-decision', text: `Approval reason: ${c.approval}` }) : null,
    c.state === 'rejected' && c.closing ? h('p', { class: 'change-decision', text: `Rejection reason: ${c.closing}` }) : null,
  ];
}

// A refused decision in plain words.
function decideError(e) {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'self_approval') return 'You filed this request yourself, so you cannot decide on it: another supervisor must. Nothing was changed.';
  if (e.code === 'forbidden') return 'Only a supervisor or an administrator who did not file the request may decide on it. Nothing was changed.';
  if (['bad_state', 'change_not_allowed', 'not_found'].includes(e.code)) {
    return `Nothing was changed: ${e.message} Press “Refresh” to see where the request stands now.`;
  }
  return e;
}

// Reloads the screen and puts the focus on change request id.
async function reloadAt(id) {
  await render();
  const item = document.getElementById(`change-${id}`);
  if (item) item.focus();
}

// "Approve…" and "Reject…" of change request c, each with its reason.
function decideControls(c) {
  const path = `${API}/changes/${encodeURIComponent(c.id)}`;
  const make = (verb, open, submit, hint, done) => reasonToggle({
    open, submit, hint, kind: verb, id: `change-${c.id}-${verb}-reason`, describedBy: `change-${c.id}-title`,
    label: `Reason for ${verb === 'approve' ? 'approving' : 'rejecting'} this change`,
    send: async (reason) => {
      await api.post(`${path}/${verb}`, { reason });
      announce(done);
      await reloadAt(c.id);
    },
    error: decideError,
  });
  const approve = make('approve', 'Approve…', 'Approve the change',
    'Recorded in the audit log. Approve only if the request and its reason hold up. The cooling-off period starts now: the customer is told at their current contact and can cancel.',
    `Change request #${c.id} approved; the cooling-off period has started.`);
  const reject = make('reject', 'Reject…', 'Reject the change',
    'Recorded in the audit log. Nothing is changed; tell the agent who filed it.',
    `Change request #${c.id} rejected. Nothing was changed.`);
  exclusive(approve, reject);
  return h('div', { class: 'held-decide' },
    h('div', { class: 'actions' }, approve.open, reject.open), approve.form, reject.form);
}

function changeItem(c) {
  const title = `change-${c.id}-title`;
  const ticket = c.ticket && typeof c.ticket === 'object' ? c.ticket.id : c.ticket;
  return h('li', { class: `change state-${c.state}` },
    h('article', { id: `change-${c.id}`, tabindex: '-1', 'aria-labelledby': title },
      h('header', { id: title },
        h('span', { class: 'who', text: `#${c.id} · ${KINDS[c.kind] || c.kind}` }), ' ',
        h('span', { class: `badge change-${c.state}`, text: STATE_LABEL[c.state] || c.state }), ' ',
        h('span', { text: `for ${(c.customer && c.customer.name) || 'a customer'}` })),
      h('p', null,
        ticket ? h('a', { href: `#/tickets/${encodeURIComponent(ticket)}`, text: `Ticket #${ticket}` }) : null,
        ` · filed by ${nameOf(c.requested_by)} on `, timeEl(c.created_at)),
      c.kind !== 'mfa_reset' ? h('p', { class: 'hint', text: 'The new value is sealed in the request and shown to nobody.' }) : null,
      h('p', { class: 'change-reason', text: `Reason given: ${c.reason || '—'}` }),
      h('p', { class: 'change-state' }, changeState(c)),
      decisions(c),
      c.state === 'pending_approval' && !mine(c) ? decideControls(c) : null));
}

// The filter of the changes screen.
function changeFilters(current) {
  const sel = select('State', 'change-state', STATES, current);
  const form = h('form', { class: 'queue-filters', role: 'search', 'aria-label': 'Filter the change requests' },
    sel.wrap, h('button', { type: 'submit', text: 'Show' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/changes?state=${sel.input.value}`);
  });
  return form;
}

// The supervisors' "Account changes" screen.
export async function showChanges(query) {
  const st = STATE_LABEL[query.get('state')] ? query.get('state') : 'pending_approval';
  const err = alertBox();
  const list = h('div', null, h('p', { class: 'loading', text: 'Loading the change requests…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Account changes' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  h('p', { class: 'hint', text: 'Changes of e-mail, phone, authenticator or account number filed by agents. Each needs the approval of a supervisor who did not file it, then a cooling-off period in which the customer can cancel. There is no way to skip a step.' }),
  changeFilters(st), err, list);
  try {
    const res = await api.get(`${API}/changes${st === 'any' ? '' : `?state=${st}`}`);
    const items = listOf(res.changes);
    replace(list, items.length
      ? h('ul', { class: 'changes', 'aria-label': 'Change requests' }, items.map(changeItem))
      : h('p', { class: 'empty', text: 'No change requests in this state.' }));
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}
