// Gatehouse browser tests, issue 17 part GATE: losing a passkey and the
// passkey as a verification factor. Run by run.mjs (passkeyGateChecks(t),
// t its helpers and accounts, as for superChecks); not on its own.
//
// Chromium's virtual authenticator (the DevTools protocol's WebAuthn
// domain, through a Playwright CDP session) stands in for each person's
// device: one per page, so each person holds only their own passkeys.
//
// A customer registers a passkey in the security centre; the agent asks
// for a passkey approval on the customer's ticket and reads out the
// number; the customer picks it in "Requests" and confirms with the
// passkey; the agent's panel reaches level 1. Two administrators sign in
// with passkeys (the enrol-only screen first); one asks for the reset of a
// supervisor's passkeys and can only withdraw it, the other approves it:
// the supervisor's passkeys are gone and their session ended. Screens are
// shot wide and at 390 px.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const NARROW = { width: 390, height: 844 };
const PIA = { email: 'pia.passkey@example.com', name: 'Pia Passkey' };
const ADAM = { email: 'adam.first@example.com', name: 'Adam First' };
const BETH = { email: 'beth.second@example.com', name: 'Beth Second' };
const SAM = { email: 'sam.lost@example.com', name: 'Sam Lostkey' };

async function shotBoth(t, p, name) {
  await t.shot(p, name);
  const size = p.viewportSize();
  await p.setViewportSize(NARROW);
  await t.shot(p, `${name}-narrow`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  t.assert(wide <= NARROW.width + 1, `${name}: the page is ${wide} px wide at 390 px`);
  await p.setViewportSize(size);
}

function sql(t, text) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(t.dir, 'gatehouse.db'), text], { encoding: 'utf8' });
  t.assert(r.status === 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

// A virtual platform authenticator (resident keys, user verification)
// for page p: what a phone or laptop with a screen lock would be.
async function authenticator(p) {
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function credentials(a) {
  return (await a.cdp.send('WebAuthn.getCredentials', { authenticatorId: a.authenticatorId })).credentials;
}

function addStaff(t, who, role) {
  Object.assign(who, JSON.parse(t.cli(['staff', 'add', '--dir', t.dir, '--email', who.email, '--name', who.name,
    '--role', role, '--password-stdin'], t.PASS_AGENT + '\n')));
}

// A supervisor or admin without a passkey: the password login leads to
// the enrol-only screen; they register one and sign in with it.
async function staffWithPasskey(t, who, role) {
  addStaff(t, who, role);
  const s = await t.newPage(null, { tag: `console-${who.email}` });
  const p = s.page;
  s.auth = await authenticator(p);
  await p.goto(`${t.CONSOLE}/`);
  await p.getByLabel('Work e-mail address').fill(who.email);
  await p.getByLabel('Password').fill(t.PASS_AGENT);
  await p.getByLabel('Authenticator code').fill(await t.totp(who));
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Register a passkey to continue' }).waitFor({ timeout: 8000 });
  await p.getByRole('button', { name: 'Register a passkey' }).click();
  await p.getByRole('button', { name: 'Sign in with a passkey' }).waitFor({ timeout: 8000 });
  await p.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await p.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 8000 });
  t.assert((await credentials(s.auth)).length === 1, `${who.email}: not one passkey on the authenticator`);
  return s;
}

async function factorCheck(t) {
  await t.test('gate: a customer approves a verification with their passkey; the agent reaches level 1', async () => {
    Object.assign(PIA, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', PIA.email, '--name', PIA.name,
      '--password-stdin'], t.PASS_CUST + '\n')));
    const c = await t.newPage(null, { portal: true, tag: 'portal-gate' });
    const pc = c.page;
    const auth = await authenticator(pc);
    await t.loginPortal(pc, PIA, await t.totp(PIA));
    await pc.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 8000 });
    // A passkey, added in the security centre.
    await pc.goto(`${t.PORTAL}/#/security`);
    const add = pc.getByRole('button', { name: 'Add a passkey' });
    await add.waitFor({ timeout: 8000 });
    await add.click();
    await pc.locator('.passkey-list li').first().waitFor({ timeout: 8000 });
    t.assert((await credentials(auth)).length === 1, 'the customer has no passkey on the authenticator');
    // Their ticket; the agent asks for a passkey approval on it.
    const now = Math.floor(Date.now() / 1000);
    sql(t, `INSERT INTO tickets (customer_id, subject, status, queue_id, created_at, updated_at, last_activity) VALUES (${Number(PIA.id)}, 'Passkey approval please', 'open', 1, ${now}, ${now}, ${now});`);
    const ticket = Number(sql(t, "SELECT MAX(id) FROM tickets WHERE subject = 'Passkey approval please'"));
    const pa = t.agentPage;
    await pa.goto(`${t.CONSOLE}/#/ticket/${ticket}`);
    await pa.getByRole('button', { name: 'Verify caller' }).click();
    await pa.locator('.verify-level', { hasText: 'Level 0' }).waitFor({ timeout: 5000 });
    t.assert(await pa.getByText('A passkey works only on our real site').isVisible(), 'no plain-words explanation of the passkey factor');
    await pa.getByRole('button', { name: 'Ask the customer to approve with their passkey' }).click();
    const big = pa.locator('.factor-control.passkey .read-number .number');
    await big.waitFor({ timeout: 5000 });
    const num = (await big.textContent()).trim();
    t.assert(/^[0-9]+$/.test(num), `number to read out: ${num}`);
    t.assert(!(await pa.getByRole('button', { name: 'Ask the customer to approve in the portal' }).isVisible()),
      'a plain portal approval is offered while the passkey approval waits');
    await shotBoth(t, pa, 'gate-console-passkey-factor');
    // The customer picks the number and confirms with the passkey.
    await pc.goto(`${t.PORTAL}/#/requests`);
    const req = pc.locator('.vrequest', { hasText: `ticket #${ticket}` });
    await req.waitFor({ timeout: 10000 });
    t.assert(/Approve with your passkey/.test(await req.textContent()), 'the request does not say it wants the passkey');
    await shotBoth(t, pc, 'gate-portal-passkey-request');
    await req.getByRole('button', { name: `${num}, then confirm with your passkey` }).click();
    await pc.getByRole('heading', { name: 'Thank you — you confirmed it is you' }).waitFor({ timeout: 10000 });
    await pa.locator('.verify-level', { hasText: 'Level 1' }).waitFor({ timeout: 10000 });
    t.assert(/passed/.test(await pa.locator('.factors').textContent()), 'the passkey factor is not shown passed');
    const n = sql(t, `SELECT COUNT(*) FROM verification_factors f JOIN verifications v ON v.id = f.verification_id WHERE v.ticket_id = ${ticket} AND f.method = 'passkey' AND f.state = 'passed'`);
    t.assert(n === '1', `passed passkey factors: ${n}`);
    t.problems.push(...(await t.cspViolations(pc)).map((v) => `portal-gate CSP: ${v}`));
    await c.ctx.close();
  });
}

// The row of staff member who on the Staff screen of p.
function staffRow(p, who) {
  return p.locator(`tr[data-staff-id="${who.id}"]`);
}

async function resetCheck(t) {
  await t.test('gate: an admin asks for the reset of a supervisor\'s passkeys, another admin approves it', async () => {
    const a1 = await staffWithPasskey(t, ADAM, 'admin');
    const a2 = await staffWithPasskey(t, BETH, 'admin');
    const sup = await staffWithPasskey(t, SAM, 'supervisor');
    const p1 = a1.page;
    await p1.goto(`${t.CONSOLE}/#/staff`);
    await p1.getByRole('heading', { level: 1, name: 'Staff' }).waitFor({ timeout: 5000 });
    const row = staffRow(p1, SAM);
    await row.getByText('1 passkey').waitFor({ timeout: 5000 });
    await row.getByText('1 passkey').click();
    await row.locator('.staff-passkey').first().waitFor({ timeout: 5000 });
    t.assert(!(await staffRow(p1, ADAM).getByRole('button', { name: /Reset the passkeys/ }).count()),
      'an admin is offered the reset of their own passkeys');
    await row.getByRole('button', { name: `Reset the passkeys of ${SAM.name}` }).click();
    await row.getByLabel(`Why reset the passkeys of ${SAM.name}?`).fill('Lost the laptop with the passkey on a train');
    await row.getByRole('button', { name: 'Ask for the reset' }).click();
    const item = p1.locator('.pkreset', { hasText: SAM.name });
    await item.waitFor({ timeout: 5000 });
    t.assert(!(await item.getByRole('button', { name: /^Approve/ }).count()), 'the requester is offered the approval');
    t.assert(await item.getByRole('button', { name: /Withdraw|Deny/ }).isVisible(), 'no way to withdraw');
    await shotBoth(t, p1, 'gate-staff-reset-asked');
    // The second admin approves.
    const p2 = a2.page;
    await p2.goto(`${t.CONSOLE}/#/staff`);
    const other = p2.locator('.pkreset', { hasText: SAM.name });
    await other.waitFor({ timeout: 5000 });
    await other.getByRole('button', { name: `Approve the passkey reset of ${SAM.name}` }).click();
    await other.getByLabel('How did you confirm it is really them?').fill('Called Sam back on the number on file');
    await shotBoth(t, p2, 'gate-staff-reset-approve');
    await other.getByRole('button', { name: 'Approve: remove their passkeys' }).click();
    await staffRow(p2, SAM).getByText('None — must register one').waitFor({ timeout: 8000 });
    t.assert(!(await p2.locator('.pkreset', { hasText: SAM.name }).count()), 'the request is still listed');
    await shotBoth(t, p2, 'gate-staff-reset-done');
    t.assert(sql(t, `SELECT COUNT(*) FROM passkeys WHERE realm = 'staff' AND principal_id = ${Number(SAM.id)}`) === '0',
      'the supervisor still has a passkey');
    const st = await sup.page.evaluate(async () => (await fetch('/api/v1/staff/session', { credentials: 'same-origin' })).status);
    t.assert(st === 401, `the supervisor's session still answers ${st}`);
    for (const [tag, s] of [['a1', a1], ['a2', a2], ['sup', sup]]) {
      t.problems.push(...(await t.cspViolations(s.page)).map((v) => `console-gate-${tag} CSP: ${v}`));
      await s.ctx.close();
    }
  });
}

export async function passkeyGateChecks(t) {
  await factorCheck(t);
  await resetCheck(t);
}
