// Gatehouse agent console: priorities, tags and due times (issue 15, SLA).
//  - slaPanel(id, changed): on the ticket screen, the priority selector,
//    the tag editor (POST /tickets/{id}/priority and /tags) and the time
//    left to the next SLA target.
//  - slaRowMeta(t): in the queue's rows, the priority, the tags and the
//    time left.
//  - showSla(): the supervisors' SLA screen: breaches by queue and agent
//    over a period, open tickets at risk, business calendars and each
//    queue's policy.
// Time left counts down every second on every screen that shows one; a
// missed target reads "Breached" / "Overdue by …" in words, the red
// colour only repeats it.
import { h, replace, announce, showError, hideError, alertBox, select, field, busy, submitRow, listOf, timeEl } from './lib.js';
import { API, api, screen } from './shell.js';

export const PRIORITIES = [['low', 'Low'], ['normal', 'Normal'], ['high', 'High'], ['urgent', 'Urgent']];
const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];
const TAG_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

// ------------------------------------------------------------ time left

// "2 h 05 min", "45 min 07 s", "30 s" for a number of seconds (>= 0):
// seconds within the last hour, so the countdown visibly moves.
export function spanText(secs) {
  const d = Math.floor(secs / 86400);
  const hh = Math.floor((secs % 86400) / 3600);
  const m = Math.floor((secs % 3600) / 60);
  if (d > 0) return `${d} d ${hh} h`;
  if (hh > 0) return `${hh} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(Math.floor(secs % 60)).padStart(2, '0')} s`;
  return `${Math.max(0, Math.floor(secs))} s`;
}

// The text and state of a due time at now (seconds).
function dueState(due, breached, now) {
  if (typeof due !== 'number') return { text: breached ? 'Breached' : 'No due time', cls: breached ? 'overdue' : 'none' };
  const left = due - now;
  if (left < 0) return { text: `Overdue by ${spanText(-left)}`, cls: 'overdue' };
  const soon = left < 3600;
  return { text: `${spanText(left)} left${breached ? ' (a target was breached)' : ''}`, cls: breached ? 'overdue' : soon ? 'soon' : 'ok' };
}

function paint(el) {
  const due = el.dataset.due === '' ? null : Number(el.dataset.due);
  const s = dueState(due, el.dataset.breached === '1', Date.now() / 1000);
  el.textContent = s.text;
  el.className = `time-left ${s.cls}`;
}

let ticking = 0;
// Repaints every time-left element of the page once a second; the timer
// stops by itself when none is left.
function tick() {
  const els = document.querySelectorAll('.time-left[data-due]');
  els.forEach(paint);
  if (!els.length) {
    clearInterval(ticking);
    ticking = 0;
  }
}

// A counting-down element for a ticket's due_at and breached.
export function timeLeftEl(due, breached) {
  const el = h('span', { class: 'time-left', dataset: { due: typeof due === 'number' ? String(due) : '', breached: breached ? '1' : '0' } });
  paint(el);
  if (!ticking) ticking = setInterval(tick, 1000);
  return el;
}

export function priorityBadge(p) {
  const label = (PRIORITIES.find(([v]) => v === p) || [p, p || 'Normal'])[1];
  return h('span', { class: `badge prio prio-${p || 'normal'}`, text: label, title: `Priority: ${label}` });
}

function tagChips(tags) {
  const list = listOf(tags);
  if (!list.length) return null;
  return h('span', { class: 'tags', 'aria-label': 'Tags' }, list.map((t) => h('span', { class: 'tag', text: t })));
}

// The queue row's priority, tags and time left.
export function slaRowMeta(t) {
  return h('span', { class: 'sla-meta' },
    priorityBadge(t.priority), tagChips(t.tags),
    typeof t.due_at === 'number' ? timeLeftEl(t.due_at, t.breached) : null,
    t.breached ? h('span', { class: 'badge breached', text: 'SLA breached' }) : null);
}

// ----------------------------------------------------- the ticket panel

// Tag list with a remove button each, and the add form.
function tagEditor(path, err, changed) {
  const list = h('ul', { class: 'tag-list', 'aria-label': 'Tags of this ticket' });
  const add = field('Add tags', { name: 'tags', autocomplete: 'off', placeholder: 'billing, vip' },
    'Letters a-z, digits, - and _; separate several with commas or spaces.');
  const form = h('form', { class: 'sla-row tag-add' }, add.wrap, h('button', { type: 'submit', text: 'Add' }));
  const post = async (body, msg) => {
    hideError(err);
    try {
      await api.post(`${path}/tags`, body);
      announce(msg);
      await changed();
    } catch (e) {
      showError(err, e);
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const tags = add.input.value.toLowerCase().split(/[\s,]+/).filter(Boolean);
    const bad = tags.find((t) => !TAG_RE.test(t));
    if (!tags.length || bad) {
      showError(err, new Error(bad ? `"${bad}" is not a tag: use a-z, 0-9, - and _ (at most 32).` : 'Type a tag to add.'));
      add.input.focus();
      return;
    }
    busy(form, () => post({ add: tags, remove: [] }, `Tags added: ${tags.join(', ')}.`)).then(() => { add.input.value = ''; });
  });
  return {
    el: h('div', { class: 'tag-editor' }, h('h3', { text: 'Tags' }), list, form),
    show(tags) {
      const items = listOf(tags).map((t) => h('li', { class: 'tag' }, h('span', { text: t }),
        h('button', { type: 'button', class: 'link remove', 'aria-label': `Remove tag ${t}`, text: '×',
          on: { click: () => post({ add: [], remove: [t] }, `Tag ${t} removed.`) } })));
      replace(list, items.length ? items : h('li', { class: 'muted', text: 'No tags.' }));
    },
  };
}

// Priority, tags and time left of ticket id; show(ticket) keeps it in
// step; changed() runs after a change.
export function slaPanel(id, changed) {
  const path = `${API}/tickets/${encodeURIComponent(id)}`;
  const err = alertBox();
  const prio = select('Priority', 'ticket-priority', PRIORITIES, 'normal');
  const set = h('button', { type: 'button', text: 'Set priority' });
  const due = h('p', { class: 'due' });
  const tags = tagEditor(path, err, changed);
  set.addEventListener('click', async () => {
    hideError(err);
    set.disabled = true;
    try {
      await api.post(`${path}/priority`, { priority: prio.input.value });
      announce(`Priority set to ${prio.input.selectedOptions[0].textContent}.`);
      await changed();
    } catch (e) {
      showError(err, e);
    } finally {
      set.disabled = false;
    }
  });
  return {
    el: h('section', { class: 'card sla-panel', 'aria-labelledby': 'sla-h' },
      h('h2', { id: 'sla-h', text: 'Priority, tags and due time' }), err,
      h('div', { class: 'sla-row' }, prio.wrap, set), due, tags.el),
    show(ticket) {
      prio.follow(ticket.priority || 'normal');
      replace(due, h('span', { class: 'label', text: 'Next SLA target: ' }), timeLeftEl(ticket.due_at, ticket.breached),
        typeof ticket.due_at === 'number' ? h('span', { class: 'muted' }, ' (due ', timeEl(ticket.due_at), ')') : null);
      tags.show(ticket.tags);
    },
  };
}

// ------------------------------------------------ the supervisors' screen

function table(caption, head, rows) {
  return h('table', { class: 'sla-table' }, h('caption', { text: caption }),
    h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: head.length, class: 'muted', text: 'None.' }))));
}

function countRows(list, key) {
  return listOf(list).map((c) => h('tr', null, h('th', { scope: 'row', text: c[key] || 'Unassigned' }),
    h('td', { text: String(c.breaches) }), h('td', { text: String(c.first_response) }), h('td', { text: String(c.resolution) })));
}

function riskRows(list) {
  return listOf(list).map((t) => h('tr', null,
    h('td', null, h('a', { href: `#/tickets/${encodeURIComponent(t.id)}`, text: `#${t.id} ${t.subject}` })),
    h('td', { text: t.queue }), h('td', null, priorityBadge(t.priority)),
    h('td', { text: t.assignee ? t.assignee.name : 'Unassigned' }),
    h('td', null, timeLeftEl(t.due_at, t.breached))));
}

// Breaches over the chosen period and the tickets at risk.
function reportSection() {
  const err = alertBox();
  const period = select('Period', 'sla-period', [['1', 'Last 24 hours'], ['7', 'Last 7 days'], ['30', 'Last 30 days']], '7');
  const out = h('div', null, h('p', { class: 'loading', text: 'Loading…' }));
  async function load() {
    hideError(err);
    try {
      const now = Math.floor(Date.now() / 1000);
      const r = await api.get(`${API}/supervisor/sla?since=${now - Number(period.input.value) * 86400}&until=${now + 1}&horizon=3600`);
      replace(out,
        table('Breaches by queue', ['Queue', 'Breaches', 'First response', 'Resolution'], countRows(r.queues, 'queue')),
        table('Breaches by agent', ['Agent', 'Breaches', 'First response', 'Resolution'], countRows(r.agents, 'name')),
        table('Open tickets at risk (overdue or due within an hour)', ['Ticket', 'Queue', 'Priority', 'Assignee', 'Time left'], riskRows(r.at_risk)));
    } catch (e) {
      replace(out);
      showError(err, e);
    }
  }
  period.input.addEventListener('change', load);
  return { el: h('section', { class: 'card', 'aria-labelledby': 'sla-rep-h' }, h('h2', { id: 'sla-rep-h', text: 'Breaches' }), period.wrap, err, out), load };
}

// The calendar form's fields, filled from cal (or empty for a new one).
function calendarFields(cal) {
  const name = field('Name', { name: 'name', required: true, value: cal ? cal.name : '', autocomplete: 'off' }, 'a-z, 0-9 and -, e.g. office-hours.');
  const tz = field('Time zone', { name: 'time_zone', required: true, value: cal ? cal.time_zone : 'UTC', autocomplete: 'off' }, 'An IANA time zone, e.g. Europe/Berlin.');
  const days = DAYS.map(([d, label]) => [d, field(label, { name: `hours-${d}`, autocomplete: 'off',
    value: cal ? listOf(cal.hours[d]).join(', ') : (['sat', 'sun'].includes(d) ? '' : '09:00-17:00') })]);
  const hol = field('Holidays', { name: 'holidays', multiline: true, rows: 2, value: cal ? listOf(cal.holidays).join(', ') : '' },
    'Dates as YYYY-MM-DD, separated by commas.');
  return { name, tz, days, hol };
}

function calendarBody(f) {
  const hours = {};
  for (const [d, fl] of f.days) {
    const spans = fl.input.value.split(/[\s,]+/).filter(Boolean);
    if (spans.length) hours[d] = spans;
  }
  return { name: f.name.input.value.trim(), time_zone: f.tz.input.value.trim(), hours,
    holidays: f.hol.input.value.split(/[\s,]+/).filter(Boolean) };
}

// Create (cal null) or edit a calendar; done() after a save.
function calendarForm(cal, done) {
  const err = alertBox();
  const f = calendarFields(cal);
  const form = h('form', { class: 'calendar-form', 'aria-label': cal ? `Edit calendar ${cal.name}` : 'New calendar' },
    err, f.name.wrap, f.tz.wrap,
    h('fieldset', null, h('legend', { text: 'Working hours (e.g. 09:00-12:00, 13:00-17:00; 22:00-06:00 runs past midnight)' }),
      h('div', { class: 'sla-days' }, f.days.map(([, fl]) => fl.wrap))),
    f.hol.wrap, submitRow(cal ? 'Save calendar' : 'Create calendar'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    busy(form, async () => {
      try {
        const body = calendarBody(f);
        if (cal) await api.put(`${API}/calendars/${encodeURIComponent(cal.name)}`, body);
        else await api.post(`${API}/calendars`, body);
        announce(`Calendar ${body.name} saved.`);
        await done();
      } catch (e) {
        showError(err, e);
      }
    });
  });
  return form;
}

function calendarItem(c, reload, editor) {
  const hours = DAYS.filter(([d]) => listOf(c.hours[d]).length).map(([d, l]) => `${l.slice(0, 3)} ${c.hours[d].join(', ')}`).join('; ');
  return h('li', { class: 'calendar' },
    h('strong', { text: c.name }), ` · ${c.time_zone} · ${hours || 'no hours'}`,
    listOf(c.holidays).length ? h('span', { class: 'muted', text: ` · ${c.holidays.length} holiday(s)` }) : null, ' ',
    h('button', { type: 'button', class: 'link', text: 'Edit', 'aria-label': `Edit calendar ${c.name}`,
      on: { click: () => replace(editor, calendarForm(c, reload)) } }),
    h('button', { type: 'button', class: 'link', text: 'Delete', 'aria-label': `Delete calendar ${c.name}`,
      on: { click: async () => {
        try {
          await api.del(`${API}/calendars/${encodeURIComponent(c.name)}`);
          announce(`Calendar ${c.name} deleted.`);
          await reload();
        } catch (e) {
          showError(editor.previousSibling, e);
        }
      } } }));
}

// The calendars: list, edit, delete, new.
function calendarsSection(onList) {
  const err = alertBox();
  const list = h('ul', { class: 'calendars' });
  const editor = h('div');
  async function reload() {
    hideError(err);
    try {
      const r = await api.get(`${API}/calendars`);
      const cals = listOf(r.calendars);
      replace(list, cals.length ? cals.map((c) => calendarItem(c, reload, editor)) : h('li', { class: 'muted', text: 'No calendars yet.' }));
      replace(editor, calendarForm(null, reload));
      onList(cals);
    } catch (e) {
      showError(err, e);
    }
  }
  return { el: h('section', { class: 'card', 'aria-labelledby': 'sla-cal-h' }, h('h2', { id: 'sla-cal-h', text: 'Business calendars' }), list, err, editor), reload };
}

// The policy form's target inputs: one row per priority.
function targetInputs() {
  return PRIORITIES.map(([p, label]) => ({
    p,
    fr: field(`${label}: first response (business minutes)`, { type: 'number', min: 0, max: 525600, value: 0, name: `fr-${p}` }),
    res: field(`${label}: resolution (business minutes)`, { type: 'number', min: 0, max: 525600, value: 0, name: `res-${p}` }),
  }));
}

// A queue's policy: load by queue name, edit, save.
function policySection() {
  const err = alertBox();
  const queue = field('Queue', { name: 'queue', value: 'general', autocomplete: 'off' });
  const cal = select('Calendar', 'sla-calendar', [], '');
  const targets = targetInputs();
  const form = h('form', { class: 'policy-form', 'aria-label': 'SLA policy' }, err,
    h('div', { class: 'sla-row' }, queue.wrap, h('button', { type: 'button', text: 'Load', on: { click: () => load() } }), cal.wrap),
    h('fieldset', null, h('legend', { text: 'Targets in business minutes (0: none)' }),
      targets.map((t) => h('div', { class: 'sla-row' }, t.fr.wrap, t.res.wrap))),
    submitRow('Save policy'));
  const q = () => `${API}/queues/${encodeURIComponent(queue.input.value.trim())}/sla`;
  // The form as for a queue without a policy: no calendar, no targets.
  function blank() {
    cal.input.value = '';
    for (const t of targets) {
      t.fr.input.value = 0;
      t.res.input.value = 0;
    }
  }
  async function load() {
    hideError(err);
    try {
      const p = await api.get(q());
      // Nothing of the queue shown before may stay (and be saved here).
      blank();
      if (!p.targets) {
        announce(`Queue ${p.queue} has no SLA policy yet.`);
        return;
      }
      cal.input.value = p.calendar;
      for (const t of targets) {
        t.fr.input.value = p.targets[t.p].first_response;
        t.res.input.value = p.targets[t.p].resolution;
      }
      announce(`Policy of ${p.queue} loaded.`);
    } catch (e) {
      showError(err, e);
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    if (!cal.input.value) { showError(err, 'Choose a calendar.'); return; }
    const body = { calendar: cal.input.value, targets: {} };
    for (const t of targets) body.targets[t.p] = { first_response: Number(t.fr.input.value), resolution: Number(t.res.input.value) };
    busy(form, async () => {
      try {
        await api.put(q(), body);
        announce(`SLA policy of ${queue.input.value.trim()} saved.`);
      } catch (e) {
        showError(err, e);
      }
    });
  });
  return {
    el: h('section', { class: 'card', 'aria-labelledby': 'sla-pol-h' }, h('h2', { id: 'sla-pol-h', text: 'Queue SLA policy' }), form),
    // The calendar list changed: the choice made stays when it still
    // exists; the empty option stands for "none chosen".
    calendars(cals) {
      const was = cal.input.value;
      replace(cal.input, h('option', { value: '', text: 'Choose a calendar' }),
        cals.map((c) => h('option', { value: c.name, text: c.name })));
      cal.input.value = cals.some((c) => c.name === was) ? was : '';
    },
    load,
  };
}

export async function showSla() {
  document.title = 'SLA — Gatehouse console';
  const report = reportSection();
  const policy = policySection();
  const cals = calendarsSection((list) => policy.calendars(list));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'SLA' })),
    h('p', { class: 'muted', text: 'Targets count business time in the queue\'s calendar; time while a ticket is pending does not count.' }),
    report.el, policy.el, cals.el);
  await Promise.all([report.load(), cals.reload()]);
  await policy.load();
}
