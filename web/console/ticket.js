// Gatehouse agent console: the ticket screen. The head shows the subject
// and the facts, under it "Assign to me" and "Set status", then the
// customer (every personal field masked) and the caller's verification
// (customer.js); below, two
// panels that never share text: the conversation with the customer (with
// the replies held for review among its messages) and its reply composer
// (left, neutral), and the internal notes with their own composer (right,
// amber); the attachments follow. DOM order is reading order: the
// conversation comes before the internal panel.
import { ApiError, h, replace, timeEl, announce, showError, hideError, statusLabel, statusBadge, alertBox, select } from './lib.js';
import { API, api, state, screen } from './shell.js';
import { STATUSES } from './queue.js';
import { showMessages, showNotes } from './thread.js';
import { replyComposer, noteComposer } from './composers.js';
import { attachmentsPanel } from './attachments.js';
import { heldSummary } from './held.js';
import { disclosurePanel } from './customer.js';
import { contactCodePanel } from './contactcode.js';
import { supervisorControls } from './queues.js';
import { slaPanel } from './sla.js';
import { watchTicket } from './live.js';

// The ticket's facts as <dt>/<dd> pairs.
function ticketFacts(ticket) {
  const fact = (k, v) => h('div', null, h('dt', { text: k }), h('dd', null, v));
  return [
    fact('Ticket', `#${ticket.id}`),
    fact('Status', statusBadge(ticket.status)),
    fact('Customer', (ticket.customer && ticket.customer.name) || '—'),
    fact('Queue', ticket.queue || 'general'),
    fact('Assignee', ticket.assignee ? ticket.assignee.name : 'Unassigned'),
    fact('Opened', timeEl(ticket.created_at)),
    // Only supervisors get the mark (the target must not see it).
    ticket.drill ? fact('Kind', h('span', { class: 'badge drill', text: 'Phishing drill' })) : null,
  ];
}

// The head of ticket id: title and facts, filled in by show(ticket).
function ticketHead(id) {
  const title = h('h1', { text: `Ticket #${id}` });
  const facts = h('dl', { class: 'facts' });
  return {
    el: h('div', { class: 'ticket-head' }, title, facts),
    show(ticket) {
      title.textContent = ticket.subject || `Ticket #${id}`;
      document.title = `#${ticket.id} ${ticket.subject || ''} — Gatehouse console`;
      replace(facts, ...ticketFacts(ticket));
    },
  };
}

// A ticket action button: on click post() runs (it returns the message to
// announce), then changed(); a failure shows in err. The button is
// disabled while the action runs.
function actionButton(text, post, err, changed) {
  const btn = h('button', { type: 'button', text });
  btn.addEventListener('click', async () => {
    hideError(err);
    btn.disabled = true;
    try {
      announce(await post());
      await changed();
    } catch (e) {
      showError(err, e);
    } finally {
      btn.disabled = false;
    }
  });
  return btn;
}

// "Assign to me" and "Set status" for ticket id; changed() runs after an
// action, show(ticket) keeps the controls in step with the ticket.
function ticketActions(id, changed) {
  const path = `${API}/tickets/${encodeURIComponent(id)}`;
  const err = alertBox();
  const assign = actionButton('Assign to me', async () => {
    await api.post(`${path}/assign`, { staff_id: state.me.id });
    return 'The ticket is assigned to you.';
  }, err, changed);
  const status = select('Set status', 'ticket-status', STATUSES.filter(([v]) => v !== 'any'), 'open');
  const change = actionButton('Change status', async () => {
    await api.post(`${path}/status`, { status: status.input.value });
    return `Status changed to ${statusLabel(status.input.value)}.`;
  }, err, changed);
  return {
    err,
    el: h('div', { class: 'ticket-actions' }, assign, h('div', { class: 'inline' }, status.wrap, change)),
    show(ticket) {
      status.follow(ticket.status);
      assign.hidden = !!(ticket.assignee && state.me && ticket.assignee.id === state.me.id);
    },
  };
}

// A labelled panel of the workspace ("external" or "internal").
function panel(kind, id, label, ...children) {
  return h('section', { class: `panel ${kind}`, 'aria-labelledby': id },
    h('h2', { class: 'panel-label', id },
      h('span', { class: 'icon', 'aria-hidden': 'true' }),
      h('span', { text: label })),
    ...children);
}

// The screen for ticket id when it cannot be loaded: a 404 (a ticket
// that does not exist or is outside the agent's queues) says so; other
// errors show in the alert. No actions, no composers.
function showMissing(id, e) {
  const err = alertBox();
  const gone = e.status === 404;
  screen(h('p', { class: 'back' }, h('a', { href: '#/queue', text: '← Queue' })),
    h('h1', { text: gone ? `Ticket #${id} not found` : `Ticket #${id}` }),
    gone ? h('p', { class: 'notice not-found', role: 'status',
      text: 'There is no ticket with this number in your queues. It may not exist, or it belongs to a queue you do not work in.' })
      : err);
  if (gone) document.title = 'Ticket not found — Gatehouse console';
  else showError(err, e);
}

export async function showTicket(id) {
  const load = () => api.get(`${API}/tickets/${encodeURIComponent(id)}`);
  let first;
  try {
    first = await load();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    showMissing(id, e);
    return;
  }
  const err = alertBox();
  const head = ticketHead(id);
  const actions = ticketActions(id, () => refresh());
  const sup = supervisorControls(id, () => refresh());
  const sla = slaPanel(id, () => refresh());
  const held = heldSummary();
  const disclosure = disclosurePanel(id);
  const heldCtx = { ticketId: id, err: held.err, changed: () => refresh() };
  const messages = h('ol', { class: 'conversation', 'aria-label': 'Messages and held replies' });
  const notes = h('ol', { class: 'notes', 'aria-label': 'Internal notes' });
  const external = panel('external', 'ext-h', 'Conversation with the customer',
    held.el, messages, watchTicket(id, () => refresh()), replyComposer(id, () => refresh()));
  const internal = panel('internal', 'int-h', 'Internal — never sent to the customer',
    notes, noteComposer(id, () => refresh()));

  screen(h('p', { class: 'back' }, h('a', { href: '#/queue', text: '← Queue' })),
    head.el, err, actions.err, actions.el, sup.el, sla.el, disclosure.el, contactCodePanel(id).el,
    h('div', { class: 'workspace' }, external, internal), attachmentsPanel(id));

  // Draws ticket (loaded again when null); false when it could not be loaded.
  async function refresh(ticket = null) {
    try {
      ticket = ticket || await load();
    } catch (e) {
      showError(err, e);
      return false;
    }
    hideError(err);
    head.show(ticket);
    actions.show(ticket);
    await sup.show(ticket);
    sla.show(ticket);
    held.show(ticket.held);
    showMessages(messages, ticket.messages, ticket.held, heldCtx);
    showNotes(notes, ticket.notes);
    await disclosure.show(ticket);
    return true;
  }

  await refresh(first);
}
