// Gatehouse customer portal: searching "My tickets" (issue 15, part
// SEARCH). GET /api/v1/portal/tickets?q=... searches the customer's own
// tickets (subjects and messages; never internal notes, which the server
// keeps in an index the portal cannot reach). Results replace the list
// until "Show all tickets"; each shows the snippet with the matched words
// marked. The server marks them with U+0002 and U+0003; this file splits
// on those and builds text nodes and <mark> elements, never HTML.
import { h, replace, timeEl, showError, statusBadge, listOf } from './lib.js';

const PAGE = 25;

// The snippet text with its marks as <mark> elements, the rest as text.
function snippetNodes(s) {
  const out = [];
  let rest = String(s || '');
  while (rest.length) {
    const a = rest.indexOf('\u0002');
    if (a < 0) { out.push(document.createTextNode(rest)); break; }
    if (a > 0) out.push(document.createTextNode(rest.slice(0, a)));
    const b = rest.indexOf('\u0003', a + 1);
    out.push(h('mark', { text: rest.slice(a + 1, b < 0 ? rest.length : b) }));
    rest = b < 0 ? '' : rest.slice(b + 1);
  }
  return out;
}

function resultRow(t) {
  return h('li', null,
    h('a', { href: `#/tickets/${encodeURIComponent(t.id)}`, class: 'ticket-row' },
      h('span', { class: 'subject', text: t.subject || '(no subject)' }),
      t.match ? h('span', { class: 'snippet' }, ...snippetNodes(t.match.snippet)) : null,
      h('span', { class: 'meta' },
        statusBadge(t.status),
        h('span', { class: 'muted' }, 'Updated ', timeEl(t.updated_at)),
        h('span', { class: 'muted', text: `#${t.id}` }))));
}

// The search form above the list. ctx: { api, API, list, more, err,
// reset } where list and more are the list's containers, err its alert
// box and reset shows the whole list again. Returns { el, shown() }: the
// form, and whether search results (not the list) are shown.
export function portalSearch(ctx) {
  const q = h('input', { id: 'portal-q', name: 'q', type: 'search', maxlength: 200, autocomplete: 'off' });
  const clear = h('button', { type: 'button', class: 'link', hidden: true, text: 'Show all tickets' });
  const count = h('p', { class: 'muted search-count', 'aria-live': 'polite' });
  const form = h('form', { class: 'search-form portal-search', role: 'search', 'aria-label': 'Search your tickets' },
    h('div', { class: 'field search-text' }, h('label', { for: 'portal-q', text: 'Search your tickets' }), q),
    h('button', { type: 'submit', text: 'Search' }), clear, count);
  clear.addEventListener('click', () => ctx.reset());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = q.value.trim();
    if (!text) return ctx.reset();
    try {
      const res = await ctx.api.get(`${ctx.API}/tickets?q=${encodeURIComponent(text)}&limit=${PAGE}`);
      const rows = listOf(res.tickets).map(resultRow);
      const total = Number(res.total) || 0;
      replace(count, `${total} ticket${total === 1 ? '' : 's'} found${total > rows.length ? `; the best ${rows.length} are shown` : ''}`);
      replace(ctx.list, rows.length ? h('ul', { class: 'tickets', 'aria-label': 'Tickets found' }, ...rows)
        : h('p', { class: 'empty', text: 'None of your tickets match. Try other words.' }));
      replace(ctx.more);
      clear.hidden = false;
    } catch (e) {
      showError(ctx.err, e);
    }
  });
  return { el: form, shown: () => !clear.hidden };
}
