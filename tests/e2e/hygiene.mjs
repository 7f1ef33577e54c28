// Gatehouse browser tests, issue 11 part C: staff account hygiene. Run by
// run.mjs (hygieneChecks(t): t the run's helpers).
//
// A staff member logged in twice opens "My account": both sessions are
// listed (one marked as this session) with the recent logins; they end
// the other session (its cookie is refused at once), a weak new password
// is refused in words, a good one is accepted. Another member whose
// change an administrator forced (`gatehouse staff force-password-change`)
// sees only the forced-change screen after logging in, and reaches the
// queue once the password is changed. Screenshots wide and 390 px narrow.

import { spawnSync } from 'node:child_process';
import path from 'node:path';

const PASS = 'saffron-Harbour-lamp-82';
const NEW_PASS = 'quiet lantern over forty hills';
const NARROW = { width: 390, height: 844 };

function addStaff(t, who) {
  Object.assign(who, JSON.parse(t.cli(['staff', 'add', '--dir', t.dir, '--email', who.email, '--name', who.name,
    '--role', 'agent', '--password-stdin'], PASS + '\n')));
}

// Logs who in on page p with password pw; waits for heading (a RegExp or
// text) of the first screen.
async function login(t, p, who, pw, heading) {
  await p.goto(`${t.CONSOLE}/`);
  await p.getByLabel('Work e-mail address').fill(who.email);
  await p.getByLabel('Password').fill(pw);
  await p.getByLabel('Authenticator code').fill(await t.totp(who));
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 8000 });
}

async function sessionStatus(p) {
  return p.evaluate(async () => (await fetch('/api/v1/staff/session', { credentials: 'same-origin' })).status);
}

async function openAccount(t, p) {
  await p.getByRole('link', { name: 'My account' }).click();
  await p.getByRole('heading', { level: 1, name: 'My account' }).waitFor({ timeout: 5000 });
  await p.locator('table.account').first().waitFor({ timeout: 5000 });
}

async function accountChecks(t, s) {
  await t.test('hygiene: My account lists both sessions (this one marked) and the recent logins', async () => {
    s.a = await t.newPage(undefined, { tag: 'hygiene-a' });
    s.b = await t.newPage(undefined, { tag: 'hygiene-b' });
    await login(t, s.a.page, s.hugo, PASS, 'Queue');
    await login(t, s.b.page, s.hugo, PASS, 'Queue');
    const p = s.a.page;
    await openAccount(t, p);
    const rows = p.locator('table.account').first().locator('tbody tr');
    t.assert((await rows.count()) === 2, `sessions listed: ${await rows.count()}`);
    t.assert((await p.locator('tr.is-current').count()) === 1, 'not exactly one session marked as this one');
    const logins = p.locator('table.account').nth(1).locator('tbody tr');
    t.assert((await logins.count()) >= 2, 'the two logins are not listed');
    t.assert(/127\.0\.0\.0\/24/.test(await p.locator('table.account').nth(1).textContent()), 'no network shown');
    await t.shot(p, 'console-my-account');
  });

  await t.test('hygiene: “End” on the other session ends it at once', async () => {
    const p = s.a.page;
    await p.locator('table.account').first().locator('tbody tr:not(.is-current)').getByRole('button', { name: /^End/ }).click();
    await p.locator('#status', { hasText: 'The session was ended.' }).waitFor({ timeout: 5000 });
    await p.locator('table.account').first().locator('tbody tr').nth(1).waitFor({ state: 'detached', timeout: 5000 });
    t.assert((await sessionStatus(s.b.page)) === 401, 'the ended session still answers');
    t.assert((await sessionStatus(p)) === 200, 'this session was ended too');
    await s.b.ctx.close();
  });

  await t.test('hygiene: a weak new password is refused in words; a good one is accepted', async () => {
    const p = s.a.page;
    await p.getByLabel('Current password').fill(PASS);
    await p.getByLabel('New password', { exact: true }).fill('password1234');
    await p.getByLabel('New password again').fill('password1234');
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.locator('#pw-error:not([hidden])', { hasText: 'Not changed:' }).waitFor({ timeout: 5000 });
    await t.shot(p, 'console-my-account-weak-password');
    await p.getByLabel('Current password').fill(PASS);
    await p.getByLabel('New password', { exact: true }).fill(NEW_PASS);
    await p.getByLabel('New password again').fill(NEW_PASS);
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.locator('#status', { hasText: 'Your password was changed.' }).waitFor({ timeout: 8000 });
    t.assert((await sessionStatus(p)) === 200, 'the changing session was ended');
  });

  await t.test('hygiene: My account at 390 px, after logging in with the new password', async () => {
    const n = await t.newPage(NARROW, { tag: 'hygiene-narrow' });
    await login(t, n.page, s.hugo, NEW_PASS, 'Queue');
    await n.page.goto(`${t.CONSOLE}/#/account`);
    await n.page.getByRole('heading', { level: 1, name: 'My account' }).waitFor({ timeout: 5000 });
    await n.page.locator('table.account').first().waitFor({ timeout: 5000 });
    const wide = await n.page.evaluate(() => document.documentElement.scrollWidth);
    t.assert(wide <= 390, `the page scrolls sideways at 390 px (${wide})`);
    await t.shot(n.page, 'narrow-console-my-account');
    t.problems.push(...(await t.cspViolations(n.page)).map((v) => `hygiene narrow CSP: ${v}`));
    await n.ctx.close();
  });
}

async function forcedChecks(t, s) {
  await t.test('hygiene: after a forced change only the change-password screen shows; the change leads to the queue', async () => {
    t.cli(['staff', 'force-password-change', '--dir', t.dir, '--email', s.fay.email, '--reason', 'password seen in a phishing kit']);
    const w = await t.newPage(undefined, { tag: 'hygiene-forced' });
    await login(t, w.page, s.fay, PASS, 'Change your password to continue');
    t.assert(/administrator requires a new password/.test(await w.page.locator('main').textContent()), 'no reason shown');
    await w.page.goto(`${t.CONSOLE}/#/queue`);
    await w.page.getByRole('heading', { level: 1, name: 'Change your password to continue' }).waitFor({ timeout: 5000 });
    const st = await w.page.evaluate(async () => (await fetch('/api/v1/tickets', { credentials: 'same-origin' })).status);
    t.assert(st === 403, `the held session read tickets (${st})`);
    await t.shot(w.page, 'console-forced-password-change');
    await w.ctx.close();
    const n = await t.newPage(NARROW, { tag: 'hygiene-forced-narrow' });
    await login(t, n.page, s.fay, PASS, 'Change your password to continue');
    await t.shot(n.page, 'narrow-console-forced-password-change');
    await n.page.getByLabel('Current password').fill(PASS);
    await n.page.getByLabel('New password', { exact: true }).fill(NEW_PASS);
    await n.page.getByLabel('New password again').fill(NEW_PASS);
    await n.page.getByRole('button', { name: 'Change password' }).click();
    await n.page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 8000 });
    t.problems.push(...(await t.cspViolations(n.page)).map((v) => `hygiene forced CSP: ${v}`));
    await n.ctx.close();
  });
}

// A session already open when its password must be changed (here the
// flag is set in the database, as a maximum age reached would): the next
// request answers 403 and the console switches to the forced-change
// screen.
async function heldMidwayCheck(t, s) {
  await t.test('hygiene: a session held to a change while open switches to the forced-change screen', async () => {
    const p = s.a.page;
    const db = path.join(t.dir, 'gatehouse.db');
    const r = spawnSync('sqlite3', [db, `UPDATE staff SET pw_must_change = 1 WHERE id = ${Number(s.hugo.id)}`], { encoding: 'utf8' });
    t.assert(r.status === 0, `sqlite3 failed: ${r.stderr}`);
    await p.getByRole('link', { name: 'Queue' }).click();
    await p.getByRole('heading', { level: 1, name: 'Change your password to continue' }).waitFor({ timeout: 8000 });
    t.assert(await p.getByRole('link', { name: 'Queue' }).isHidden(), 'the navigation is still offered');
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByRole('heading', { name: /log in/i }).waitFor({ timeout: 5000 });
  });
}

export async function hygieneChecks(t) {
  const s = {
    hugo: { email: 'hugo.hygiene@example.com', name: 'Hugo Hygiene' },
    fay: { email: 'fay.forced@example.com', name: 'Fay Forced' },
  };
  await t.test('hygiene: accounts for the hygiene checks', async () => {
    addStaff(t, s.hugo);
    addStaff(t, s.fay);
  });
  await accountChecks(t, s);
  await forcedChecks(t, s);
  if (s.a) await heldMidwayCheck(t, s);
  if (s.a) {
    t.problems.push(...(await t.cspViolations(s.a.page)).map((v) => `hygiene CSP: ${v}`));
    await s.a.ctx.close();
  }
}
