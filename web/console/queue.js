// Gatehouse agent console: the queue screen. Filters for status and
// assignment live in the URL (#/queue?status=open&assigned=me&offset=50),
// so reload and Back keep them; one row per ticket, PAGE rows per page.
import { h, replace, timeEl, showError, statusBadge, listOf, alertBox, select } from './lib.js';
import { API, api, go, render, screen } from './shell.js';

// Ticket statuses as the filters and the ticket's status control name them.
export const STATUSES = [['open', 'Open'], ['pending', 'Pending'], ['solved', 'Solved'], ['any', 'Any status']];
const ASSIGNED = [['any', 'Anyone'], ['me', 'Me'], ['unassigned', 'Unassigned']];
const PAGE = 50;

// The filters from the route's query, unknown values replaced by defaults.
function queueQuery(query) {
  const status = ['open', 'pending', 'solved', 'any'].includes(query.get('status')) ? query.get('status') : 'open';
  const assigned = ['me', 'unassigned', 'any'].includes(query.get('assigned')) ? query.get('assigned') : 'any';
  const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
  return { status, assigned, offset };
}

// The filter form; "Show" navigates to the filtered queue.
function queueFilters(q) {
  const st = select('Status', 'status', STATUSES, q.status);
  const as = select('Assigned to', 'assigned', ASSIGNED, q.assigned);
  const filters = h('form', { class: 'queue-filters', role: 'search', 'aria-label': 'Filter the queue' },
    st.wrap, as.wrap, h('button', { type: 'submit', text: 'Show' }));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/queue?status=${st.input.value}&assigned=${as.input.value}`);
  });
  return filters;
}

// One ticket of the queue: a link to it with subject, who and status.
function queueRow(t) {
  return h('li', null,
    h('a', { class: 'ticket-row', href: `#/tickets/${encodeURIComponent(t.id)}` },
      h('span', { class: 'id', text: `#${t.id}` }),
      h('span', null,
        h('span', { class: 'subject', text: t.subject || '(no subject)' }), h('br'),
        h('span', { class: 'who', text: `${(t.customer && t.customer.name) || 'Customer'} · ${t.queue ? 'queue ' + t.queue + ' · ' : ''}${t.assignee ? 'assigned to ' + t.assignee.name : 'unassigned'}` })),
      h('span', { class: 'meta' },
        t.drill ? h('span', { class: 'badge drill', text: 'Phishing drill' }) : null,
        statusBadge(t.status),
        h('span', { class: 'muted' }, timeEl(t.updated_at)))));
}

// "← Newer" and "Older →" links for the page after q with n tickets shown.
function pagerLinks(q, n) {
  const base = `#/queue?status=${q.status}&assigned=${q.assigned}`;
  return [
    q.offset > 0 ? h('a', { class: 'button', href: `${base}&offset=${Math.max(0, q.offset - PAGE)}`, text: '← Newer' }) : null,
    n === PAGE ? h('a', { class: 'button', href: `${base}&offset=${q.offset + PAGE}`, text: 'Older →' }) : null,
  ];
}

export async function showQueue(query) {
  const q = queueQuery(query);
  const err = alertBox();
  const list = h('div', null, h('p', { class: 'loading', text: 'Loading the queue…' }));
  const pager = h('nav', { class: 'actions', 'aria-label': 'Queue pages' });
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Queue' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  queueFilters(q), err, list, pager);

  try {
    const res = await api.get(`${API}/tickets?status=${q.status}&assigned=${q.assigned}&limit=${PAGE}&offset=${q.offset}`);
    const tickets = listOf(res.tickets);
    if (!tickets.length) {
      replace(list, h('p', { class: 'empty', text: q.offset ? 'No more tickets.' : 'No tickets match these filters.' }));
    } else {
      replace(list, h('ul', { class: 'queue', 'aria-label': 'Tickets' }, tickets.map(queueRow)));
    }
    replace(pager, ...pagerLinks(q, tickets.length));
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}
