// Gatehouse agent console: the supervisors' "Reveals" screen. Every
// reveal of a customer's personal field is audited; an agent who reveals
// more than the policy allows in an hour is locked out of reveals (the
// bribed-agent case) and the supervisors are told. This screen lists the
// reveals per agent over the chosen hours, who is locked and since when,
// and lets a supervisor or administrator clear a lock with a reason
// (audited) once they have reviewed that agent's reveals.
import { h, replace, timeEl, announce, showError, listOf, alertBox, select } from './lib.js';
import { API, api, screen, go, render } from './shell.js';
import { reasonToggle } from './reason.js';

const HOURS = [['1', 'Last hour'], ['8', 'Last 8 hours'], ['24', 'Last 24 hours'], ['168', 'Last 7 days']];

// The lock of agent row a as {at, reason} or null (the server may give a
// flag or an object).
function lockOf(a) {
  const l = a.locked !== undefined ? a.locked : a.lock;
  if (!l) return null;
  return typeof l === 'object' ? l : { at: a.locked_at, reason: a.lock_reason };
}

// "Clear lock…" for agent a: a reason, then the lock is lifted.
function clearLock(a) {
  const t = reasonToggle({
    open: 'Clear lock…', openLabel: `Clear the reveal lock of ${a.name || 'staff #' + a.id}…`, kind: 'unlock',
    id: `reveal-unlock-${a.id}-reason`, label: 'Reason for clearing the lock', submit: 'Clear the lock',
    hint: 'Recorded in the audit log. Clear it only after reviewing this agent’s reveals and their reasons.',
    error: (e) => (e.code === 'forbidden'
      ? 'You cannot clear your own reveal lock: another supervisor or an administrator must review your reveals.'
      : e),
    send: async (reason) => {
      await api.post(`${API}/staff/${encodeURIComponent(a.id)}/reveal-lock/clear`, { reason });
      announce(`The reveal lock of ${a.name || 'staff #' + a.id} was cleared.`);
      await render();
    },
  });
  return h('div', { class: 'unlock-control' }, t.open, t.form);
}

// The status cell of agent row a.
function lockCell(a) {
  const lock = lockOf(a);
  if (!lock) return h('span', { class: 'muted', text: 'Not locked' });
  return h('div', null,
    h('p', { class: 'locked' }, 'Reveals locked', lock.at ? [' since ', timeEl(lock.at)] : null,
      ' — over the hourly limit. Review the reveals before clearing it.'),
    lock.reason ? h('p', { class: 'hint', text: lock.reason }) : null,
    clearLock(a));
}

function agentRow(a) {
  const n = Number(a.reveals !== undefined ? a.reveals : a.count) || 0;
  return h('tr', { class: lockOf(a) ? 'is-locked' : null },
    h('th', { scope: 'row', text: a.name || `staff #${a.id}` }),
    h('td', { class: 'num', text: String(n) }),
    h('td', null, a.last_reveal_at ? timeEl(a.last_reveal_at) : '—'),
    h('td', null, lockCell(a)));
}

function revealsTable(agents, hours) {
  const label = (HOURS.find(([v]) => v === hours) || [0, `Last ${hours} hours`])[1];
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'reveals' },
      h('caption', { text: `Reveals per agent — ${label.toLowerCase()}` }),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', text: 'Agent' }), h('th', { scope: 'col', text: 'Reveals' }),
        h('th', { scope: 'col', text: 'Last reveal' }), h('th', { scope: 'col', text: 'Reveal lock' }))),
      h('tbody', null, agents.map(agentRow))));
}

function hoursFilter(current) {
  const sel = select('Period', 'reveal-hours', HOURS, current);
  const form = h('form', { class: 'queue-filters', role: 'search', 'aria-label': 'Choose the period' },
    sel.wrap, h('button', { type: 'submit', text: 'Show' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/reveals?hours=${sel.input.value}`);
  });
  return form;
}

// The "Reveals" screen.
export async function showReveals(query) {
  const hours = HOURS.some(([v]) => v === query.get('hours')) ? query.get('hours') : '24';
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading the reveals…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Reveals' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  h('p', { class: 'hint', text: 'How many personal fields each agent revealed. An agent over the hourly limit is locked out of reveals until a supervisor clears the lock.' }),
  hoursFilter(hours), err, body);
  try {
    const res = await api.get(`${API}/supervisor/reveals?hours=${hours}`);
    const agents = listOf(res.agents || res.items);
    replace(body,
      res.per_hour ? h('p', { class: 'hint', text: `Limit: ${res.per_hour} reveals per agent per hour.` }) : null,
      agents.length ? revealsTable(agents, hours) : h('p', { class: 'empty', text: 'No reveals in this period.' }));
  } catch (e) {
    replace(body);
    showError(err, e);
  }
}
