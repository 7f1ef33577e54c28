// Gatehouse agent console: the "Staff" screen. Every staff member with
// role, queues, last login, whether an authenticator is enrolled (MFA)
// and whether the account is disabled. Administrators disable and enable
// accounts (disabling ends every session of that person at once; never
// their own account, never the last active administrator) and change
// queue memberships; supervisors see the same list read only (the server
// refuses them the changes too). New staff are created on the command
// line (`gatehouse staff add`), which hands out their authenticator
// secret: the console never shows one. Every change is audited.
// Passkeys (issue 17): each member's count, opened to see them, and a
// lost passkey's reset by two administrators (pkreset.js).
import { h, replace, timeEl, announce, showError, hideError, alertBox, busy } from './lib.js';
import { API, api, state, screen, render, isAdmin } from './shell.js';
import { loadQueues, loadStaff } from './queues.js';
import { passkeysCell, resetToggle, pendingResets } from './pkreset.js';

const ROLE = { agent: 'Agent', supervisor: 'Supervisor', admin: 'Administrator' };

// Disable or enable staff member s, after a confirmation for disabling.
function stateButton(s, err) {
  const disable = !s.disabled;
  const label = disable ? 'Disable' : 'Enable';
  const name = s.name || s.email;
  const btn = h('button', { type: 'button', class: disable ? 'danger' : null, text: label,
    'aria-label': `${label} ${name}` });
  btn.addEventListener('click', async () => {
    hideError(err);
    if (disable && !window.confirm(`Disable ${name}? They are signed out everywhere at once and cannot sign in until enabled again.`)) return;
    btn.disabled = true;
    try {
      const res = await api.post(`${API}/admin/staff/${encodeURIComponent(s.id)}/${disable ? 'disable' : 'enable'}`, {});
      const ended = Number(res.sessions_ended) || 0;
      announce(disable ? `${name} is disabled; ${ended} session${ended === 1 ? '' : 's'} ended.` : `${name} is enabled again.`);
      await render();
    } catch (e) {
      showError(err, e);
      btn.disabled = false;
    }
  });
  return btn;
}

// "Queues…": a checkbox per queue, saved as the member's whole set.
function queuesEditor(s, queues, err) {
  const boxes = queues.map((q) => {
    const id = `mq-${s.id}-${q.name}`;
    const input = h('input', { type: 'checkbox', id, value: q.name, checked: (s.queues || []).includes(q.name) ? true : null });
    return { input, el: h('div', { class: 'check' }, input, h('label', { for: id, text: q.name })) };
  });
  const form = h('form', { class: 'member-queues' },
    h('fieldset', null, h('legend', { text: `Queues of ${s.name || s.email}` }), boxes.map((b) => b.el)),
    h('button', { type: 'submit', text: 'Save queues' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(err);
    const names = boxes.filter((b) => b.input.checked).map((b) => b.input.value);
    if (!names.length) { showError(err, 'Keep at least one queue: a staff member in none sees only tickets already assigned to them.'); return; }
    try {
      await busy(form, () => api.put(`${API}/admin/staff/${encodeURIComponent(s.id)}/queues`, { queues: names }));
      announce(`The queues of ${s.name || s.email} are now: ${names.join(', ')}.`);
      await render();
    } catch (e) { showError(err, e); }
  });
  return h('details', { class: 'edit-queues' }, h('summary', { text: 'Queues…' }), form);
}

// The actions cell: administrators only, never on their own row's state.
function actionsCell(s, queues, err, waiting) {
  if (!isAdmin()) return h('td', { class: 'muted', text: '—' });
  const self = state.me && s.id === state.me.id;
  return h('td', { class: 'staff-actions' },
    self ? h('span', { class: 'muted', text: 'You' }) : stateButton(s, err),
    queuesEditor(s, queues, err), resetToggle(s, err, waiting));
}

// A cell labelled with its column (shown on narrow screens, super.css).
function cell(label, ...children) {
  return h('td', { dataset: { label } }, ...children);
}

function staffRow(s, queues, err, waiting) {
  const actions = actionsCell(s, queues, err, waiting);
  actions.dataset.label = 'Actions';
  return h('tr', { class: s.disabled ? 'is-disabled' : null, dataset: { staffId: String(s.id) } },
    h('th', { scope: 'row' }, h('span', { class: 'name', text: s.name || '—' }), h('br'),
      h('span', { class: 'muted', text: s.email })),
    cell('Role', ROLE[s.role] || s.role),
    cell('Queues', (s.queues || []).join(', ') || 'none'),
    cell('Last login', s.last_login ? timeEl(s.last_login) : h('span', { class: 'muted', text: 'Never' })),
    cell('MFA', s.mfa_enrolled ? h('span', { class: 'badge ok', text: 'Authenticator' })
      : h('span', { class: 'badge warn', text: 'Not enrolled' })),
    cell('Passkeys', passkeysCell(s)),
    cell('Account', s.disabled ? h('span', { class: 'badge disabled', text: 'Disabled' })
      : h('span', { class: 'badge ok', text: 'Active' })),
    actions);
}

function staffTable(staff, queues, err, waiting) {
  const col = (t) => h('th', { scope: 'col', text: t });
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'staff-table' },
      h('caption', { text: 'Staff members' }),
      h('thead', null, h('tr', null, col('Name'), col('Role'), col('Queues'), col('Last login'),
        col('MFA'), col('Passkeys'), col('Account'), col('Actions'))),
      h('tbody', null, staff.map((s) => staffRow(s, queues, err, waiting)))));
}

export async function showStaff() {
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading staff…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Staff' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  isAdmin() ? h('p', { class: 'hint' }, 'Disabling signs the person out everywhere at once. New staff are added with ',
    h('code', { text: 'gatehouse staff add' }), ' on the server. Every change is recorded in the audit log.')
    : h('p', { class: 'hint', text: 'Read only: administrators disable accounts and change queue memberships.' }),
  err, body);
  try {
    const [staff, queues, resets] = await Promise.all([loadStaff(''), isAdmin() ? loadQueues() : [], pendingResets()]);
    replace(body, resets.el, staffTable(staff, queues, err, resets.staff));
  } catch (e) {
    replace(body);
    showError(err, e);
  }
}
