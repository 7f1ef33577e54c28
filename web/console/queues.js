// Gatehouse agent console: the supervisors' "Queues" screen and their
// controls on a ticket. The screen lists every queue with its active
// members and its open, pending and unassigned tickets; a queue's members
// open under it; administrators create queues (supervisors read only: the
// server refuses them too). On a ticket, supervisors and administrators
// get "Assign to" (a picker of the active members of the ticket's queue;
// the server still accepts any active staff member) and "Move to queue".
// Every change is audited by the server.
import { h, replace, announce, showError, hideError, alertBox, select, field, listOf, busy, submitRow } from './lib.js';
import { API, api, state, screen, render, isAdmin, isSupervisor } from './shell.js';

// The queues with their counts (supervisors and admins).
export async function loadQueues() {
  return listOf((await api.get(`${API}/admin/queues`)).queues);
}

// The staff members of queue name (all when name is empty).
export async function loadStaff(name) {
  const q = name ? `?queue=${encodeURIComponent(name)}` : '';
  return listOf((await api.get(`${API}/admin/staff${q}`)).staff);
}

// "Name (role)" of staff member s.
export function staffLabel(s) {
  return `${s.name || s.email || `staff #${s.id}`} (${s.role})`;
}

// The members of queue q, loaded when its row opens.
function membersCell(q) {
  const list = h('ul', { class: 'members' });
  const box = h('details', { class: 'queue-members' },
    h('summary', { text: `Members of ${q.name}` }), list);
  let loaded = false;
  box.addEventListener('toggle', async () => {
    if (!box.open || loaded) return;
    loaded = true;
    replace(list, h('li', { class: 'muted', text: 'Loading…' }));
    try {
      const staff = await loadStaff(q.name);
      replace(list, staff.length ? staff.map((s) => h('li', null, staffLabel(s),
        s.disabled ? h('span', { class: 'badge disabled', text: 'Disabled' }) : null))
        : h('li', { class: 'muted', text: 'No members.' }));
    } catch (e) {
      loaded = false;
      replace(list, h('li', { class: 'error', text: e.message }));
    }
  });
  return box;
}

// A row; each cell names its column (shown on narrow screens, super.css).
function queueRow(q) {
  const num = (label, v) => h('td', { class: 'num', dataset: { label }, text: String(Number(v) || 0) });
  return h('tr', null,
    h('th', { scope: 'row', text: q.name }),
    num('Members', q.members), num('Open', q.open), num('Pending', q.pending), num('Unassigned', q.unassigned),
    h('td', null, membersCell(q)));
}

function queuesTable(queues) {
  const col = (t) => h('th', { scope: 'col', text: t });
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'queues-table' },
      h('caption', { text: 'Queues, their active members and their tickets' }),
      h('thead', null, h('tr', null, col('Queue'), col('Members'), col('Open'),
        col('Pending'), col('Unassigned'), col('Who works it'))),
      h('tbody', null, queues.map(queueRow))));
}

// "New queue" (administrators): a name of a-z, 0-9, - and _.
function createForm() {
  const err = alertBox();
  const name = field('Queue name', { type: 'text', name: 'name', required: true, maxlength: 32, pattern: '[a-z0-9][a-z0-9_-]*', autocomplete: 'off' },
    'Lower-case letters, digits, - and _, up to 32 characters; it cannot be renamed later.');
  const form = h('form', { class: 'card new-queue', 'aria-labelledby': 'newq-h', novalidate: true },
    h('h2', { id: 'newq-h', text: 'New queue' }), err, name.wrap, submitRow('Create queue'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(err);
    const v = name.input.value.trim();
    if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(v)) {
      showError(err, 'Use 1 to 32 lower-case letters, digits, - and _, starting with a letter or digit.');
      name.input.focus();
      return;
    }
    try {
      await busy(form, () => api.post(`${API}/admin/queues`, { name: v }));
      announce(`Queue ${v} was created. Add members on the Staff screen.`);
      await render();
    } catch (e) {
      showError(err, e);
      name.input.focus();
    }
  });
  return form;
}

export async function showQueues() {
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading the queues…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Queues' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  h('p', { class: 'hint', text: isAdmin()
    ? 'Members are managed on the Staff screen. Every change is recorded in the audit log.'
    : 'Read only: administrators create queues and change who works them.' }),
  err, body, isAdmin() ? createForm() : null);
  try {
    const queues = await loadQueues();
    replace(body, queues.length ? queuesTable(queues) : h('p', { class: 'empty', text: 'No queues.' }));
  } catch (e) {
    replace(body);
    showError(err, e);
  }
}

// "Assign to" one of the active members of the ticket's queue.
function assignPicker(id, err, changed) {
  const sel = select('Assign to', 'assign-to', [['', 'Choose a member…']], '');
  const btn = h('button', { type: 'button', text: 'Assign' });
  btn.addEventListener('click', async () => {
    hideError(err);
    const staffId = Number(sel.input.value);
    if (!staffId) { showError(err, 'Choose the staff member to assign the ticket to.'); sel.input.focus(); return; }
    const who = sel.input.selectedOptions[0].dataset.name || 'the chosen member';
    btn.disabled = true;
    try {
      await api.post(`${API}/tickets/${encodeURIComponent(id)}/assign`, { staff_id: staffId });
      announce(`The ticket is assigned to ${who}.`);
      await changed();
    } catch (e) { showError(err, e); } finally { btn.disabled = false; }
  });
  return { sel, el: h('div', { class: 'inline' }, sel.wrap, btn) };
}

// "Move to queue" among every queue.
function movePicker(id, err, changed) {
  const sel = select('Move to queue', 'move-to', [], '');
  const btn = h('button', { type: 'button', text: 'Move' });
  btn.addEventListener('click', async () => {
    hideError(err);
    const queue = sel.input.value;
    btn.disabled = true;
    try {
      await api.post(`${API}/tickets/${encodeURIComponent(id)}/queue`, { queue });
      announce(`The ticket was moved to queue ${queue}.`);
      await changed();
    } catch (e) { showError(err, e); } finally { btn.disabled = false; }
  });
  return { sel, el: h('div', { class: 'inline' }, sel.wrap, btn) };
}

// The supervisors' controls on ticket id: show(ticket) fills the pickers
// for the ticket's queue. Nothing for agents.
export function supervisorControls(id, changed) {
  if (!isSupervisor()) return { el: null, show: async () => {} };
  const err = alertBox();
  const assign = assignPicker(id, err, changed);
  const move = movePicker(id, err, changed);
  const el = h('div', { class: 'supervisor-actions', role: 'group', 'aria-label': 'Supervisor actions' },
    err, assign.el, move.el);
  return {
    el,
    async show(ticket) {
      try {
        const [members, queues] = await Promise.all([loadStaff(ticket.queue || 'general'), loadQueues()]);
        const active = members.filter((s) => !s.disabled);
        const current = ticket.assignee ? ticket.assignee.id : 0;
        replace(assign.sel.input, h('option', { value: '', text: active.length ? 'Choose a member…' : 'No active members' }),
          active.map((s) => h('option', { value: String(s.id), selected: s.id === current ? true : null, dataset: { name: s.name || s.email },
            text: staffLabel(s) + (s.id === state.me.id ? ' — you' : '') })));
        replace(move.sel.input, queues.map((q) => h('option', { value: q.name, selected: q.name === ticket.queue ? true : null, text: q.name })));
      } catch (e) {
        showError(err, e);
      }
    },
  };
}
