// Gatehouse browser tests, issue 10: account changes under dual control.
// Run by disclosure.mjs (changeChecks(t, s, x): t the run's helpers, s the
// disclosure checks' state, x their helpers), after the agent verified
// the caller of ticket s.a at level 2.
//
// The agent files a change of the customer's e-mail address (a second one
// of the same kind is refused in words); a supervisor who filed a request
// of their own sees no "Approve…" on it; the first supervisor approves
// the agent's request with a reason (a too-short one is refused in the
// form) and it cools off; the customer sees it in the portal and cancels
// it; the supervisor sees it cancelled.

const NEW_EMAIL = 'dee.new-address@example.com';

// Files a change request on the agent's page p; returns the answer's text.
async function fileChange(p, kind, value, reason) {
  const box = p.locator('.change-request-box');
  const open = box.getByRole('button', { name: 'Request change…' });
  if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
  await box.getByLabel('What to change').selectOption(kind);
  if (value !== null) await box.getByLabel(/^New /).fill(value);
  await box.getByLabel('Reason for the change').fill(reason);
  await box.getByRole('button', { name: 'File change request' }).click();
  return box;
}

async function requestCheck(t, s, x) {
  await t.test('changes: at level 2 the agent files an e-mail change; a second one of the same kind is refused in words', async () => {
    const p = t.agentPage;
    await p.goto(`${t.CONSOLE}/#/tickets/${s.a}`);
    await p.getByRole('heading', { level: 1, name: x.SUBJECT_A }).waitFor({ timeout: 5000 });
    await p.locator('.verify-level', { hasText: 'Level 2' }).waitFor({ timeout: 5000 });
    let box = await fileChange(p, 'email', 'not an address', 'Customer moved to a new mail provider.');
    await box.locator('.error:not([hidden])', { hasText: 'This is not an e-mail address.' }).waitFor({ timeout: 5000 });
    box = await fileChange(p, 'email', NEW_EMAIL, 'Customer moved to a new mail provider.');
    const done = box.locator('.change-filed');
    await done.waitFor({ timeout: 5000 });
    const said = await done.textContent();
    const m = said.match(/Change request #(\d+) filed/);
    t.assert(m && /a different supervisor must approve it/.test(said), `answer: ${said}`);
    s.change = m[1];
    await t.shot(p, 'console-change-filed');
    box = await fileChange(p, 'email', 'dee.third@example.com', 'Customer changed their mind again.');
    await box.locator('.error:not([hidden])', { hasText: 'Not requested:' }).waitFor({ timeout: 5000 });
  });
}

// A supervisor verifies the caller of ticket s.a themselves (portal
// approval and the customer's code) and files a phone change: their own
// request shows no "Approve…".
async function ownRequestCheck(t, s, x) {
  await t.test('changes: a supervisor’s own request shows no “Approve…”, only who must decide', async () => {
    const p = await x.supervisorPage(t, s);
    await p.goto(`${t.CONSOLE}/#/tickets/${s.a}`);
    await p.getByRole('heading', { level: 1, name: x.SUBJECT_A }).waitFor({ timeout: 5000 });
    const num = await x.askPortalApproval(t, p);
    const req = await x.portalRequest(s.cust.page, t.PORTAL, s.a);
    await req.getByRole('button', { name: num, exact: true }).click();
    await p.locator('.verify-level', { hasText: 'Level 1' }).waitFor({ timeout: 15000 });
    const box = p.locator('.factor-control.totp');
    await box.getByRole('button', { name: 'Customer’s authenticator code' }).click();
    await box.getByLabel('Code from the customer’s authenticator app').fill(await t.totp(x.DEE));
    await box.getByRole('button', { name: 'Check code' }).click();
    await p.locator('.verify-level', { hasText: 'Level 2' }).waitFor({ timeout: 5000 });
    const filed = await fileChange(p, 'phone', '+44 20 7946 0123', 'Customer has a new landline.');
    await filed.locator('.change-filed').waitFor({ timeout: 5000 });
    const said = await filed.locator('.change-filed').textContent();
    s.ownChange = said.match(/Change request #(\d+) filed/)[1];

    await p.getByRole('navigation').getByRole('link', { name: 'Changes' }).click();
    await p.getByRole('heading', { level: 1, name: 'Account changes' }).waitFor({ timeout: 5000 });
    const own = p.locator(`#change-${s.ownChange}`);
    await own.waitFor({ timeout: 5000 });
    t.assert((await own.getByRole('button').count()) === 0, 'the requester is offered a decision on their own request');
    t.assert(/You filed this request, so another supervisor must approve or reject it/.test(await own.textContent()), 'own request not explained');
  });
}

async function approveCheck(t, s, x) {
  await t.test('changes: another supervisor approves with a reason (too short refused); it cools off', async () => {
    const p = await x.supervisorPage(t, s);
    await p.goto(`${t.CONSOLE}/#/changes`);
    const item = p.locator(`#change-${s.change}`);
    await item.waitFor({ timeout: 5000 });
    const text = await item.textContent();
    t.assert(text.includes('E-mail address') && text.includes(x.DEE.name) && text.includes(`filed by ${t.agent.name}`), `item: ${text}`);
    t.assert(!text.includes(NEW_EMAIL), 'the new e-mail address is shown to the supervisor');
    await item.getByRole('button', { name: 'Approve…' }).click();
    const reason = item.getByLabel('Reason for approving this change');
    await reason.fill('ok');
    await item.getByRole('button', { name: 'Approve the change' }).click();
    await item.locator('.error:not([hidden])', { hasText: 'at least 3 characters' }).waitFor({ timeout: 5000 });
    await reason.fill('Verified at level 2 with the portal and the authenticator; reason fits the ticket.');
    await t.shot(p, 'console-changes');
    await item.getByRole('button', { name: 'Approve the change' }).click();
    await item.waitFor({ state: 'detached', timeout: 5000 });
    await p.getByLabel('State', { exact: true }).selectOption('cooling_off');
    await p.getByRole('button', { name: 'Show' }).click();
    const cool = p.locator(`#change-${s.change}`);
    await cool.locator('.change-state', { hasText: `Approved by ${t.supervisor.name}` }).waitFor({ timeout: 5000 });
    t.assert(/Approval reason: Verified at level 2/.test(await cool.textContent()), 'approval reason not shown');
  });
}

async function cancelCheck(t, s, x) {
  await t.test('changes: the customer sees the pending change in the portal and cancels it', async () => {
    const pc = s.cust.page;
    await pc.goto(`${t.PORTAL}/#/requests`);
    await pc.reload();
    await pc.getByRole('heading', { level: 1, name: 'Requests about your account' }).waitFor({ timeout: 5000 });
    const item = pc.locator('.pchange', { hasText: 'Change of your e-mail address' });
    await item.waitFor({ timeout: 5000 });
    t.assert(/Approved by a supervisor\. It takes effect on/.test(await item.textContent()), 'cooling-off not explained');
    t.assert(!(await pc.content()).includes(NEW_EMAIL), 'the new address is shown in the portal');
    await t.shot(pc, 'portal-changes');
    await item.getByRole('button', { name: 'Cancel this change' }).click();
    await pc.locator('.notice', { hasText: 'The change was cancelled. Nothing on your account was changed.' }).waitFor({ timeout: 5000 });
    await item.waitFor({ state: 'detached', timeout: 5000 });

    const p = await x.supervisorPage(t, s);
    await p.goto(`${t.CONSOLE}/#/changes?state=cancelled`);
    await p.locator(`#change-${s.change} .change-state`, { hasText: 'Cancelled by the customer' }).waitFor({ timeout: 5000 });
  });
}

// The checks above, in order; x: {DEE, SUBJECT_A, askPortalApproval,
// portalRequest, supervisorPage} from disclosure.mjs.
export async function changeChecks(t, s, x) {
  await requestCheck(t, s, x);
  if (!s.change) return;
  await ownRequestCheck(t, s, x);
  await approveCheck(t, s, x);
  await cancelCheck(t, s, x);
}
