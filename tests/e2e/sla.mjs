// Gatehouse browser tests, issue 15 part SLA: priorities, tags and due
// times. Run by run.mjs (slaChecks(t)) at the end of the run, as it moves
// the SLA clock: the server inherits GH_TEST_CLOCK_FILE (set when this
// module is imported, before the server starts; the test clock of debug
// builds, core/sla.h).
//
// A supervisor sets up a business calendar and the `general` queue's
// policy on the SLA screen; sets a ticket's priority and tags; the queue
// shows priority, tags and the time left counting down; after the clock
// moves past the due times, a change records the breach: the row says
// "SLA breached" and "Overdue by …" in words, and the supervisors'
// report counts it. Wide and 390 px screenshots.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const clockFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gh-sla-e2e-')), 'clock');
fs.writeFileSync(clockFile, '0\n');
process.env.GH_TEST_CLOCK_FILE = clockFile;

async function openSla(t, p) {
  await p.getByRole('navigation').getByRole('link', { name: 'SLA' }).click();
  await p.getByRole('heading', { level: 1, name: 'SLA' }).waitFor({ timeout: 5000 });
}

async function setupCheck(t, s) {
  await t.test('sla: a supervisor creates a calendar (a second of the same name refused) and the queue policy', async () => {
    const sv = await t.newPage(null, { tag: 'console-sla' });
    s.sup = sv;
    const p = sv.page;
    await t.loginConsole(p, t.supervisor);
    await openSla(t, p);
    const create = async (tz) => {
      const form = p.locator('form.calendar-form');
      await form.getByLabel('Name').fill('always');
      await form.getByLabel('Time zone').fill(tz);
      for (const d of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
        await form.getByLabel(d, { exact: true }).fill('00:00-24:00');
      }
      await form.getByRole('button', { name: 'Create calendar' }).click();
      return form;
    };
    await create('UTC');
    await p.locator('ul.calendars li.calendar', { hasText: 'always' }).waitFor({ timeout: 5000 });
    const again = await create('Europe/Berlin');
    await again.locator('.error:not([hidden])', { hasText: /already exists/ }).waitFor({ timeout: 5000 });
    t.assert((await p.locator('ul.calendars li.calendar').count()) === 1, 'a second calendar of the same name was stored');
    const pol = p.locator('form.policy-form');
    await pol.getByLabel('Calendar').selectOption('always');
    await pol.getByLabel('Urgent: first response (business minutes)').fill('60');
    await pol.getByLabel('Urgent: resolution (business minutes)').fill('240');
    await pol.getByLabel('Normal: first response (business minutes)').fill('480');
    await pol.getByLabel('Normal: resolution (business minutes)').fill('2400');
    await pol.getByRole('button', { name: 'Save policy' }).click();
    await p.locator('#status', { hasText: 'SLA policy of general saved.' }).waitFor({ timeout: 5000 });
    await t.shot(p, 'console-sla');
  });
}

// The policy form after loading a queue with a policy, then one without
// (`vip`, created by super.mjs's Queues check): nothing of the first
// stays, so "Save policy" cannot copy it; loading the first again fills
// it back.
async function policyLoadCheck(t, s) {
  await t.test('sla: loading a queue without a policy empties the form the previous queue filled', async () => {
    const p = s.sup.page;
    const pol = p.locator('form.policy-form');
    const values = () => pol.evaluate((f) => [f.querySelector('select[name="sla-calendar"]').value,
      ...[...f.querySelectorAll('input[type="number"]')].map((i) => i.value)].join(' '));
    await pol.getByLabel('Queue').fill('general');
    await pol.getByRole('button', { name: 'Load' }).click();
    await p.locator('#status', { hasText: 'Policy of general loaded.' }).waitFor({ timeout: 5000 });
    t.assert(await values() === 'always 0 0 480 2400 0 0 60 240', `general's policy in the form: ${await values()}`);
    await pol.getByLabel('Queue').fill('vip');
    await pol.getByRole('button', { name: 'Load' }).click();
    await p.locator('#status', { hasText: 'Queue vip has no SLA policy yet.' }).waitFor({ timeout: 5000 });
    t.assert(await values() === ' 0 0 0 0 0 0 0 0', `the form after loading vip: "${await values()}"`);
    await pol.getByRole('button', { name: 'Save policy' }).click();
    await pol.locator('.error:not([hidden])', { hasText: 'Choose a calendar.' }).waitFor({ timeout: 5000 });
    await pol.getByLabel('Queue').fill('general');
    await pol.getByRole('button', { name: 'Load' }).click();
    await p.locator('#status', { hasText: 'Policy of general loaded.' }).waitFor({ timeout: 5000 });
    t.assert(await values() === 'always 0 0 480 2400 0 0 60 240', `general's policy loaded again: ${await values()}`);
  });
}

async function ticketCheck(t, s) {
  await t.test('sla: priority and tags set on a ticket; the queue shows them and the time left counting down', async () => {
    const p = s.sup.page;
    await p.goto(`${t.CONSOLE}/#/queue`);
    await p.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 5000 });
    // An open ticket of `general` at normal priority (the policy applies
    // to it from its next change: this one).
    const row = p.locator('.ticket-row', { hasText: 'queue general' }).filter({ has: p.locator('.badge.prio-normal') }).first();
    s.id = (await row.getAttribute('href')).match(/tickets\/(\d+)/)[1];
    await row.click();
    const panel = p.locator('.sla-panel');
    await panel.waitFor({ timeout: 5000 });
    // A priority picked but not yet set survives a repaint of the panel
    // (here after adding tags; a live update repaints the same way).
    await panel.getByLabel('Priority').selectOption('urgent');
    await panel.getByLabel('Add tags').fill('vip, billing');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.locator('.tag-list .tag', { hasText: 'billing' }).waitFor({ timeout: 5000 });
    const picked = await panel.getByLabel('Priority').inputValue();
    t.assert(picked === 'urgent', `a repaint reset the priority picked to "${picked}"`);
    await panel.getByRole('button', { name: 'Set priority' }).click();
    await p.locator('#status', { hasText: 'Priority set to Urgent.' }).waitFor({ timeout: 5000 });
    // Urgent: an hour to the first response, four to resolution (an
    // answered ticket waits only for the latter).
    await panel.locator('.time-left', { hasText: /^([0-3] h \d\d min|4 h 00 min|\d+ min \d\d s) left$/ }).waitFor({ timeout: 5000 });
    await panel.getByRole('button', { name: 'Remove tag billing' }).click();
    await p.locator('#status', { hasText: 'Tag billing removed.' }).waitFor({ timeout: 5000 });
    // A live update may repaint the panel once more: wait for it to settle.
    await panel.locator('.tag-list .tag', { hasText: 'billing' }).waitFor({ state: 'detached', timeout: 5000 })
      .catch(() => t.assert(false, 'the removed tag is still listed'));
    await t.shot(p, 'console-sla-ticket');
    await p.goto(`${t.CONSOLE}/#/queue`);
    const r = p.locator(`a.ticket-row[href="#/tickets/${s.id}"]`);
    await r.locator('.badge.prio-urgent', { hasText: 'Urgent' }).waitFor({ timeout: 5000 });
    await r.locator('.tag', { hasText: 'vip' }).waitFor({ timeout: 5000 });
    // The time left is repainted from the clock every second: a text
    // spoiled here comes back.
    const left = r.locator('.time-left');
    const a = await left.textContent();
    await left.evaluate((el) => { el.textContent = 'stale'; });
    await p.waitForTimeout(1500);
    const b = await left.textContent();
    t.assert(/ left$/.test(a) && / left$/.test(b), `time left not counting: "${a}" then "${b}"`);
    await t.shot(p, 'console-sla-queue', { fullPage: false });
  });
}

async function breachCheck(t, s) {
  await t.test('sla: past the due time a change records the breach; shown in words and counted for supervisors', async () => {
    const p = s.sup.page;
    // Five hours later, for the server's SLA clock and the page's.
    fs.writeFileSync(clockFile, `${5 * 3600}\n`);
    await p.clock.install({ time: Date.now() + 5 * 3600 * 1000 });
    await p.goto(`${t.CONSOLE}/#/tickets/${s.id}`);
    await p.reload();
    await p.locator('.sla-panel').waitFor({ timeout: 5000 });
    await p.getByLabel('Set status').selectOption('pending');
    await p.getByRole('button', { name: 'Change status' }).click();
    await p.locator('.facts .badge', { hasText: 'Pending' }).waitFor({ timeout: 5000 });
    await p.getByLabel('Set status').selectOption('open');
    await p.getByRole('button', { name: 'Change status' }).click();
    await p.locator('.facts .badge', { hasText: 'Open' }).waitFor({ timeout: 5000 });
    await p.goto(`${t.CONSOLE}/#/queue`);
    const r = p.locator(`a.ticket-row[href="#/tickets/${s.id}"]`);
    await r.locator('.badge.breached', { hasText: 'SLA breached' }).waitFor({ timeout: 5000 });
    await r.locator('.time-left', { hasText: /^Overdue by / }).waitFor({ timeout: 5000 });
    const colour = await r.locator('.time-left').evaluate((el) => getComputedStyle(el).color);
    t.assert(colour === 'rgb(143, 29, 29)', `overdue time is not shown in red: ${colour}`);
    await openSla(t, p);
    const q = p.locator('table.sla-table', { hasText: 'Breaches by queue' });
    await q.locator('tbody tr', { hasText: 'general' }).waitFor({ timeout: 5000 });
    const cells = await q.locator('tbody tr', { hasText: 'general' }).locator('td').allTextContents();
    t.assert(Number(cells[0]) >= 1 && Number(cells[2]) >= 1, `breaches by queue (total, first response, resolution): ${cells.join(" ")}`);
    await p.locator('table.sla-table', { hasText: 'at risk' }).locator(`a[href="#/tickets/${s.id}"]`).waitFor({ timeout: 5000 });
    await t.shot(p, 'console-sla-breaches');
  });
}

async function narrowCheck(t) {
  await t.test('sla: the SLA screen and the queue at 390 px', async () => {
    const n = await t.newPage({ width: 390, height: 844 }, { tag: 'narrow-console-sla' });
    await t.loginConsole(n.page, t.supervisor);
    await n.page.locator('.ticket-row .sla-meta').first().waitFor({ timeout: 5000 });
    await t.shot(n.page, 'narrow-console-sla-queue', { fullPage: false });
    await n.page.goto(`${t.CONSOLE}/#/sla`);
    await n.page.getByRole('heading', { level: 1, name: 'SLA' }).waitFor({ timeout: 5000 });
    await n.page.locator('table.sla-table').first().waitFor({ timeout: 5000 });
    await t.shot(n.page, 'narrow-console-sla');
    t.problems.push(...(await t.cspViolations(n.page)).map((v) => `narrow-console-sla CSP: ${v}`));
    await n.ctx.close();
  });
}

export async function slaChecks(t) {
  const s = {};
  await setupCheck(t, s);
  if (!s.sup) return;
  await policyLoadCheck(t, s);
  await ticketCheck(t, s);
  if (s.id) await breachCheck(t, s);
  fs.writeFileSync(clockFile, '0\n');
  await narrowCheck(t);
  t.problems.push(...(await t.cspViolations(s.sup.page)).map((v) => `console-sla CSP: ${v}`));
  await s.sup.ctx.close();
}
