// Gatehouse agent console: search over the tickets the agent may see
// (GET /api/v1/tickets?q=... and its filters, issue 15 part SEARCH), with
// the saved views beside it (views.js). The text and the filters live in
// the URL (#/search?q=refund&priority=high), so reload, Back and a view's
// link all land on the same list. Each result shows where it matched and
// the snippet with the matched words marked: the server marks them with
// the characters U+0002 and U+0003, and this file splits on those and
// builds text nodes and <mark> elements; no server text is ever parsed
// as HTML.
import { h, replace, timeEl, showError, statusBadge, listOf, alertBox, select } from './lib.js';
import { API, api, go, screen } from './shell.js';
import { viewsSidebar } from './views.js';

const PAGE = 25;
const MARK_START = '\u0002';
const MARK_END = '\u0003';

// The filters the form offers, in the order of the URL.
export const FILTER_KEYS = ['q', 'status', 'assigned', 'queue', 'priority', 'tag', 'sort',
  'customer_email', 'created_after', 'created_before', 'due_within', 'breached'];
const STATUS = [['', 'Any status'], ['open', 'Open'], ['pending', 'Pending'], ['solved', 'Solved'], ['unsolved', 'Open or pending']];
const ASSIGNED = [['', 'Anyone'], ['me', 'Me'], ['unassigned', 'Unassigned']];
const PRIORITY = [['', 'Any priority'], ['urgent', 'Urgent'], ['high', 'High'], ['normal', 'Normal'], ['low', 'Low']];
const SORT = [['', 'Best match / newest'], ['relevance', 'Best match'], ['updated', 'Recently updated'],
  ['created', 'Newest'], ['priority', 'Priority'], ['due', 'Due soonest']];
const MATCH_IN = { subject: 'Subject', message: 'Conversation', note: 'Internal note' };

// The filters of the route's query that have a value.
export function filtersOf(query) {
  const f = {};
  for (const k of FILTER_KEYS) {
    const v = query.get(k);
    if (v) f[k] = v;
  }
  return f;
}

// The query string of filters f (and the view key, when one is shown).
export function searchHash(f, view) {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) p.set(k, f[k]);
  if (view) p.set('view', view);
  return `#/search?${p.toString()}`;
}

// The snippet text with its marks as <mark> elements, the rest as text.
export function snippetNodes(s) {
  const out = [];
  let rest = String(s || '');
  while (rest.length) {
    const a = rest.indexOf(MARK_START);
    if (a < 0) { out.push(document.createTextNode(rest)); break; }
    if (a > 0) out.push(document.createTextNode(rest.slice(0, a)));
    const b = rest.indexOf(MARK_END, a + 1);
    const end = b < 0 ? rest.length : b;
    out.push(h('mark', { text: rest.slice(a + 1, end) }));
    rest = b < 0 ? '' : rest.slice(b + 1);
  }
  return out;
}

// The search form: the text and the common filters.
function searchForm(f) {
  const q = h('input', { id: 'search-q', name: 'q', type: 'search', value: f.q || '', maxlength: 200,
    autocomplete: 'off', placeholder: 'Words, "a phrase", or refu*' });
  const st = select('Status', 'status', STATUS, f.status || '');
  const as = select('Assigned to', 'assigned', ASSIGNED, f.assigned || '');
  const pr = select('Priority', 'priority', PRIORITY, f.priority || '');
  const so = select('Order', 'sort', SORT, f.sort || '');
  const tag = h('input', { id: 'search-tag', type: 'text', name: 'tag', value: f.tag || '', maxlength: 32, size: 10 });
  const queue = h('input', { id: 'search-queue', type: 'text', name: 'queue', value: f.queue || '', maxlength: 32, size: 10 });
  // A customer by e-mail: the whole address, matched exactly (the store
  // finds it through its blind index; no part of an address is searched).
  const email = h('input', { id: 'search-email', type: 'email', name: 'customer_email', value: f.customer_email || '',
    maxlength: 254, size: 22, autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'search-form', role: 'search', 'aria-label': 'Search tickets' },
    h('div', { class: 'field search-text' }, h('label', { for: 'search-q', text: 'Search tickets' }), q),
    h('div', { class: 'queue-filters' }, st.wrap, as.wrap, pr.wrap,
      h('div', { class: 'field' }, h('label', { for: 'search-tag', text: 'Tag' }), tag),
      h('div', { class: 'field' }, h('label', { for: 'search-queue', text: 'Queue' }), queue),
      h('div', { class: 'field' }, h('label', { for: 'search-email', text: 'Customer e-mail (whole address)' }), email),
      so.wrap, h('button', { type: 'submit', text: 'Search' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = { ...f, q: q.value.trim(), status: st.input.value, assigned: as.input.value,
      priority: pr.input.value, tag: tag.value.trim(), queue: queue.value.trim(),
      customer_email: email.value.trim(), sort: so.input.value };
    go(searchHash(next));
  });
  return { form, q };
}

// One result: the ticket row of the queue, and where it matched.
function resultRow(t) {
  const m = t.match;
  return h('li', null,
    h('a', { class: 'ticket-row', href: `#/tickets/${encodeURIComponent(t.id)}` },
      h('span', { class: 'id', text: `#${t.id}` }),
      h('span', null,
        h('span', { class: 'subject', text: t.subject || '(no subject)' }), h('br'),
        h('span', { class: 'who', text: `${(t.customer && t.customer.name) || 'Customer'} · ${t.queue ? 'queue ' + t.queue + ' · ' : ''}${t.assignee ? 'assigned to ' + t.assignee.name : 'unassigned'}` }),
        m ? h('span', { class: 'snippet' },
          h('span', { class: `match-in match-${m.in}`, text: `${MATCH_IN[m.in] || m.in}: ` }),
          ...snippetNodes(m.snippet)) : null),
      h('span', { class: 'meta' },
        t.priority && t.priority !== 'normal' ? h('span', { class: `badge priority-${t.priority}`, text: t.priority }) : null,
        t.breached ? h('span', { class: 'badge breached', text: 'Breached' }) : null,
        statusBadge(t.status),
        h('span', { class: 'muted' }, timeEl(t.updated_at)))));
}

// Reads the page at offset into rows; the count line says how many match.
async function loadPage(base, offset, rows, count) {
  const res = await api.get(`${base}&limit=${PAGE}&offset=${offset}`);
  const items = listOf(res.tickets).map(resultRow);
  rows.append(...items);
  const total = Number(res.total) || 0;
  replace(count, `${total} ticket${total === 1 ? '' : 's'} found`);
  return { shown: offset + items.length, total, first: items.length ? items[0].querySelector('a') : null };
}

// "Load more" while results remain (offset paging, up to the server's cap).
function pager(nav, base, page, rows, count, err) {
  if (page.shown >= page.total || page.shown >= 10000) { replace(nav); return; }
  const b = h('button', { type: 'button', class: 'load-more', text: 'Load more' });
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const next = await loadPage(base, page.shown, rows, count);
      pager(nav, base, next, rows, count, err);
      if (next.first) next.first.focus();
    } catch (e) {
      b.disabled = false;
      showError(err, e);
    }
  });
  replace(nav, b);
}

export async function showSearch(query) {
  const f = filtersOf(query);
  const err = alertBox();
  const count = h('p', { class: 'muted search-count', 'aria-live': 'polite' });
  const rows = h('ul', { class: 'queue', 'aria-label': 'Search results' });
  const list = h('div', null, h('p', { class: 'loading', text: 'Searching…' }));
  const more = h('nav', { class: 'actions', 'aria-label': 'More results' });
  const side = h('aside', { class: 'views-side', 'aria-label': 'Saved views' });
  const { form } = searchForm(f);
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Search' })),
    h('div', { class: 'search-layout' }, side,
      h('section', { class: 'search-main' }, form, err, count, list, more)));
  viewsSidebar(side, query.get('view') || '', f);
  const args = new URLSearchParams(f);
  if (!Object.keys(f).length) args.set('sort', 'updated');
  const base = `${API}/tickets?${args.toString()}`;
  try {
    const page = await loadPage(base, 0, rows, count);
    replace(list, rows.childElementCount ? rows : h('p', { class: 'empty', text: 'No tickets match. Try fewer words or other filters.' }));
    pager(more, base, page, rows, count, err);
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}
