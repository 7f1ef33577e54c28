// Gatehouse browser tests, issue 10: the disclosure gate. Run by run.mjs
// (disclosureChecks(t), with t its helpers and accounts); not on its own.
//
// An agent on a ticket sees the customer's personal fields masked, starts
// a verification of the caller and asks the customer to approve it in the
// portal; the customer picks the number the agent read out. The agent then
// reveals the e-mail address (with a reason) and sees it under their own
// name, hidden again after reveal_hide_seconds; the date of birth (class
// C2) stays refused at level 1 until a second factor, the customer's own
// authenticator code (computed here like every other code of the run).
// On a second ticket the customer answers "This isn't me": the portal
// warns them that someone may be impersonating them, the console tells the
// agent to stop, and the ticket's verification stays locked until a
// supervisor clears it. A supervisor sees the reveals per agent.

import { changeChecks } from './changes.mjs';

const DEE = { email: 'dee.disclose@example.com', name: 'Dee Disclose' };
const PHONE = '+44 20 7946 0958';
const DOB = '1984-03-09';
const ADDRESS = '12 Harbour Lane, Bristol BS1 4RN';
const ACCOUNT = 'GB4471902266';
const SUBJECT_A = 'Please confirm the e-mail on my account';
const SUBJECT_B = 'Question about my last invoice';

// The customer opens a ticket in the portal page pc; returns its id.
async function newTicket(pc, portal, subject, body) {
  await pc.goto(`${portal}/#/new`);
  await pc.getByLabel('Subject').fill(subject);
  await pc.getByLabel('Message').fill(body);
  await pc.getByRole('button', { name: 'Send to support' }).click();
  await pc.getByRole('heading', { level: 1, name: subject }).waitFor({ timeout: 5000 });
  return (await pc.evaluate(() => location.hash)).match(/tickets\/(\d+)/)[1];
}

// The agent's page p opens ticket id (subject) and assigns it to itself.
async function openAndAssign(p, consoleUrl, id, subject, name) {
  await p.goto(`${consoleUrl}/#/tickets/${id}`);
  await p.getByRole('heading', { level: 1, name: subject }).waitFor({ timeout: 5000 });
  await p.getByRole('button', { name: 'Assign to me' }).click();
  await p.locator('.facts dd', { hasText: name }).waitFor({ timeout: 5000 });
}

function fieldRow(p, name) {
  return p.locator(`section.panel.disclosure .pfield[data-field="${name}"]`);
}

// Opens "Reveal…" of field name on p and sends reason.
async function askReveal(p, name, label, reason) {
  const row = fieldRow(p, name);
  const open = row.getByRole('button', { name: `Reveal the ${label}…` });
  if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
  await row.getByLabel(`Why do you need the ${label}?`).fill(reason);
  await row.getByRole('button', { name: `Reveal the ${label}`, exact: true }).click();
  return row;
}

// The agent starts a verification on p and asks for a portal approval;
// returns the number to read out.
async function askPortalApproval(t, p) {
  await p.getByRole('button', { name: 'Verify caller' }).click();
  await p.locator('.verify-level', { hasText: 'Level 0' }).waitFor({ timeout: 5000 });
  await p.getByRole('button', { name: 'Ask the customer to approve in the portal' }).click();
  const big = p.locator('.factor-control.portal_approval .read-number .number');
  await big.waitFor({ timeout: 5000 });
  const num = (await big.textContent()).trim();
  t.assert(/^[0-9]+$/.test(num), `number to read out: ${num}`);
  return num;
}

// The customer's pending request for ticket id on the portal page pc.
async function portalRequest(pc, portal, id) {
  await pc.goto(`${portal}/#/requests`);
  await pc.getByRole('heading', { level: 1, name: 'Requests about your account' }).waitFor({ timeout: 5000 });
  const req = pc.locator('.vrequest', { hasText: `ticket #${id}` });
  await req.waitFor({ timeout: 10000 });
  return req;
}

// The customer (with a phone, a date of birth and an address on file)
// opens two tickets in the portal; the agent takes the first one.
async function setupCheck(t, s) {
  await t.test('disclosure: a customer with personal details opens two tickets; the agent takes one', async () => {
    Object.assign(DEE, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', DEE.email, '--name', DEE.name,
      '--phone', PHONE, '--dob', DOB, '--address', ADDRESS, '--account-number', ACCOUNT, '--password-stdin'], t.PASS_CUST + '\n')));
    s.cust = await t.newPage(null, { portal: true, tag: 'portal-disclosure' });
    const pc = s.cust.page;
    await t.loginPortal(pc, DEE, await t.totp(DEE));
    await pc.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    const a = await newTicket(pc, t.PORTAL, SUBJECT_A, 'I would like to check which e-mail address you have for me.');
    s.b = await newTicket(pc, t.PORTAL, SUBJECT_B, 'My invoice looks higher than usual.');
    await openAndAssign(t.agentPage, t.CONSOLE, a, SUBJECT_A, t.agent.name);
    s.a = a;
  });
}

// The masked customer panel.
async function maskedPanelCheck(t) {
  await t.test('disclosure: the ticket shows the customer with every personal field masked, and "Verify caller"', async () => {
    const p = t.agentPage;
    const panel = p.locator('section.panel.disclosure');
    await panel.locator('.customer-name', { hasText: DEE.name }).waitFor({ timeout: 5000 });
    for (const [name, cls] of [['email', 'C1'], ['phone', 'C1'], ['dob', 'C2'], ['address', 'C2'], ['account_number', 'C2']]) {
      const row = fieldRow(p, name);
      const masked = (await row.locator('.masked').textContent()).trim();
      t.assert(masked.length > 0 && /\*/.test(masked), `${name} is not shown masked: "${masked}"`);
      t.assert((await row.locator('.badge').textContent()).startsWith(cls), `${name}: class badge`);
    }
    const html = await p.content();
    for (const v of [DEE.email, PHONE, DOB, ADDRESS, ACCOUNT, '7946 0958', 'Harbour', '19022']) {
      t.assert(!html.includes(v), `a personal value is in the console page before any reveal: ${v}`);
    }
    t.assert(await p.getByRole('button', { name: 'Verify caller' }).isVisible(), 'no "Verify caller"');
    await t.shot(p, 'console-customer-masked');
  });
}

// Verification by number matching in the portal.
async function approvalCheck(t, s) {
  await t.test('disclosure: the agent starts a verification; the customer approves in the portal by picking the number read out', async () => {
    const p = t.agentPage;
    const num = await askPortalApproval(t, p);
    t.assert(/^[0-9]+:[0-9]{2}$/.test((await p.locator('.verify-expiry .countdown').textContent()).trim()), 'no expiry countdown');
    await t.shot(p, 'console-verify-number');

    const pc = s.cust.page;
    const req = await portalRequest(pc, t.PORTAL, s.a);
    const head = await req.locator('h3').textContent();
    t.assert(head.includes(`An agent (${t.agent.name}) on ticket #${s.a} asks you to confirm it is you`), `request heading: ${head}`);
    const choices = (await req.locator('button.choice').allTextContents()).map((x) => x.trim());
    t.assert(choices.length >= 3 && choices.includes(num), `choices ${choices} for ${num}`);
    await t.shot(pc, 'portal-verify-request');
    // Keyboard: the choices are plain buttons; Enter picks one.
    await req.getByRole('button', { name: num, exact: true }).focus();
    await pc.keyboard.press('Enter');
    await pc.locator('.notice.approved h2', { hasText: 'you confirmed it is you' }).waitFor({ timeout: 5000 });
    await pc.locator('.vrequest', { hasText: `ticket #${s.a}` }).waitFor({ state: 'detached', timeout: 5000 });

    // The console learns it by itself (it polls while the approval waits).
    await p.locator('.verify-level', { hasText: 'Level 1' }).waitFor({ timeout: 15000 });
    await p.locator('.factors .factor.state-passed', { hasText: 'Approval in the portal' }).waitFor({ timeout: 5000 });
    t.assert(await p.locator('.factor-control.portal_approval .read-number').isHidden(), 'the number is still shown after the approval');
  });
}

// Reveal of the e-mail at level 1, under the agent's name.
async function revealEmailCheck(t) {
  await t.test('disclosure: the agent reveals the e-mail with a reason and sees it under their own name', async () => {
    const p = t.agentPage;
    // Keyboard only: Enter on "Reveal…" puts the focus in the reason;
    // Enter sends it; a too-short reason keeps the focus there.
    const row = fieldRow(p, 'email');
    await row.getByRole('button', { name: 'Reveal the e-mail address…' }).focus();
    await p.keyboard.press('Enter');
    const id = await p.evaluate(() => document.activeElement.id);
    t.assert(id === 'reveal-email-reason', `focus after Reveal…: ${id}`);
    await p.keyboard.type('ok');
    await p.keyboard.press('Enter');
    await row.locator('.error:not([hidden])', { hasText: 'at least 3 characters' }).waitFor({ timeout: 5000 });
    t.assert((await p.evaluate(() => document.activeElement.id)) === id, 'focus left the reason after the refusal');
    await p.keyboard.press('Control+A');
    await p.keyboard.type('Caller asks which address our notices go to.');
    await p.keyboard.press('Enter');
    await row.locator('.revealed .value', { hasText: DEE.email }).waitFor({ timeout: 5000 });
    const mark = await row.locator('.revealed .watermark').textContent();
    t.assert(mark.includes(t.agent.name), `watermark: ${mark}`);
    const by = await row.locator('.revealed-by').textContent();
    t.assert(by.includes(`Revealed to ${t.agent.name}`), `revealed-by: ${by}`);
    // The watermark lies over the value.
    const [v, w] = await Promise.all([row.locator('.revealed .value'), row.locator('.revealed .watermark')]
      .map((l) => l.evaluate((el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })));
    t.assert(w[0] <= v[0] && w[1] <= v[1] && w[3] >= v[3], `watermark ${w} does not cover the value ${v}`);
    await t.shot(p, 'console-revealed-email');
  });
}

// The date of birth (C2) at level 1: refused, with the level needed and held.
async function dobRefusedCheck(t) {
  await t.test('disclosure: the date of birth (C2) is refused at level 1, saying which level and which factor', async () => {
    const p = t.agentPage;
    const row = await askReveal(p, 'dob', 'date of birth', 'Caller wants to check the birth date we hold.');
    const err = row.locator('.error:not([hidden])');
    await err.waitFor({ timeout: 5000 });
    const said = await err.textContent();
    t.assert(/needs a level-2 verification; this caller is verified at level 1/.test(said), `refusal: ${said}`);
    t.assert(/authenticator code/.test(said), `no next factor in: ${said}`);
    t.assert(!(await p.content()).includes(DOB), 'the date of birth reached the page');
    await t.shot(p, 'console-reveal-refused');
  });
}

// The customer's authenticator code: a second, independent factor.
async function totpCheck(t) {
  await t.test('disclosure: the customer’s authenticator code (a wrong one refused in words) raises the verification to level 2', async () => {
    const p = t.agentPage;
    const box = p.locator('.factor-control.totp');
    await box.getByRole('button', { name: 'Customer’s authenticator code' }).click();
    const code = box.getByLabel('Code from the customer’s authenticator app');
    await code.fill('12');
    await box.getByRole('button', { name: 'Check code' }).click();
    await box.locator('.error:not([hidden])', { hasText: 'The code has 6 digits.' }).waitFor({ timeout: 5000 });
    await code.fill('000000');
    await box.getByRole('button', { name: 'Check code' }).click();
    const wrong = box.locator('.error:not([hidden])', { hasText: 'Wrong code.' });
    await wrong.waitFor({ timeout: 5000 });
    t.assert(/4 tries left/.test(await wrong.textContent()), `tries left: ${await wrong.textContent()}`);
    await code.fill(await t.totp(DEE));
    await box.getByRole('button', { name: 'Check code' }).click();
    await p.locator('.verify-level', { hasText: 'Level 2' }).waitFor({ timeout: 5000 });
    await p.locator('.factors .factor.state-passed', { hasText: 'Customer’s authenticator code' }).waitFor({ timeout: 5000 });
    t.assert(await box.isHidden(), 'the authenticator code is offered again after it passed');
  });
}

// The date of birth at level 2.
async function dobRevealCheck(t) {
  await t.test('disclosure: at level 2 the date of birth is revealed', async () => {
    const p = t.agentPage;
    const row = await askReveal(p, 'dob', 'date of birth', 'Caller wants to check the birth date we hold.');
    await row.locator('.revealed .value', { hasText: DOB }).waitFor({ timeout: 5000 });
    await t.shot(p, 'console-revealed-dob');
  });
}

// The value hides again after hide_after seconds.
async function hideCheck(t) {
  await t.test('disclosure: a revealed value is hidden again after reveal_hide_seconds, counted down', async () => {
    const p = t.agentPage;
    const t0 = Date.now();
    const row = await askReveal(p, 'phone', 'phone number', 'Caller asks whether we have the right number.');
    await row.locator('.revealed .value', { hasText: PHONE }).waitFor({ timeout: 5000 });
    const left = Number(await row.locator('.hide-left').textContent());
    t.assert(left > 0 && left <= t.hideSeconds, `countdown starts at ${left}`);
    await row.locator('.revealed').waitFor({ state: 'detached', timeout: (t.hideSeconds + 5) * 1000 });
    const took = (Date.now() - t0) / 1000;
    t.assert(took >= t.hideSeconds - 1, `hidden after ${took} s`);
    t.assert((await row.locator('.masked').count()) === 1, 'the masked value is not back');
    t.assert(!(await p.content()).includes(PHONE), 'the phone number is still in the page');
  });
}

// "This isn't me": the portal's warning, the console's stop, the lock.
async function denialCheck(t, s) {
  await t.test('disclosure: "This isn’t me" warns the customer in the portal and stops the agent in the console', async () => {
    const p = t.agentPage;
    await openAndAssign(p, t.CONSOLE, s.b, SUBJECT_B, t.agent.name);
    await askPortalApproval(t, p);

    const pc = s.cust.page;
    const req = await portalRequest(pc, t.PORTAL, s.b);
    await req.getByRole('button', { name: 'This isn’t me' }).click();
    const warn = pc.locator('.scam-warning[role="alert"]');
    await warn.waitFor({ timeout: 5000 });
    const text = await warn.textContent();
    t.assert(/Someone may be pretending to be you/.test(text), `warning: ${text}`);
    t.assert(/We never ask for your password, authenticator codes or card details/.test(text), `no "we never ask": ${text}`);
    t.assert(/What to do now/.test(text) && /stop talking to them/.test(text), `no next steps: ${text}`);
    t.assert((await pc.evaluate(() => document.activeElement.id)) === 'scam-h', 'the focus is not on the warning');
    await t.shot(pc, 'portal-this-isnt-me');

    const stop = p.locator('.verify-ended.stop[role="alert"]');
    await stop.waitFor({ timeout: 15000 });
    const said = await stop.textContent();
    t.assert(/The customer says this isn’t them/.test(said), `console: ${said}`);
    t.assert(/do not disclose anything/.test(said) && /a supervisor has been alerted/.test(said), `console: ${said}`);
    t.assert((await p.getByRole('button', { name: /Verify caller|Start a new verification/ }).count()) === 0, 'a new verification is offered after a denial');
    t.assert((await p.locator('.add-factor').isHidden()), 'factors are still offered after a denial');
    await t.shot(p, 'console-verification-denied');

    // Locked: after a reload a new verification is refused (423) in words.
    await p.reload();
    await p.getByRole('heading', { level: 1, name: SUBJECT_B }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'Verify caller' }).click();
    await p.locator('.verify-ended.stop', { hasText: 'Verification is locked on this ticket' }).waitFor({ timeout: 5000 });
  });
}

// A supervisor opens the console (once, for the checks below).
async function supervisorPage(t, s) {
  if (!s.sv) {
    s.sv = await t.newPage(null, { tag: 'console-supervisor-disclosure' });
    await t.loginConsole(s.sv.page, t.supervisor);
  }
  return s.sv.page;
}

// A supervisor clears the ticket's verification lock with a reason.
async function lockClearCheck(t, s) {
  await t.test('disclosure: a supervisor clears the verification lock of the ticket with a reason', async () => {
    const p = await supervisorPage(t, s);
    await p.goto(`${t.CONSOLE}/#/tickets/${s.b}`);
    await p.getByRole('heading', { level: 1, name: SUBJECT_B }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'Verify caller' }).click();
    await p.locator('.verify-ended.stop', { hasText: 'Verification is locked on this ticket' }).waitFor({ timeout: 5000 });
    const open = p.getByRole('button', { name: 'Clear the verification lock…' });
    await open.click();
    const reason = p.getByLabel('Reason for clearing the lock');
    await reason.fill('no');
    await p.getByRole('button', { name: 'Clear the lock', exact: true }).click();
    await p.locator('.verify-unlock .error:not([hidden])', { hasText: 'at least 3 characters' }).waitFor({ timeout: 5000 });
    await reason.fill('Called the customer back on the number on file; they confirmed the denial was a mistake.');
    await t.shot(p, 'console-verification-unlock');
    await p.getByRole('button', { name: 'Clear the lock', exact: true }).click();
    await p.getByRole('button', { name: 'Verify caller' }).waitFor({ timeout: 5000 });
    t.assert(await open.isHidden(), '"Clear the verification lock…" still offered after clearing it');
  });
}

// A supervisor sees the reveals per agent.
async function revealsViewCheck(t, s) {
  await t.test('disclosure: a supervisor sees the reveals per agent', async () => {
    const p = await supervisorPage(t, s);
    await p.getByRole('navigation').getByRole('link', { name: 'Reveals' }).click();
    await p.getByRole('heading', { level: 1, name: 'Reveals' }).waitFor({ timeout: 5000 });
    const row = p.locator('table.reveals tbody tr', { hasText: t.agent.name });
    await row.waitFor({ timeout: 5000 });
    const n = Number(await row.locator('td.num').textContent());
    t.assert(n >= 3, `reveals counted for ${t.agent.name}: ${n}`);
    await t.shot(p, 'console-reveals');
  });
}

// Runs the disclosure checks. t: test, assert, shot, newPage, loginPortal,
// loginConsole, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST, agent (its
// page signed in: agentPage), supervisor, hideSeconds, problems,
// cspViolations.
export async function disclosureChecks(t) {
  const s = {};
  await setupCheck(t, s);
  if (!s.a) return;
  await maskedPanelCheck(t);
  await approvalCheck(t, s);
  await revealEmailCheck(t);
  await dobRefusedCheck(t);
  await totpCheck(t);
  await dobRevealCheck(t);
  await hideCheck(t);
  await changeChecks(t, s, { DEE, SUBJECT_A, askPortalApproval, portalRequest, supervisorPage });
  await denialCheck(t, s);
  await lockClearCheck(t, s);
  await revealsViewCheck(t, s);
  for (const [tag, x] of [['portal-disclosure', s.cust], ['console-supervisor-disclosure', s.sv]]) {
    if (!x) continue;
    t.problems.push(...(await t.cspViolations(x.page)).map((v) => `${tag} CSP: ${v}`));
    await x.ctx.close();
  }
}
