// Gatehouse browser tests, issue 15 part SELF: customer self-service in
// the portal. Run by run.mjs (selfChecks(t), t its helpers); not on its
// own.
//
// A customer opens Security settings (change password, recovery codes,
// sign out everywhere else), is refused with a wrong current password
// (error shown, nothing changed), makes recovery codes (shown once),
// changes the password and logs in with the new one; asks for a reset
// link on "Forgot your password?" (the same answer for any address);
// logs in with a recovery code and sets up a new authenticator; marks a
// request solved. Screens are shot wide and at 390 px.

const NARROW = { width: 390, height: 844 };
const NEW_PASS = 'copper Meadow violin 4471';

async function shotBoth(t, p, name) {
  await t.shot(p, name);
  const size = p.viewportSize();
  await p.setViewportSize(NARROW);
  await t.shot(p, `${name}-narrow`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  t.assert(wide <= NARROW.width + 1, `${name}: the page is ${wide} px wide at 390 px`);
  await p.setViewportSize(size);
}

async function login(t, p, who, pw) {
  await p.goto(`${t.PORTAL}/`);
  await p.getByLabel('E-mail address').fill(who.email);
  await p.getByLabel('Password').fill(pw);
  await p.getByLabel('Authenticator code').fill(await t.totp(who));
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 8000 });
}

async function openSettings(t, p) {
  await p.goto(`${t.PORTAL}/#/settings`);
  await p.getByRole('heading', { level: 2, name: 'Change your password' }).waitFor({ timeout: 5000 });
  await p.locator('.codes-left', { hasText: 'recovery codes left' }).waitFor({ timeout: 5000 });
}

function pwForm(p) {
  return p.locator('form', { has: p.getByRole('heading', { name: 'Change your password' }) });
}

async function passwordChecks(t, s) {
  await t.test('self: a wrong current password is refused in words and changes nothing', async () => {
    const p = s.page;
    await openSettings(t, p);
    await shotBoth(t, p, 'self-security-settings');
    const f = pwForm(p);
    await f.getByLabel('Current password').fill('not my password at all');
    await f.getByLabel('Authenticator code or recovery code').fill(await t.totp(s.who));
    s.who.lastStep -= 1; // refused before the code was used
    await f.getByLabel('New password').fill(NEW_PASS);
    await f.getByRole('button', { name: 'Change password' }).click();
    const err = f.locator('.error:not([hidden])');
    await err.waitFor({ timeout: 5000 });
    t.assert(/current password is not correct/i.test(await err.textContent()), `error: ${await err.textContent()}`);
    await shotBoth(t, p, 'self-password-error');
  });

  await t.test('self: new recovery codes are shown once (ten, grouped), then Security settings again', async () => {
    const p = s.page;
    const f = p.locator('form', { has: p.getByRole('heading', { name: 'Recovery codes' }) });
    await f.getByLabel('Password', { exact: true }).fill(t.PASS_CUST);
    await f.getByLabel('Authenticator code', { exact: true }).fill(await t.totp(s.who));
    await f.getByRole('button', { name: 'Make new recovery codes' }).click();
    await p.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor({ timeout: 8000 });
    const codes = await p.locator('ol.recovery-codes code').allTextContents();
    t.assert(codes.length === 10, `codes shown: ${codes.length}`);
    t.assert(codes.every((c) => /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/.test(c)), `code shape: ${codes[0]}`);
    s.codes = codes;
    await shotBoth(t, p, 'self-recovery-codes');
    await p.getByRole('button', { name: 'I have saved my codes' }).click();
    await openSettings(t, p);
    t.assert(/10 of 10/.test(await p.locator('.codes-left').textContent()), 'count of codes left');
  });

  await t.test('self: the customer changes the password and logs in with the new one', async () => {
    const p = s.page;
    const f = pwForm(p);
    await f.getByLabel('Current password').fill(t.PASS_CUST);
    await f.getByLabel('Authenticator code or recovery code').fill(await t.totp(s.who));
    await f.getByLabel('New password').fill(NEW_PASS);
    await f.getByRole('button', { name: 'Change password' }).click();
    await p.locator('#status', { hasText: 'Your password was changed.' }).waitFor({ timeout: 8000 });
    await shotBoth(t, p, 'self-password-changed');
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    await login(t, p, s.who, NEW_PASS);
  });
}

async function recoveryChecks(t, s) {
  await t.test('self: "Forgot your password?" answers the same for any address and says what to do if all is lost', async () => {
    const p = s.anon;
    await p.goto(`${t.PORTAL}/`);
    await p.getByRole('link', { name: 'Forgot your password?' }).click();
    await p.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'Send the link' }).click();
    await p.locator('.error:not([hidden])').waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'self-forgot-error');
    const texts = [];
    for (const addr of [s.who.email, 'nobody@example.net']) {
      await p.getByLabel('E-mail address').fill(addr);
      await p.getByRole('button', { name: 'Send the link' }).click();
      const done = p.locator('main .notice:not([hidden])');
      await done.waitFor({ timeout: 5000 });
      texts.push(await done.textContent());
    }
    t.assert(texts[0] === texts[1], 'the answers differ');
    t.assert(/contact/i.test(await p.locator('.lost').textContent()), 'no word on contacting support');
    await shotBoth(t, p, 'self-forgot');
  });

  await t.test('self: logging in with a recovery code leads to a new authenticator, then new codes', async () => {
    const p = s.anon;
    await p.goto(`${t.PORTAL}/#/recover`);
    await p.getByLabel('E-mail address').fill(s.who.email);
    await p.getByLabel('Password', { exact: true }).fill(NEW_PASS);
    await p.getByLabel('Recovery code', { exact: true }).fill('ZZZZZ-ZZZZZ');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.locator('.error:not([hidden])').waitFor({ timeout: 8000 });
    await shotBoth(t, p, 'self-recover-error');
    await p.getByLabel('Recovery code', { exact: true }).fill(s.codes[0].toLowerCase());
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }).waitFor({ timeout: 8000 });
    const secret = (await p.locator('code.key').textContent()).replace(/\s+/g, '');
    s.who.totp_secret = secret;
    s.who.lastStep = undefined;
    await p.getByLabel('Code from your authenticator app').fill(await t.totp(s.who));
    await p.getByRole('button', { name: 'Activate authenticator' }).click();
    await p.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor({ timeout: 8000 });
    await p.getByRole('button', { name: 'I have saved my codes' }).click();
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
  });
}

async function solveChecks(t, s) {
  await t.test('self: the customer marks a request solved; the page says a reply opens it again', async () => {
    const p = s.anon;
    await p.goto(`${t.PORTAL}/#/new`);
    await p.getByLabel('Subject').fill('Printer works again');
    await p.getByLabel('Message').fill('It started working after a restart.');
    await p.getByRole('button', { name: 'Send to support' }).click();
    await p.getByRole('heading', { level: 1, name: 'Printer works again' }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'Mark as solved' }).click();
    await p.locator('.solved-hint').waitFor({ timeout: 5000 });
    t.assert(/solved/i.test(await p.locator('main .meta').textContent()), 'status badge not solved');
    await shotBoth(t, p, 'self-ticket-solved');
  });
}

export async function selfChecks(t) {
  const who = { email: 'selma.self@example.org', name: 'Selma Self' };
  Object.assign(who, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', who.email, '--name', who.name,
    '--password-stdin'], t.PASS_CUST + '\n')));
  const a = await t.newPage(undefined, { tag: 'self-a' });
  const b = await t.newPage(undefined, { tag: 'self-b' });
  const s = { who, page: a.page, anon: b.page, codes: [] };
  await login(t, s.page, who, t.PASS_CUST);
  await passwordChecks(t, s);
  await recoveryChecks(t, s);
  await solveChecks(t, s);
  for (const [tag, pg] of [['self-a', a.page], ['self-b', b.page]]) {
    t.problems.push(...(await t.cspViolations(pg)).map((v) => `${tag} CSP: ${v}`));
  }
  await a.ctx.close();
  await b.ctx.close();
}
