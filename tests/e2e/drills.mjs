// Gatehouse browser tests, issue 11 part B: phishing drills and "Report
// phishing". Run by run.mjs (drillChecks(t): t the run's helpers and
// accounts) after the disclosure checks.
//
// A supervisor schedules two drills for the agent on the Drills screen;
// the agent finds them in the queue like any ticket, opens the link of
// the "urgent reset" one and sees the lesson at once (no tab opens), and
// reports the "invoice" one (praised). The supervisor's Drills screen
// then shows the campaigns, the per-agent rates and the chart (wide and
// 390 px narrow screenshots).

const URGENT = 'URGENT: locked out before the board call, reset my MFA now';
const INVOICE = 'Overdue invoice INV-20931: payment due today';

// Schedules template (its title in the form) for staff id on page p.
async function schedule(t, p, title, id) {
  const form = p.locator('form.drill-form');
  await form.getByLabel('Template').selectOption({ label: title });
  await form.getByLabel('Agents (staff numbers)').fill(String(id));
  await form.getByRole('button', { name: 'Schedule drill' }).click();
}

async function scheduleCheck(t, s) {
  await t.test('drills: a supervisor schedules two drills for the agent on the Drills screen', async () => {
    const sv = await t.newPage(null, { tag: 'console-drills' });
    s.sup = sv;
    const p = sv.page;
    await t.loginConsole(p, t.supervisor);
    await p.getByRole('navigation').getByRole('link', { name: 'Drills' }).click();
    await p.getByRole('heading', { level: 1, name: 'Phishing drills' }).waitFor({ timeout: 5000 });
    // A bad target list is refused in words, nothing sent.
    await p.locator('form.drill-form').getByLabel('Agents (staff numbers)').fill('ann');
    await p.locator('form.drill-form').getByRole('button', { name: 'Schedule drill' }).click();
    await p.locator('#drill-form-err:not([hidden])', { hasText: 'staff numbers' }).waitFor({ timeout: 5000 });
    await schedule(t, p, 'Urgent password and MFA reset', t.agent.id);
    await p.locator('table.drills tbody tr').first().waitFor({ timeout: 5000 });
    await schedule(t, p, 'Overdue invoice with an attachment', t.agent.id);
    await p.locator('table.drills', { hasText: 'Campaigns' }).locator('tbody tr').nth(1).waitFor({ timeout: 5000 });
  });
}

// Opens the agent's ticket with subject on page p.
async function openTicket(t, p, subject) {
  await p.goto(`${t.CONSOLE}/#/queue`);
  await p.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 5000 });
  await p.locator('.ticket-row', { hasText: subject }).first().click();
  await p.getByRole('heading', { level: 1, name: subject }).waitFor({ timeout: 5000 });
}

async function clickCheck(t, s) {
  await t.test('drills: the agent opens the drill’s link and sees the lesson at once; no tab opens', async () => {
    const p = t.agentPage;
    await openTicket(t, p, URGENT);
    t.assert((await p.locator('.badge.drill').count()) === 0, 'the agent sees the drill marked');
    const pages = p.context().pages().length;
    p.once('dialog', (d) => d.accept());
    await p.getByRole('button', { name: 'Open link…' }).first().click();
    const lesson = p.locator('.drill-lesson');
    await lesson.waitFor({ timeout: 5000 });
    const text = await lesson.textContent();
    t.assert(/MGM Resorts/.test(text) && /warning signs/.test(text), `lesson: ${text}`);
    t.assert(p.context().pages().length === pages, 'a tab was opened for a drill link');
    await t.shot(p, 'console-drill-lesson');
  });
}

async function reportCheck(t, s) {
  await t.test('drills: the agent reports the other drill and is praised', async () => {
    const p = t.agentPage;
    await openTicket(t, p, INVOICE);
    p.once('dialog', (d) => d.accept());
    await p.getByRole('button', { name: 'Report phishing' }).first().click();
    await p.locator('.drill-praise', { hasText: 'Well spotted' }).waitFor({ timeout: 5000 });
    await p.locator('.badge.reported', { hasText: 'Reported as phishing' }).waitFor({ timeout: 5000 });
    t.assert((await p.getByRole('button', { name: 'Open link…' }).count()) === 0, 'a reported message still offers its links');
    // Its file was quarantined with it: no download offered any more.
    await p.locator('.attachments-panel .attachment', { hasText: 'Invoice_INV-20931.pdf.html' }).waitFor({ timeout: 5000 });
    t.assert((await p.locator('.attachments-panel').getByRole('button', { name: /^Download/ }).count()) === 0, 'the reported drill’s file can still be downloaded');
    await t.shot(p, 'console-drill-reported');
  });
}

async function statsCheck(t, s) {
  await t.test('drills: the supervisor sees campaigns, per-agent rates and the chart (wide and narrow)', async () => {
    const p = s.sup.page;
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Phishing drills' }).waitFor({ timeout: 5000 });
    const agents = p.locator('table.drills', { hasText: 'Per agent' });
    await agents.waitFor({ timeout: 5000 });
    const row = await agents.locator('tbody tr').first().textContent();
    t.assert(row.includes(t.agent.name) && row.includes('50%'), `agent row: ${row}`);
    const chart = p.locator('svg.drill-chart');
    await chart.waitFor({ timeout: 5000 });
    t.assert((await chart.locator('circle.dot').count()) === 2, 'chart points');
    t.assert(/Report rate/.test(await chart.getAttribute('aria-label')), 'chart summary');
    await t.shot(p, 'console-drills');
    await p.setViewportSize({ width: 390, height: 844 });
    await t.shot(p, 'console-drills-narrow');
    await p.setViewportSize({ width: 1280, height: 900 });
    await p.goto(`${t.CONSOLE}/#/queue`);
    await p.locator('.ticket-row', { hasText: URGENT }).locator('.badge.drill').waitFor({ timeout: 5000 });
    await p.locator('.ticket-row', { hasText: URGENT }).first().click();
    await p.locator('.ticket-head .badge.drill', { hasText: 'Phishing drill' }).waitFor({ timeout: 5000 });
    t.problems.push(...(await t.cspViolations(p)).map((v) => `console-drills CSP: ${v}`));
    await s.sup.ctx.close();
  });
}

export async function drillChecks(t) {
  const s = {};
  await scheduleCheck(t, s);
  if (!s.sup) return;
  await clickCheck(t, s);
  await reportCheck(t, s);
  await statsCheck(t, s);
}
