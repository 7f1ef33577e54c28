// Gatehouse agent console: the queue screen. Filters for status and
// assignment live in the URL (#/queue?status=open&assigned=me), so reload
// and Back keep them; one row per ticket, PAGE rows at a time: "Load more"
// appends the next page, read by the list's cursor (next_cursor), so the
// rows already shown never come again while tickets arrive.
import { h, replace, timeEl, showError, hideError, statusBadge, listOf, alertBox, select, morePager } from './lib.js';
import { API, api, go, render, screen } from './shell.js';
import { bulkSelection } from './bulk.js';
import { slaRowMeta } from './sla.js';
import { watchQueue, unreadDot, drawRows } from './live.js';

// Ticket statuses as the filters and the ticket's status control name them.
export const STATUSES = [['open', 'Open'], ['pending', 'Pending'], ['solved', 'Solved'], ['any', 'Any status']];
const ASSIGNED = [['any', 'Anyone'], ['me', 'Me'], ['unassigned', 'Unassigned']];
const PAGE = 50;

// The filters from the route's query, unknown values replaced by defaults.
function queueQuery(query) {
  const status = ['open', 'pending', 'solved', 'any'].includes(query.get('status')) ? query.get('status') : 'open';
  const assigned = ['me', 'unassigned', 'any'].includes(query.get('assigned')) ? query.get('assigned') : 'any';
  return { status, assigned };
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
      h('span', { class: 'id', text: `#${t.id}` }, unreadDot(t)),
      h('span', null,
        h('span', { class: 'subject', text: t.subject || '(no subject)' }), h('br'),
        h('span', { class: 'who', text: `${(t.customer && t.customer.name) || 'Customer'} · ${t.queue ? 'queue ' + t.queue + ' · ' : ''}${t.assignee ? 'assigned to ' + t.assignee.name : 'unassigned'}` })),
      h('span', { class: 'meta' },
        slaRowMeta(t),
        t.drill ? h('span', { class: 'badge drill', text: 'Phishing drill' }) : null,
        statusBadge(t.status),
        h('span', { class: 'muted' }, timeEl(t.updated_at)))));
}

export async function showQueue(query) {
  const q = queueQuery(query);
  const err = alertBox();
  const list = h('div', null, h('p', { class: 'loading', text: 'Loading the queue…' }));
  const more = h('nav', { class: 'actions', 'aria-label': 'More tickets' });
  const rows = h('ul', { class: 'queue', 'aria-label': 'Tickets' });
  const base = `${API}/tickets?status=${q.status}&assigned=${q.assigned}&limit=${PAGE}`;
  const sel = bulkSelection(() => render());
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Queue' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  queueFilters(q), sel.bar, err, list, more);

  // Appends the page after cursor (none: the first) to the rows.
  async function load(cursor) {
    const res = await api.get(cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base);
    const items = listOf(res.tickets).map((t) => sel.row(t, queueRow(t)));
    rows.append(...items);
    return { next: res.next_cursor, first: items.length ? items[0].querySelector('a') : null };
  }

  try {
    const page = await load(null);
    replace(list, rows.childElementCount ? rows : h('p', { class: 'empty', text: 'No tickets match these filters.' }));
    if (page.next) morePager(more, page.next, load, err, 'No more tickets.');
    // Live updates (live.js): the first page again, without a reload.
    watchQueue(list, async () => {
      const res = await api.get(base);
      hideError(err);
      sel.redraw(listOf(res.tickets));
      drawRows(list, rows, listOf(res.tickets), (t) => sel.row(t, queueRow(t)), h('p', { class: 'empty', text: 'No tickets match these filters.' }));
      replace(more);
      if (res.next_cursor) morePager(more, res.next_cursor, load, err, 'No more tickets.');
    }, (e) => showError(err, e));
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}
