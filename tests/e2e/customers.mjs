// Gatehouse browser tests, issue 11 part D: customers who can tell it is
// really us. Run by run.mjs (customerChecks(t), t its helpers and
// accounts, as for disclosureChecks); not on its own.
//
// The contact policy page is readable before login (the link in every
// mail) and after. An agent gives a contact code from the ticket and sees
// what to say; the customer checks it under "Is this really us?" and sees
// the genuine panel with the agent's first name and the ticket, then
// checks a made-up code and sees the warning with advice. The customer
// opens the security centre (recent logins, sessions, authenticator,
// changes, reveals) and ends another of their sessions, which stops
// working at once. Screens are shot wide and at 390 px.

const EVE = { email: 'eve.protect@example.com', name: 'Eve Protect' };
const SUBJECT = 'Someone called me about my account';
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

async function policyCheck(t) {
  await t.test('customers: "How we contact you" opens before login, from the footer link, and lists what we never ask for', async () => {
    const anon = await t.newPage(null, { tag: 'portal-policy' });
    const p = anon.page;
    await p.goto(`${t.PORTAL}/`);
    await p.getByRole('link', { name: 'How we contact you' }).click();
    await p.getByRole('heading', { level: 1, name: 'How we contact you' }).waitFor({ timeout: 5000 });
    await p.locator('.policy-never li', { hasText: 'your password' }).waitFor({ timeout: 5000 });
    await p.locator('.policy-doubt li', { hasText: 'Hang up' }).waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'portal-contact-policy');
    await p.getByRole('link', { name: 'Log in' }).first().click();
    await p.getByRole('heading', { name: /log in/i }).waitFor({ timeout: 5000 });
    t.problems.push(...(await t.cspViolations(p)).map((v) => `portal-policy CSP: ${v}`));
    await anon.ctx.close();
  });
}

async function setupCheck(t, s) {
  await t.test('customers: a customer opens a ticket; the agent takes it', async () => {
    Object.assign(EVE, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', EVE.email, '--name', EVE.name,
      '--password-stdin'], t.PASS_CUST + '\n')));
    s.cust = await t.newPage(null, { portal: true, tag: 'portal-customers' });
    const pc = s.cust.page;
    await t.loginPortal(pc, EVE, await t.totp(EVE));
    await pc.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    await pc.goto(`${t.PORTAL}/#/new`);
    await pc.getByLabel('Subject').fill(SUBJECT);
    await pc.getByLabel('Message').fill('A man said he was from your bank. Is that true?');
    await pc.getByRole('button', { name: 'Send to support' }).click();
    await pc.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    s.id = (await pc.evaluate(() => location.hash)).match(/tickets\/(\d+)/)[1];
    const p = t.agentPage;
    await p.goto(`${t.CONSOLE}/#/tickets/${s.id}`);
    await p.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    const assign = p.getByRole('button', { name: 'Assign to me' });
    if (await assign.isVisible()) await assign.click();
    await p.locator('.facts dd', { hasText: t.agent.name }).waitFor({ timeout: 5000 });
  });
}

async function giveCodeCheck(t, s) {
  await t.test('customers: the agent gives a contact code and sees what to say', async () => {
    const p = t.agentPage;
    await p.getByRole('button', { name: 'Give a contact code' }).click();
    const code = p.locator('.contact-code .code');
    await code.waitFor({ timeout: 5000 });
    s.code = (await code.textContent()).trim();
    t.assert(/^[0-9]{4}-[0-9]{4}$/.test(s.code), `contact code: ${s.code}`);
    const say = await p.locator('.contact-code .say').textContent();
    t.assert(say.includes(s.code) && say.includes(`#${s.id}`), `what to say: ${say}`);
    await p.locator('.contact-codes').scrollIntoViewIfNeeded();
    await t.shot(p, 'console-contact-code', { fullPage: false });
  });
}

// The customer checks code on the "Is this really us?" page.
async function checkCode(t, pc, code) {
  await pc.goto(`${t.PORTAL}/#/check`);
  await pc.getByRole('heading', { level: 1, name: 'Is this really us?' }).waitFor({ timeout: 5000 });
  await pc.getByRole('textbox', { name: 'Contact code' }).fill(code);
  // The same page may still show the previous check's answer: drop it, so
  // the answer waited for below is this check's.
  await pc.locator('.check-result').evaluateAll((els) => els.forEach((e) => e.remove()));
  await pc.getByRole('button', { name: 'Check code' }).click();
  const res = pc.locator('.check-result');
  await res.waitFor({ timeout: 5000 });
  return res;
}

async function checkGenuineCheck(t, s) {
  await t.test('customers: the customer checks the code: genuine, with the agent’s first name and the ticket', async () => {
    const pc = s.cust.page;
    await pc.getByRole('navigation').getByRole('link', { name: 'Is this really us?' }).click();
    const res = await checkCode(t, pc, s.code);
    const first = t.agent.name.split(' ')[0];
    const head = await res.locator('h2').textContent();
    t.assert(head.startsWith(`Genuine: ${first}, ticket #${s.id}, issued `), `genuine panel: ${head}`);
    t.assert(!head.includes(t.agent.name.split(' ')[1]), 'the agent’s full name is shown');
    await shotBoth(t, pc, 'portal-check-genuine');
    // Single use: the same code again is a warning.
    const again = await checkCode(t, pc, s.code);
    t.assert((await again.getAttribute('class')).includes('scam-warning'), 'a used code was accepted again');
  });
}

async function checkMadeUpCheck(t, s) {
  await t.test('customers: a made-up code shows a clear warning with advice', async () => {
    const pc = s.cust.page;
    const res = await checkCode(t, pc, '1357-2468');
    await res.getByRole('heading', { name: 'Warning: nobody from our company gave you this code' }).waitFor({ timeout: 5000 });
    const text = await res.textContent();
    t.assert(/Hang up/.test(text) && /How we contact you/.test(text) && /Never share your password/.test(text), `advice: ${text}`);
    await shotBoth(t, pc, 'portal-check-warning');
  });
}

// The session status of page p's portal session (200 alive, 401 ended).
async function sessionStatus(p) {
  return p.evaluate(async () => (await fetch('/api/v1/portal/session', { credentials: 'same-origin' })).status);
}

async function securityCentreCheck(t, s) {
  await t.test('customers: the security centre lists logins and sessions; ending another session ends it', async () => {
    const other = await t.newPage(null, { tag: 'portal-customers-2' });
    await t.loginPortal(other.page, EVE, await t.totp(EVE));
    await other.page.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    t.assert((await sessionStatus(other.page)) === 200, 'the second session does not work');
    const pc = s.cust.page;
    await pc.getByRole('navigation').getByRole('link', { name: 'Security centre' }).click();
    await pc.getByRole('heading', { level: 1, name: 'Security centre' }).waitFor({ timeout: 5000 });
    await pc.locator('ul.logins li').first().waitFor({ timeout: 5000 });
    const sessions = pc.locator('ul.sessions li');
    await sessions.nth(1).waitFor({ timeout: 5000 });
    await pc.locator('#sc-auth + div, section[aria-labelledby="sc-auth"]').getByText('set up since').waitFor({ timeout: 5000 });
    await shotBoth(t, pc, 'portal-security-centre');
    const n = await sessions.count();
    await pc.locator('ul.sessions').getByRole('button', { name: 'End' }).first().click();
    await pc.waitForFunction((k) => document.querySelectorAll('ul.sessions li').length === k - 1, n, { timeout: 5000 });
    t.assert((await sessionStatus(other.page)) === 401, 'the ended session still works');
    t.assert((await sessionStatus(pc)) === 200, 'ending the other session ended this one');
    t.problems.push(...(await t.cspViolations(other.page)).map((v) => `portal-customers-2 CSP: ${v}`));
    await other.ctx.close();
  });
}

// Runs the customer protection checks (t as for disclosureChecks).
export async function customerChecks(t) {
  const s = {};
  await policyCheck(t);
  await setupCheck(t, s);
  if (!s.id) return;
  await giveCodeCheck(t, s);
  if (s.code) {
    await checkGenuineCheck(t, s);
    await checkMadeUpCheck(t, s);
  }
  await securityCentreCheck(t, s);
  t.problems.push(...(await t.cspViolations(s.cust.page)).map((v) => `portal-customers CSP: ${v}`));
  await s.cust.ctx.close();
}
