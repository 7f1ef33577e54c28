// Gatehouse browser tests, issue 15 defects 2, 3, 4 and 6 (web console and
// portal). Run by run.mjs (defectUiChecks(t), t its helpers and accounts,
// as for listChecks); not on its own.
//
// 2. A success banner belongs to the screen it was raised on: "Your ticket
//    was created." is gone on Security settings, "Reply sent to the
//    customer." is gone on another ticket.
// 3. A ticket that does not exist (or is outside the agent's queues) shows
//    "not found" with no Assign, Set status or composers.
// 4. A link card with warning signs listed never says "No warning signs".
// 6. A held-back file's notice shows once, in the warning style, and not
//    in the success banner.
// Screens are shot wide and at 390 px.

const DORA = { email: 'dora.defects@example.com', name: 'Dora Defects' };
const NARROW = { width: 390, height: 844 };
// Plain http: one weak warning sign (not_https), below "Suspicious".
const WEAK_LINK = 'http://shop.example.com/orders/7731';

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

const statusText = (p) => p.locator('#status').textContent();

// Creates a ticket through the portal form; returns its id.
async function newTicket(p, t, subject, body) {
  await p.goto(`${t.PORTAL}/#/new`);
  await p.getByLabel('Subject').fill(subject);
  await p.getByLabel('Message').fill(body);
  await p.getByRole('button', { name: 'Send to support' }).click();
  await p.getByRole('heading', { level: 1, name: subject }).waitFor({ timeout: 5000 });
  return (await p.evaluate(() => location.hash)).match(/tickets\/(\d+)/)[1];
}

// Defect 2, portal: the banner of the ticket just created (ids.a, the
// last one) is gone on Security settings.
async function portalBannerCheck(t, p) {
  await t.test('defects 2: "Your ticket was created." stays on its ticket, not on Security settings', async () => {
    await p.locator('#status', { hasText: 'Your ticket was created.' }).waitFor({ timeout: 5000 });
    await p.goto(`${t.PORTAL}/#/settings`);
    await p.getByRole('heading', { level: 1, name: 'Security settings' }).waitFor({ timeout: 5000 });
    await p.waitForTimeout(300);
    const left = await statusText(p);
    t.assert(left === '', `banner on Security settings: "${left}"`);
    await shotBoth(t, p, 'defects-portal-security-no-banner');
  });
}

// Defect 6: a program uploaded to ticket ids.b.
async function heldBackCheck(t, p, ids) {
  await t.test('defects 6: a held-back file\'s notice shows once, in the warning style, no success banner', async () => {
    await p.goto(`${t.PORTAL}/#/tickets/${ids.b}`);
    const files = p.locator('form', { has: p.getByRole('heading', { name: 'Files' }) });
    await files.locator('.attachments .empty').waitFor({ timeout: 5000 });
    const exe = Buffer.alloc(512);
    exe.write('MZ', 0);
    await files.getByLabel('Attach a file').setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: exe });
    await files.getByRole('button', { name: 'Upload file' }).click();
    await files.locator('.attachment', { hasText: 'tool.exe' }).waitFor({ timeout: 5000 });
    await p.waitForTimeout(300);
    const banner = await statusText(p);
    t.assert(!/held back/i.test(banner), `success banner for a held-back file: "${banner}"`);
    const notes = await p.locator('main').getByText(/program/).all();
    t.assert(notes.length === 1, `the held-back notice shows ${notes.length} times`);
    const cls = await notes[0].getAttribute('class');
    t.assert(/\bwarning\b/.test(cls || ''), `the held-back notice's class is "${cls}"`);
    await shotBoth(t, p, 'defects-portal-held-back-file');
  });
}

// Defect 2, console: a reply on ids.a, then ticket ids.b.
async function consoleBannerCheck(t, p, ids) {
  await t.test('defects 2: "Reply sent to the customer." does not follow to another ticket', async () => {
    await p.goto(`${t.CONSOLE}/#/tickets/${ids.a}`);
    await p.getByRole('heading', { level: 1, name: 'Parcel 7731 is late' }).waitFor({ timeout: 5000 });
    const external = p.locator('section.panel.external');
    await external.getByLabel('Reply — the customer will see this').fill('Hello Dora, your parcel leaves our warehouse today.');
    await external.getByRole('button', { name: 'Send reply to customer' }).click();
    await p.locator('#status', { hasText: 'Reply sent to the customer.' }).waitFor({ timeout: 5000 });
    await p.goto(`${t.CONSOLE}/#/tickets/${ids.b}`);
    await p.getByRole('heading', { level: 1, name: 'Second parcel question' }).waitFor({ timeout: 5000 });
    await p.waitForTimeout(300);
    const left = await statusText(p);
    t.assert(left === '', `banner on another ticket: "${left}"`);
    await shotBoth(t, p, 'defects-console-other-ticket-no-banner');
  });
}

// Defect 4: the plain-http link in ids.a's first message.
async function linkBadgeCheck(t, p, ids) {
  await t.test('defects 4: a link with warning signs listed never says "No warning signs"', async () => {
    await p.goto(`${t.CONSOLE}/#/tickets/${ids.a}`);
    const item = p.locator('.links .link').first();
    await item.waitFor({ timeout: 5000 });
    const signs = await item.locator('.reasons li').count();
    const badge = await item.locator('.badge.verdict').textContent();
    t.assert(signs > 0, 'the weak link lists no warning sign (test premise)');
    t.assert(badge !== 'No warning signs', `badge "${badge}" above ${signs} warning sign(s)`);
    t.assert(new RegExp(`${signs} warning sign`).test(badge), `badge "${badge}" does not count ${signs} sign(s)`);
    await item.scrollIntoViewIfNeeded();
    await shotBoth(t, p, 'defects-console-link-badge');
  });
}

// Defect 3: a ticket id that does not exist.
async function notFoundCheck(t, p) {
  await t.test('defects 3: a ticket that does not exist shows "not found" and no actions', async () => {
    const before = t.problems.length;
    await p.goto(`${t.CONSOLE}/#/tickets/987654`);
    await p.getByRole('heading', { level: 1, name: /not found/ }).waitFor({ timeout: 5000 });
    t.assert(/in your queues/.test(await p.locator('main').innerText()), 'no "not in your queues" explanation');
    for (const [what, n] of [
      ['Assign to me', await p.getByRole('button', { name: 'Assign to me' }).count()],
      ['Set status', await p.getByLabel('Set status').count()],
      ['composers', await p.locator('main textarea, main form.composer').count()],
    ]) t.assert(n === 0, `a missing ticket shows ${what} (${n})`);
    await shotBoth(t, p, 'defects-console-ticket-not-found');
    // The browser logs the expected 404 of GET /api/v1/tickets/987654.
    const mine = t.problems.splice(before).filter((m) => !/status of 404/.test(m));
    t.problems.push(...mine);
  });
}

// Long content: a subject of the full 200 characters, one word of them
// 120 long, and a message holding a 600-character unbroken run; the
// ticket is shot wide and at 390 px in the portal and the console, and
// neither page may grow wider than the window (shotBoth asserts it).
const LONG_SUBJECT = `Order ${'X'.repeat(120)} ${'never arrived and nobody answers '.repeat(3)}`.slice(0, 200);
const LONG_BODY = `Reference ${'0123456789abcdef'.repeat(38)} and\n\n${'My parcel is late again. '.repeat(40)}`;

async function longContentCheck(t, p, id) {
  await t.test('long content: a 200-character subject and a 600-character word wrap inside the window', async () => {
    await p.goto(`${t.PORTAL}/#/tickets/${id}`);
    await p.getByRole('heading', { level: 1 }).waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'long-portal-ticket');
    const a = t.agentPage;
    await a.goto(`${t.CONSOLE}/#/tickets/${id}`);
    await a.getByRole('heading', { level: 1 }).filter({ hasText: 'never arrived' }).waitFor({ timeout: 5000 });
    await shotBoth(t, a, 'long-console-ticket');
    await a.goto(`${t.CONSOLE}/#/queue?status=open&assigned=any`);
    await a.getByText('never arrived', { exact: false }).first().waitFor({ timeout: 5000 });
    await shotBoth(t, a, 'long-console-queue');
  });
}

export async function defectUiChecks(t) {
  Object.assign(DORA, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', DORA.email, '--name', DORA.name,
    '--password-stdin'], t.PASS_CUST + '\n')));
  const s = await t.newPage(null, { portal: true, tag: 'portal-defects' });
  const p = s.page;
  await t.loginPortal(p, DORA, await t.totp(DORA));
  await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
  const ids = {};
  ids.b = await newTicket(p, t, 'Second parcel question', 'And the other parcel, 7732?');
  ids.a = await newTicket(p, t, 'Parcel 7731 is late', `Where is my parcel? The shop page ${WEAK_LINK} says shipped.`);
  await portalBannerCheck(t, p);
  await heldBackCheck(t, p, ids);
  ids.c = await newTicket(p, t, LONG_SUBJECT, LONG_BODY);
  await longContentCheck(t, p, ids.c);
  t.problems.push(...(await t.cspViolations(p)).map((v) => `portal-defects CSP: ${v}`));
  await s.ctx.close();
  await consoleBannerCheck(t, t.agentPage, ids);
  await linkBadgeCheck(t, t.agentPage, ids);
  await notFoundCheck(t, t.agentPage);
}
