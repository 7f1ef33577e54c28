// Gatehouse agent console: the saved views beside the search (issue 15,
// part SEARCH). The built-in views ("My open", "Unassigned in my queues",
// "Due within 1 h", "Breached"), the agent's own and those shared with
// their queues, each a link to the search with its filters and the number
// of tickets it holds for this agent (GET /api/v1/views/counts, counted
// by the server as the list would be). Below: "Save as view" for the
// search on screen (supervisors may share it with a queue), and Delete on
// the views the agent may change. Names and counts are text nodes.
import { h, replace, showError, alertBox, listOf } from './lib.js';
import { API, api, go, render, isSupervisor } from './shell.js';
import { searchHash } from './search.js';

// One view as a link with its count.
function viewRow(v, count, active, onDelete) {
  const key = v.key;
  const link = h('a', { class: 'view-link', href: searchHash(v.filters || {}, key),
    'aria-current': key === active ? 'page' : null },
  h('span', { class: 'view-name', text: v.name }),
  h('span', { class: 'view-count', 'aria-label': `${count === undefined ? 'unknown' : count} tickets`,
    text: count === undefined ? '–' : String(count) }));
  const del = v.editable
    ? h('button', { type: 'button', class: 'link view-delete', 'aria-label': `Delete the view ${v.name}`, text: 'Delete', on: { click: () => onDelete(v) } })
    : null;
  return h('li', { class: v.shared ? 'view shared' : 'view' }, link,
    v.shared ? h('span', { class: 'muted view-queue', text: `shared · ${v.queue}` }) : null, del);
}

// The form saving filters f as a new view. A customer's e-mail address
// is personal data and is never kept in a view (the server refuses it):
// with one in the search, the form says so instead.
function saveForm(f, err) {
  if (f.customer_email) {
    return h('p', { class: 'muted view-save-note', text: 'A view never keeps a customer\'s e-mail address: remove it from the search to save a view.' });
  }
  const name = h('input', { id: 'view-name', type: 'text', name: 'name', maxlength: 60, required: true, size: 16 });
  const queue = isSupervisor() ? h('input', { id: 'view-queue', type: 'text', name: 'queue', maxlength: 32, size: 10 }) : null;
  const form = h('form', { class: 'view-save', 'aria-label': 'Save this search as a view' },
    h('div', { class: 'field' }, h('label', { for: 'view-name', text: 'Save this search as' }), name),
    queue ? h('div', { class: 'field' }, h('label', { for: 'view-queue', text: 'Share with queue (optional)' }), queue) : null,
    h('button', { type: 'submit', text: 'Save view' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: name.value.trim(), filters: f };
    if (queue && queue.value.trim()) body.queue = queue.value.trim();
    try {
      const v = await api.post(`${API}/views`, body);
      go(searchHash(v.filters || {}, v.key));
    } catch (e) {
      showError(err, e);
    }
  });
  return form;
}

// Fills side with the views and their counts; active is the key of the
// view on screen, f the filters of the search on screen.
export async function viewsSidebar(side, active, f) {
  const err = alertBox();
  const list = h('ul', { class: 'views', 'aria-label': 'Views' });
  replace(side, h('h2', { text: 'Views' }), err, list, h('p', { class: 'loading', text: 'Counting…' }));
  const onDelete = async (v) => {
    if (!window.confirm(`Delete the view “${v.name}”?`)) return;
    try {
      await api.del(`${API}/views/${encodeURIComponent(v.id)}`);
      render();
    } catch (e) {
      showError(err, e);
    }
  };
  try {
    const [views, counts] = await Promise.all([api.get(`${API}/views`), api.get(`${API}/views/counts`)]);
    const byKey = new Map(listOf(counts.counts).map((c) => [c.key, c.count]));
    list.append(...listOf(views.views).map((v) => viewRow(v, byKey.get(v.key), active, onDelete)));
    replace(side, h('h2', { text: 'Views' }), err, list, saveForm(f, err));
  } catch (e) {
    replace(side, h('h2', { text: 'Views' }), err);
    showError(err, e);
  }
}
