// Gatehouse agent console: the supervisors' "Drills" screen. A supervisor
// schedules a simulated phishing message (a built-in template) into chosen
// agents' queues or a whole queue, now or later; the campaigns table shows
// each campaign's delivered / clicked / reported counts, the per-agent
// table the click and report rates and the median time to report, and the
// chart (drillchart.js) both rates per week.
import { h, replace, timeEl, announce, showError, hideError, listOf, alertBox, select, field, submitRow, busy } from './lib.js';
import { API, api, screen, render } from './shell.js';
import { rateChart } from './drillchart.js';

function rate(v) {
  return v === null || v === undefined ? '—' : `${Math.round(Number(v) * 100)}%`;
}

function duration(s) {
  if (s === null || s === undefined) return '—';
  const n = Number(s);
  if (n < 120) return `${n} s`;
  if (n < 7200) return `${Math.round(n / 60)} min`;
  return `${Math.round(n / 3600)} h`;
}

// A table; columns after the first `left` are numbers (right-aligned).
function table(caption, cols, rows, left = 1) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'drills' },
      h('caption', { text: caption }),
      h('thead', null, h('tr', null, cols.map((c, i) => h('th', { scope: 'col', class: i >= left ? 'num' : null, text: c })))),
      h('tbody', null, rows)));
}

function campaignsTable(campaigns, names) {
  return table('Campaigns', ['#', 'Template', 'Scheduled for', 'Targets', 'Delivered', 'Clicked', 'Reported'],
    campaigns.map((c) => h('tr', null,
      h('th', { scope: 'row', text: String(c.id) }),
      h('td', { text: names[c.template] || c.template }),
      h('td', null, timeEl(c.send_at)),
      h('td', { class: 'num', text: String(c.targets) }),
      h('td', { class: 'num', text: String(c.delivered) }),
      h('td', { class: 'num', text: String(c.clicked) }),
      h('td', { class: 'num', text: String(c.reported) }))), 3);
}

function agentsTable(agents) {
  return table('Per agent (all campaigns)', ['Agent', 'Drills', 'Click rate', 'Report rate', 'Median time to report'],
    agents.map((a) => h('tr', { class: Number(a.click_rate) > 0 ? 'has-clicks' : null },
      h('th', { scope: 'row', text: a.name || `staff #${a.staff_id}` }),
      h('td', { class: 'num', text: String(a.delivered) }),
      h('td', { class: 'num', text: rate(a.click_rate) }),
      h('td', { class: 'num', text: rate(a.report_rate) }),
      h('td', { class: 'num', text: duration(a.median_report_seconds) }))));
}

// The staff ids typed as "3, 4 7" (null when one is not a number).
function parseIds(text) {
  const parts = String(text).split(/[\s,]+/).filter(Boolean);
  if (!parts.every((p) => /^[1-9][0-9]{0,17}$/.test(p))) return null;
  return parts.map(Number);
}

// The schedule request of the form's values, or an error message.
function scheduleBody(tpl, staffText, queue, when) {
  const body = { template: tpl };
  if (queue.trim()) body.queue = queue.trim();
  else {
    const ids = parseIds(staffText);
    if (!ids || !ids.length) return 'Enter the agents’ staff numbers (for example “3, 4”) or a queue name.';
    body.staff = ids;
  }
  if (when) {
    const t = Math.floor(new Date(when).getTime() / 1000);
    if (!Number.isFinite(t)) return 'Enter a valid time, or leave it empty to send now.';
    if (t > Date.now() / 1000) body.send_at = t;
  }
  return body;
}

function scheduleForm(templates) {
  const err = alertBox('drill-form-err');
  const tpl = select('Template', 'drill-template', templates.map((t) => [t.id, t.title]), templates[0] ? templates[0].id : '');
  const staff = field('Agents (staff numbers)', { name: 'staff', inputmode: 'numeric', autocomplete: 'off' }, 'Comma-separated, e.g. 3, 4. Or leave empty and name a queue.');
  const queue = field('Or a whole queue', { name: 'queue', autocomplete: 'off' }, 'Every active member of the queue gets the drill.');
  const when = field('Send at (optional)', { name: 'send_at', type: 'datetime-local' }, 'Empty: now. The drill arrives within a minute of this time.');
  const form = h('form', { class: 'card drill-form', 'aria-labelledby': 'drill-form-h', novalidate: true },
    h('h2', { id: 'drill-form-h', text: 'Schedule a drill' }), err, tpl.wrap, staff.wrap, queue.wrap, when.wrap,
    submitRow('Schedule drill'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = scheduleBody(tpl.input.value, staff.input.value, queue.input.value, when.input.value);
    if (typeof body === 'string') return showError(err, new Error(body));
    hideError(err);
    return busy(form, async () => {
      try {
        const res = await api.post(`${API}/drills`, body);
        announce(`Drill campaign #${res.id} scheduled.`);
        await render();
      } catch (e) {
        showError(err, e);
      }
    });
  });
  return form;
}

function templateList(templates) {
  return h('details', { class: 'card drill-templates' },
    h('summary', { text: 'What the templates look like' }),
    h('ul', null, templates.map((t) => h('li', null,
      h('strong', { text: t.title }), ` — from “${t.sender}”: “${t.subject}”. Modelled on: ${t.modelled_on}.`))));
}

// The "Drills" screen.
export async function showDrills() {
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading the drills…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Phishing drills' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  h('p', { class: 'hint', text: 'Simulated phishing messages in agents’ queues. Drill tickets never reach a customer and are not counted as real tickets.' }),
  err, body);
  try {
    const [tpls, camps, stats] = await Promise.all([
      api.get(`${API}/drills/templates`), api.get(`${API}/drills`), api.get(`${API}/drills/stats`)]);
    const templates = listOf(tpls.templates);
    const names = Object.fromEntries(templates.map((t) => [t.id, t.title]));
    const weeks = listOf(stats.weeks);
    replace(body,
      h('div', { class: 'two-col drills-top' }, scheduleForm(templates),
        h('section', { class: 'card', 'aria-labelledby': 'chart-h' },
          h('h2', { id: 'chart-h', text: 'Report and click rates per week' }), rateChart(weeks))),
      templateList(templates),
      listOf(camps.campaigns).length ? campaignsTable(listOf(camps.campaigns), names) : h('p', { class: 'empty', text: 'No drills scheduled yet.' }),
      listOf(stats.agents).length ? agentsTable(listOf(stats.agents)) : null);
  } catch (e) {
    replace(body);
    showError(err, e);
  }
}
