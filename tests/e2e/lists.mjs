// Gatehouse browser tests, issue 14 part LISTS: the ticket lists read by
// cursor. Run by run.mjs (listChecks(t), t its helpers and accounts, as
// for customerChecks); not on its own.
//
// A customer with 60 tickets (written into the database directly, as a
// long-standing customer's would be) sees 25 on "My tickets", and "Load
// more" appends the next 25, then the last 10 and "That is all your
// tickets."; every ticket once, newest first. The agent's queue shows 50
// and "Load more" appends the rest, each ticket once. Screens are shot
// wide and at 390 px.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const LEO = { email: 'leo.lists@example.com', name: 'Leo Lists' };
const MANY = 60;
const NARROW = { width: 390, height: 844 };

// Shoots page p as name (wide), then at 390 px as name-narrow.
async function shotBoth(t, p, name) {
  await t.shot(p, name);
  const size = p.viewportSize();
  await p.setViewportSize(NARROW);
  await t.shot(p, `${name}-narrow`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  t.assert(wide <= NARROW.width + 1, `${name}: the page is ${wide} px wide at 390 px`);
  await p.setViewportSize(size);
}

// MANY open tickets of customer id in `general`, one a minute up to an
// hour ago, two of them in the same second.
function seedTickets(t, id) {
  const now = Math.floor(Date.now() / 1000) - 3600;
  const sql = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MANY}) `
    + 'INSERT INTO tickets (customer_id, subject, status, queue_id, created_at, updated_at, last_activity) '
    + `SELECT ${Number(id)}, 'Order question ' || i, 'open', 1, ${now} + (i / 2) * 60, `
    + `${now} + (i / 2) * 60, ${now} + (i / 2) * 60 FROM n;`;
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(t.dir, 'gatehouse.db'), sql], { encoding: 'utf8' });
  t.assert(r.status === 0, `seeding tickets: ${r.stderr}`);
}

// The ticket ids of the rows of list (a locator of links), in order.
async function rowIds(list) {
  return list.evaluateAll((links) => links.map((a) => Number(a.getAttribute('href').match(/tickets\/(\d+)/)[1])));
}

function assertOnce(t, ids, what) {
  t.assert(new Set(ids).size === ids.length, `${what}: a ticket is listed twice (${ids.join(',')})`);
}

async function portalCheck(t) {
  await t.test('lists: "My tickets" shows 25, "Load more" appends the rest by cursor, each once, newest first', async () => {
    Object.assign(LEO, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', LEO.email, '--name', LEO.name,
      '--password-stdin'], t.PASS_CUST + '\n')));
    seedTickets(t, LEO.id);
    const s = await t.newPage(null, { portal: true, tag: 'portal-lists' });
    const p = s.page;
    await t.loginPortal(p, LEO, await t.totp(LEO));
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    const rows = p.locator('ul.tickets a.ticket-row');
    await rows.nth(24).waitFor({ timeout: 5000 });
    t.assert((await rows.count()) === 25, `first page: ${await rows.count()} rows`);
    const more = p.getByRole('button', { name: 'Load more' });
    await more.waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'portal-lists-first-page');
    await more.click();
    await rows.nth(49).waitFor({ timeout: 5000 });
    // Focus moved to the first new ticket, for keyboard users.
    const focused = await p.evaluate(() => document.activeElement && document.activeElement.getAttribute('href'));
    const ids50 = await rowIds(rows);
    t.assert(focused === `#/tickets/${ids50[25]}`, `focus after "Load more": ${focused}`);
    await p.getByRole('button', { name: 'Load more' }).click();
    await p.getByText('That is all your tickets.').waitFor({ timeout: 5000 });
    const ids = await rowIds(rows);
    t.assert(ids.length === MANY, `all pages: ${ids.length} rows`);
    assertOnce(t, ids, 'portal');
    for (let i = 1; i < ids.length; i += 1) {
      // Same minute in pairs: ties go by id, newest first.
      t.assert(ids[i - 1] > ids[i], `portal order at row ${i}: ${ids[i - 1]} then ${ids[i]}`);
    }
    await shotBoth(t, p, 'portal-lists-all');
    t.problems.push(...(await t.cspViolations(p)).map((v) => `portal-lists CSP: ${v}`));
    await s.ctx.close();
  });
}

async function consoleCheck(t) {
  await t.test('lists: the console queue shows 50, "Load more" appends the next page by cursor, each ticket once', async () => {
    const p = t.agentPage;
    await p.goto(`${t.CONSOLE}/#/queue?status=open&assigned=any`);
    await p.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 5000 });
    const rows = p.locator('ul.queue a.ticket-row');
    await rows.nth(49).waitFor({ timeout: 5000 });
    t.assert((await rows.count()) === 50, `first page: ${await rows.count()} rows`);
    const more = p.getByRole('button', { name: 'Load more' });
    await more.waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'console-queue-load-more');
    await more.click();
    await rows.nth(50).waitFor({ timeout: 5000 });
    const first = await p.evaluate(() => document.activeElement && document.activeElement.getAttribute('href'));
    t.assert(first === `#/tickets/${(await rowIds(rows))[50]}`, `focus after "Load more": ${first}`);
    // To the end: every seeded ticket once.
    for (let i = 0; i < 10 && await p.getByRole('button', { name: 'Load more' }).isVisible(); i += 1) {
      const n = await rows.count();
      await p.getByRole('button', { name: 'Load more' }).click();
      await rows.nth(n).or(p.getByText('No more tickets.')).first().waitFor({ timeout: 5000 });
    }
    await p.getByText('No more tickets.').waitFor({ timeout: 5000 });
    const ids = await rowIds(rows);
    assertOnce(t, ids, 'console queue');
    const seeded = await rowIds(p.locator('ul.queue a.ticket-row', { hasText: 'Order question' }));
    t.assert(seeded.length === MANY, `seeded tickets listed: ${seeded.length}`);
    await shotBoth(t, p, 'console-queue-all');
  });
}

export async function listChecks(t) {
  await portalCheck(t);
  await consoleCheck(t);
}
