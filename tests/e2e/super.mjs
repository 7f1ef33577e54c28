// Gatehouse browser tests, issue 15 part SUPER: the supervisor's console.
// Run by run.mjs (superChecks(t), t its helpers and accounts, as for
// listChecks); not on its own.
//
// A supervisor selects three tickets in the queue and assigns them to an
// agent in one bulk change (the tickets change, one audit record each);
// a selected ticket that a live update takes off the list leaves the
// selection;
// on a ticket they pick an assignee among the queue's members. An
// administrator disables an agent on the Staff screen: the agent's open
// session ends at once. The Staff and Queues screens are shot wide and
// at 390 px; the bar and the screens have labelled controls and no CSP
// violation.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const NARROW = { width: 390, height: 844 };
const ADA = { email: 'ada.super@example.com', name: 'Ada Boss' };
const OTTO = { email: 'otto.off@example.com', name: 'Otto Offboard' };
const BEA = { email: 'bea.bulk@example.com', name: 'Bea Bulk' };

function sql(t, text) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(t.dir, 'gatehouse.db'), text], { encoding: 'utf8' });
  t.assert(r.status === 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

// Shoots page p as name (wide), then at 390 px as name-narrow; nothing
// may be wider than the narrow window.
async function shotBoth(t, p, name) {
  await t.shot(p, name);
  const size = p.viewportSize();
  await p.setViewportSize(NARROW);
  await t.shot(p, `${name}-narrow`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  t.assert(wide <= NARROW.width + 1, `${name}: the page is ${wide} px wide at 390 px`);
  await p.setViewportSize(size);
}

function addStaff(t, who, role) {
  Object.assign(who, JSON.parse(t.cli(['staff', 'add', '--dir', t.dir, '--email', who.email, '--name', who.name,
    '--role', role, '--password-stdin'], t.PASS_AGENT + '\n')));
}

// Three open unassigned tickets of a new customer in `general`.
function seedTickets(t) {
  Object.assign(BEA, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', BEA.email, '--name', BEA.name,
    '--password-stdin'], t.PASS_CUST + '\n')));
  const now = Math.floor(Date.now() / 1000);
  sql(t, 'INSERT INTO tickets (customer_id, subject, status, queue_id, created_at, updated_at, last_activity) VALUES '
    + [1, 2, 3].map((i) => `(${Number(BEA.id)}, 'Bulk sample ${i}', 'open', 1, ${now}, ${now + i}, ${now + i})`).join(', ') + ';');
  return sql(t, "SELECT id FROM tickets WHERE subject LIKE 'Bulk sample %' ORDER BY id").split('\n').map(Number);
}

async function bulkAssign(t, ids) {
  await t.test('super: a supervisor selects three tickets and assigns them to an agent in one bulk change', async () => {
    const s = await t.newPage(null, { tag: 'console-super' });
    const p = s.page;
    await t.loginConsole(p, t.supervisor);
    await p.goto(`${t.CONSOLE}/#/queue?status=open&assigned=unassigned`);
    const bar = p.locator('form.bulk-bar');
    await bar.waitFor({ timeout: 5000 });
    for (const id of ids) await p.getByLabel(`Select ticket #${id}`, { exact: true }).check();
    await bar.getByText('3 selected').waitFor({ timeout: 5000 });
    await bar.getByLabel('Assign to').selectOption({ label: `${t.agent.name} (agent)` });
    await shotBoth(t, p, 'super-bulk-selected');
    const before = Number(sql(t, "SELECT COUNT(*) FROM audit WHERE record LIKE '%\"action\":\"ticket.assign\"%'"));
    await bar.getByRole('button', { name: 'Apply to selected' }).click();
    await p.locator('form.bulk-bar .bulk-result').getByText('3 tickets changed.').waitFor({ timeout: 5000 });
    const held = Number(sql(t, `SELECT COUNT(*) FROM tickets WHERE id IN (${ids.join(',')}) AND assignee_id = ${Number(t.agent.id)}`));
    t.assert(held === 3, `${held} of 3 tickets assigned to the agent`);
    const after = Number(sql(t, "SELECT COUNT(*) FROM audit WHERE record LIKE '%\"action\":\"ticket.assign\"%'"));
    t.assert(after - before === 3, `${after - before} ticket.assign records for 3 tickets`);
    t.assert(Number(sql(t, "SELECT COUNT(*) FROM audit WHERE record LIKE '%\"action\":\"ticket.bulk\"%'")) >= 1, 'no ticket.bulk record');
    // The assigned tickets left the "unassigned" list the bar reloaded.
    for (const id of ids) t.assert(await p.getByLabel(`Select ticket #${id}`, { exact: true }).count() === 0, `#${id} still listed`);
    await shotBoth(t, p, 'super-bulk-done');
    // On one ticket: "Assign to" lists the active members of its queue.
    await p.goto(`${t.CONSOLE}/#/tickets/${ids[0]}`);
    const pick = p.getByLabel('Assign to');
    await pick.locator('option', { hasText: `${t.supervisor.name} (supervisor)` }).waitFor({ state: 'attached', timeout: 5000 });
    await pick.selectOption({ label: `${t.supervisor.name} (supervisor) — you` });
    await p.getByRole('button', { name: 'Assign', exact: true }).click();
    await p.locator('dl.facts').getByText(t.supervisor.name).waitFor({ timeout: 5000 });
    t.assert(await p.getByLabel('Move to queue').count() === 1, 'no "Move to queue" control');
    await shotBoth(t, p, 'super-ticket-controls');
    t.problems.push(...(await t.cspViolations(p)).map((v) => `console-super CSP: ${v}`));
    await s.ctx.close();
  });
}

// A JSON call from page p's staff session.
async function staffCall(p, method, url, body) {
  return p.evaluate(async ([m, u, b]) => {
    const s = await (await fetch('/api/v1/staff/session', { credentials: 'same-origin' })).json();
    const r = await fetch(u, {
      method: m, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify(b),
    });
    return r.status;
  }, [method, url, body]);
}

// Three selected tickets; one is solved elsewhere (through the API) and
// leaves the open, unassigned queue in a live update: the bar counts the
// two still shown and changes only those.
async function bulkFollowsRedraw(t) {
  await t.test('super: a selected ticket that leaves the queue in a live update leaves the selection too', async () => {
    const now = Math.floor(Date.now() / 1000);
    sql(t, 'INSERT INTO tickets (customer_id, subject, status, queue_id, created_at, updated_at, last_activity) VALUES '
      + [1, 2, 3].map((i) => `(${Number(BEA.id)}, 'Bulk vanish ${i}', 'open', 1, ${now}, ${now + 10 + i}, ${now + 10 + i})`).join(', ') + ';');
    const ids = sql(t, "SELECT id FROM tickets WHERE subject LIKE 'Bulk vanish %' ORDER BY id").split('\n').map(Number);
    const s = await t.newPage(null, { tag: 'console-super-redraw' });
    const p = s.page;
    await t.loginConsole(p, t.supervisor);
    await p.goto(`${t.CONSOLE}/#/queue?status=open&assigned=unassigned`);
    const bar = p.locator('form.bulk-bar');
    await bar.waitFor({ timeout: 5000 });
    for (const id of ids) await p.getByLabel(`Select ticket #${id}`, { exact: true }).check();
    await bar.getByText('3 selected').waitFor({ timeout: 5000 });
    t.assert(await staffCall(p, 'POST', `/api/v1/tickets/${ids[2]}/status`, { status: 'solved' }) === 200, 'solving the third ticket failed');
    await p.getByLabel(`Select ticket #${ids[2]}`, { exact: true }).waitFor({ state: 'detached', timeout: 8000 });
    await bar.getByText('2 selected').waitFor({ timeout: 3000 })
      .catch(async () => t.assert(false, `after the redraw the bar says "${await bar.locator('.bulk-count').textContent()}"`));
    await bar.getByLabel('Status').selectOption('pending');
    await bar.getByRole('button', { name: 'Apply to selected' }).click();
    await p.locator('form.bulk-bar .bulk-result').getByText('2 tickets changed.').waitFor({ timeout: 5000 });
    const st = sql(t, `SELECT status FROM tickets WHERE id IN (${ids.join(',')}) ORDER BY id`).split('\n');
    t.assert(st.join(',') === 'pending,pending,solved', `statuses after the bulk change: ${st.join(',')}`);
    t.problems.push(...(await t.cspViolations(p)).map((v) => `console-super-redraw CSP: ${v}`));
    await s.ctx.close();
  });
}

// Tags on a selection: two tags added to three tickets, then one of them
// removed, each ticket audited once per change; a word that is no tag
// is named in the bar and nothing changes.
async function bulkTags(t, ids) {
  await t.test('super: a supervisor adds and removes tags on three selected tickets in one bulk change', async () => {
    const s = await t.newPage(null, { tag: 'console-super-tags' });
    const p = s.page;
    await t.loginConsole(p, t.supervisor);
    await p.goto(`${t.CONSOLE}/#/queue?status=open&assigned=any`);
    const bar = p.locator('form.bulk-bar');
    await bar.waitFor({ timeout: 5000 });
    const pick = async () => {
      for (const id of ids) await p.getByLabel(`Select ticket #${id}`, { exact: true }).check();
      await bar.getByText('3 selected').waitFor({ timeout: 5000 });
    };
    const tagsOf = () => ids.map((id) => sql(t, `SELECT tag FROM ticket_tags WHERE ticket_id = ${id} ORDER BY tag`).split('\n').filter(Boolean).join(' '));
    const audits = () => Number(sql(t, "SELECT COUNT(*) FROM audit WHERE record LIKE '%\"action\":\"ticket.tags\"%'"));
    await pick();
    await bar.getByLabel('Add tags').fill('Not a tag!');
    const before = audits();
    await bar.getByRole('button', { name: 'Apply to selected' }).click();
    await bar.locator('.error').getByText('“not” is not a tag').waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'super-bulk-tags-refused');
    t.assert(tagsOf().join('|') === '||', `a refused tag changed tickets: ${tagsOf().join('|')}`);
    t.assert(audits() === before, 'a refused bulk change wrote ticket.tags records');
    await bar.getByLabel('Add tags').fill('vip, billing');
    await shotBoth(t, p, 'super-bulk-tags');
    await bar.getByRole('button', { name: 'Apply to selected' }).click();
    await p.locator('form.bulk-bar .bulk-result').getByText('3 tickets changed.').waitFor({ timeout: 5000 });
    t.assert(tagsOf().every((x) => x === 'billing vip'), `tags after adding: ${tagsOf().join('|')}`);
    await p.locator('li', { hasText: 'Bulk sample 1' }).locator('.tag', { hasText: 'billing' }).waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'super-bulk-tags-done');
    t.assert(audits() - before === 3, `${audits() - before} ticket.tags records for 3 tickets`);
    await pick();
    await bar.getByLabel('Remove tags').fill('billing');
    await bar.getByRole('button', { name: 'Apply to selected' }).click();
    await p.locator('form.bulk-bar .bulk-result').getByText('3 tickets changed.').waitFor({ timeout: 5000 });
    t.assert(tagsOf().every((x) => x === 'vip'), `tags after removing: ${tagsOf().join('|')}`);
    t.problems.push(...(await t.cspViolations(p)).map((v) => `console-super-tags CSP: ${v}`));
    await s.ctx.close();
  });
}

async function staffDisable(t) {
  await t.test('super: an administrator disables an agent on the Staff screen; the agent is signed out at once', async () => {
    addStaff(t, ADA, 'admin');
    addStaff(t, OTTO, 'agent');
    const o = await t.newPage(null, { tag: 'console-otto' });
    await t.loginConsole(o.page, OTTO);
    const s = await t.newPage(null, { tag: 'console-admin-staff' });
    const p = s.page;
    await t.loginConsole(p, ADA);
    await p.getByRole('link', { name: 'Staff' }).click();
    await p.getByRole('heading', { level: 1, name: 'Staff' }).waitFor({ timeout: 5000 });
    const row = p.locator(`tr[data-staff-id="${OTTO.id}"]`);
    await row.getByText('Authenticator').waitFor({ timeout: 5000 });
    t.assert(await p.locator(`tr[data-staff-id="${ADA.id}"]`).getByRole('button', { name: /^Disable/ }).count() === 0,
      'the admin is offered to disable their own account');
    await shotBoth(t, p, 'super-staff');
    p.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: `Disable ${OTTO.name}` }).click();
    await p.locator(`tr[data-staff-id="${OTTO.id}"]`).getByText('Disabled', { exact: true }).waitFor({ timeout: 5000 });
    const st = await o.page.evaluate(async () => (await fetch('/api/v1/staff/session', { credentials: 'same-origin' })).status);
    t.assert(st === 401, `the disabled agent's session answered ${st}`);
    t.assert(Number(sql(t, `SELECT COUNT(*) FROM audit WHERE record LIKE '%"action":"account.disable"%' AND record LIKE '%"target":"staff:${Number(OTTO.id)}"%'`)) === 1,
      'no account.disable record');
    await shotBoth(t, p, 'super-staff-disabled');
    await p.getByRole('link', { name: 'Queues' }).click();
    await p.getByRole('heading', { level: 1, name: 'Queues' }).waitFor({ timeout: 5000 });
    await p.locator('table.queues-table').getByText('general', { exact: true }).waitFor({ timeout: 5000 });
    await p.getByLabel('Queue name').fill('vip');
    await p.getByRole('button', { name: 'Create queue' }).click();
    await p.locator('table.queues-table').getByText('vip', { exact: true }).waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'super-queues');
    t.problems.push(...(await t.cspViolations(p)).map((v) => `console-admin-staff CSP: ${v}`));
    await o.ctx.close();
    await s.ctx.close();
  });
}

export async function superChecks(t) {
  const ids = seedTickets(t);
  await bulkAssign(t, ids);
  await bulkFollowsRedraw(t);
  await bulkTags(t, ids);
  await staffDisable(t);
}
