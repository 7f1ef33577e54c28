// Gatehouse agent console: selecting tickets in the queue and changing
// them together (POST /api/v1/tickets/bulk). Each row gets a checkbox;
// the bar above the list says how many are selected and offers "Status",
// "Priority", tags to add and to remove and, for supervisors and
// administrators, "Assign to" and "Queue". The server applies the change ticket by ticket with the same
// rules as on the ticket screen (an agent changes only tickets they
// hold) and answers per ticket; the bar says how many changed and why
// the others did not, in plain words.
import { h, replace, announce, showError, hideError, alertBox, select, field, listOf } from './lib.js';
import { API, api, isSupervisor } from './shell.js';
import { loadQueues, loadStaff, staffLabel } from './queues.js';

const KEEP = ['', 'No change'];
const STATUS = [KEEP, ['open', 'Open'], ['pending', 'Pending'], ['solved', 'Solved']];
const PRIORITY = [KEEP, ['low', 'Low'], ['normal', 'Normal'], ['high', 'High'], ['urgent', 'Urgent']];
const WHY = {
  not_found: 'not found in your queues',
  not_assigned: 'not assigned to you (take it first)',
  forbidden: 'not allowed for you',
  staff_disabled: 'that staff member is disabled',
};

// The outcome of the last bulk change, shown once by the bar of the
// queue screen drawn again after it.
let carried = null;

// The tags typed into a field: words separated by spaces or commas.
const words = (s) => s.split(/[\s,]+/).filter(Boolean);
// A tag as the server accepts it (POST /tickets/{id}/tags).
const TAG = /^[a-z0-9_-]{1,32}$/;

// The request body from the bar's choices, or null when none is made.
function changeOf(ctl) {
  const body = {};
  if (ctl.status.input.value) body.status = ctl.status.input.value;
  if (ctl.priority.input.value) body.priority = ctl.priority.input.value;
  const add = words(ctl.addTags.input.value);
  const remove = words(ctl.removeTags.input.value);
  if (add.length || remove.length) body.tags = { add, remove };
  if (ctl.assign && ctl.assign.input.value) body.assign = Number(ctl.assign.input.value);
  if (ctl.queue && ctl.queue.input.value) body.queue = ctl.queue.input.value;
  return Object.keys(body).length ? body : null;
}

// What became of the tickets, in words.
function summary(res) {
  const failed = listOf(res.results).filter((r) => !r.ok);
  const changed = Number(res.changed) || 0;
  const head = `${changed} ticket${changed === 1 ? '' : 's'} changed.`;
  if (!failed.length) return { head, list: null };
  return {
    head: `${head} ${failed.length} not changed:`,
    list: h('ul', null, failed.map((r) => h('li', { text: `#${r.id}: ${WHY[r.error] || r.error.replace(/_/g, ' ')}` }))),
  };
}

// Fills the supervisors' pickers (active staff, queues) once.
async function fillPickers(ctl) {
  if (!ctl.assign) return;
  const [staff, queues] = await Promise.all([loadStaff(''), loadQueues()]);
  replace(ctl.assign.input, h('option', { value: '', text: 'No change' }),
    staff.filter((s) => !s.disabled).map((s) => h('option', { value: String(s.id), text: staffLabel(s) })));
  replace(ctl.queue.input, h('option', { value: '', text: 'No change' }),
    queues.map((q) => h('option', { value: q.name, text: q.name })));
}

function controls() {
  const sup = isSupervisor();
  return {
    status: select('Status', 'bulk-status', STATUS, ''),
    priority: select('Priority', 'bulk-priority', PRIORITY, ''),
    addTags: field('Add tags', { type: 'text', name: 'add_tags', id: 'bulk-add-tags', maxlength: 200, size: 14, autocomplete: 'off' }),
    removeTags: field('Remove tags', { type: 'text', name: 'remove_tags', id: 'bulk-remove-tags', maxlength: 200, size: 14, autocomplete: 'off' }),
    assign: sup ? select('Assign to', 'bulk-assign', [KEEP], '') : null,
    queue: sup ? select('Queue', 'bulk-queue', [KEEP], '') : null,
  };
}

// The selection of the queue screen: bar (the element above the list),
// row(ticket, li) adds a row's checkbox, redraw(tickets) comes before the
// rows of a list drawn anew; done() runs after a change.
export function bulkSelection(done) {
  const selected = new Set();
  const boxes = [];
  const ctl = controls();
  const err = alertBox();
  const result = h('div', { class: 'bulk-result', role: 'status' });
  const count = h('span', { class: 'bulk-count', text: 'No tickets selected' });
  const apply = h('button', { type: 'submit', class: 'primary', text: 'Apply to selected' });
  const all = h('input', { type: 'checkbox', id: 'bulk-all' });
  // The changes are offered once a ticket is selected (and are out of
  // the page until then, so the queue's own filters stay the only ones).
  const actions = h('div', { class: 'bulk-actions' }, ctl.status.wrap, ctl.priority.wrap,
    ctl.addTags.wrap, ctl.removeTags.wrap, ctl.assign && ctl.assign.wrap, ctl.queue && ctl.queue.wrap, apply);
  const bar = h('form', { class: 'bulk-bar', 'aria-label': 'Change the selected tickets' },
    h('div', { class: 'check' }, all, h('label', { for: 'bulk-all', text: 'Select all shown' })), count, err, result);
  const update = () => {
    count.textContent = selected.size ? `${selected.size} selected` : 'No tickets selected';
    if (selected.size && !actions.isConnected) bar.insertBefore(actions, err);
    if (!selected.size) actions.remove();
    all.checked = boxes.length > 0 && selected.size === boxes.length;
  };
  all.addEventListener('change', () => {
    for (const b of boxes) {
      b.checked = all.checked;
      if (all.checked) selected.add(Number(b.value)); else selected.delete(Number(b.value));
    }
    update();
  });
  bar.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(err);
    const body = changeOf(ctl);
    if (!body) { showError(err, 'Choose what to change: a status, a priority, tags, an assignee or a queue.'); return; }
    const bad = body.tags && body.tags.add.concat(body.tags.remove).find((x) => !TAG.test(x));
    if (bad) { showError(err, `“${bad}” is not a tag: a tag is 1 to 32 lower-case letters, digits, - or _.`); return; }
    apply.disabled = true;
    try {
      const res = await api.post(`${API}/tickets/bulk`, Object.assign({ ids: [...selected] }, body));
      const s = summary(res);
      carried = s;
      announce(s.head);
      await done();
    } catch (e) { showError(err, e); apply.disabled = false; }
  });
  if (carried) replace(result, h('p', { text: carried.head }), carried.list);
  carried = null;
  fillPickers(ctl).catch((e) => showError(err, e));
  return {
    bar,
    // A live update draws the first page again: the rows of tickets
    // (those of the new page) replace all shown. Boxes of the old rows
    // go, and so do selected tickets no longer shown, so the count,
    // "Select all shown" and "Apply to selected" act on shown rows only.
    redraw(tickets) {
      const shown = new Set(tickets.map((t) => Number(t.id)));
      boxes.length = 0;
      for (const id of [...selected]) if (!shown.has(id)) selected.delete(id);
      update();
    },
    row(t, li) {
      const box = h('input', { type: 'checkbox', value: String(t.id), 'aria-label': `Select ticket #${t.id}` });
      // A row drawn again (a live update) keeps its selection.
      box.checked = selected.has(t.id);
      box.addEventListener('change', () => { if (box.checked) selected.add(t.id); else selected.delete(t.id); update(); });
      const old = boxes.findIndex((b) => b.value === box.value);
      if (old >= 0) boxes.splice(old, 1);
      boxes.push(box);
      li.classList.add('selectable');
      li.prepend(h('div', { class: 'select-cell' }, box));
      update();
      return li;
    },
  };
}
