// Gatehouse browser tests, issue 15 part MACROS: canned replies. Run by
// run.mjs (macroChecks(t), t its helpers and accounts, as for
// defectUiChecks); not on its own.
//
// The agent creates a personal macro on the Macros screen (a placeholder
// outside the list and a card number are refused there with the reason),
// opens a customer's ticket, opens the picker from the keyboard
// (Ctrl+Shift+M in the reply), filters, chooses with the arrow keys and
// Enter, sees the expanded text in the composer, edits it and sends; the
// macro's status action follows the sent reply. Typing "/" in the empty
// reply opens the picker too; Escape closes it and types the "/".
// Screens are shot wide and at 390 px.

const MIA = { email: 'mia.macros@example.com', name: 'Mia Macros' };
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

// Creates a ticket through the portal form; returns its id.
async function newTicket(p, t, subject, body) {
  await p.goto(`${t.PORTAL}/#/new`);
  await p.getByLabel('Subject').fill(subject);
  await p.getByLabel('Message').fill(body);
  await p.getByRole('button', { name: 'Send to support' }).click();
  await p.getByRole('heading', { level: 1, name: subject }).waitFor({ timeout: 5000 });
  return (await p.evaluate(() => location.hash)).match(/tickets\/(\d+)/)[1];
}

// Fills the Macros screen's form and submits it.
async function submitMacro(p, name, text, status) {
  const form = p.locator('form.macro-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Text — sent to customers when used').fill(text);
  if (status) await form.getByLabel('Set status').selectOption(status);
  await form.getByRole('button', { name: 'Create macro' }).click();
}

async function screenCheck(t, p) {
  await t.test('macros: the Macros screen refuses a placeholder outside the list and a card number, then creates a macro', async () => {
    const before = t.problems.length;
    await p.goto(`${t.CONSOLE}/#/macros`);
    await p.getByRole('heading', { level: 1, name: 'Macros' }).waitFor({ timeout: 5000 });
    await submitMacro(p, 'Bad placeholder', 'Dear {{customer.email}}');
    await p.locator('#macro-error', { hasText: '{{customer.email}} is not an allowed placeholder' }).waitFor({ timeout: 5000 });
    await submitMacro(p, 'Card', 'Pay with 4111 1111 1111 1111 today.');
    await p.locator('#macro-error', { hasText: 'payment card number' }).waitFor({ timeout: 5000 });
    await shotBoth(t, p, 'console-macros-refused');
    // The browser logs the two expected refusals (400 and 422).
    const mine = t.problems.splice(before).filter((m) => !/status of (400|422)/.test(m));
    t.problems.push(...mine);
    await submitMacro(p, 'Parcel on its way', 'Hello {{customer.first_name}}, your parcel left today (ticket {{ticket.id}}). {{agent.first_name}}, {{company.name}}', 'pending');
    const item = p.locator('.macro-item', { hasText: 'Parcel on its way' });
    await item.waitFor({ timeout: 5000 });
    t.assert(/status pending/.test(await item.innerText()), 'the macro does not show its status action');
    await shotBoth(t, p, 'console-macros-screen');
  });
}

async function pickerCheck(t, p, id) {
  await t.test('macros: Ctrl+Shift+M opens the picker, arrows + Enter insert the expanded macro, the reply is sent and its status follows', async () => {
    await p.goto(`${t.CONSOLE}/#/tickets/${id}`);
    await p.getByRole('heading', { level: 1, name: 'Parcel 8810' }).waitFor({ timeout: 5000 });
    const reply = p.locator('#reply-text');
    await reply.focus();
    // "/" in the empty reply opens it; Escape closes it and types the "/".
    await p.keyboard.press('/');
    const filter = p.getByRole('combobox', { name: /Find a macro/ });
    await filter.waitFor({ timeout: 5000 });
    t.assert(await filter.evaluate((el) => el === document.activeElement), 'the filter does not have the focus');
    await p.keyboard.press('Escape');
    t.assert(!(await filter.isVisible()), 'Escape did not close the picker');
    t.assert((await reply.inputValue()) === '/', `after Escape the reply is "${await reply.inputValue()}"`);
    t.assert(await reply.evaluate((el) => el === document.activeElement), 'the focus did not return to the reply');
    await reply.fill('');
    await p.keyboard.press('Control+Shift+M');
    await filter.waitFor({ timeout: 5000 });
    await p.getByRole('option', { name: /Parcel on its way/ }).waitFor({ timeout: 5000 });
    await p.keyboard.type('parcel');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowUp');
    const active = await p.locator('.macro-options li[aria-selected="true"]').innerText();
    t.assert(/Parcel on its way/.test(active), `active option: ${active}`);
    await shotBoth(t, p, 'console-macro-picker');
    await p.keyboard.press('Enter');
    const want = `Hello Mia, your parcel left today (ticket ${id}). Ann, Gatehouse`;
    await p.waitForFunction((w) => document.getElementById('reply-text').value === w, want, { timeout: 5000 });
    t.assert(await reply.evaluate((el) => el === document.activeElement), 'the focus is not back in the reply');
    await p.locator('.macro-pending', { hasText: 'status pending' }).waitFor({ timeout: 5000 });
    await p.keyboard.type(' See you soon.');
    await shotBoth(t, p, 'console-macro-inserted');
    await p.locator('section.panel.external').getByRole('button', { name: 'Send reply to customer' }).click();
    await p.locator('section.panel.external .msg .body', { hasText: `${want} See you soon.` }).waitFor({ timeout: 5000 });
    const st = await p.evaluate(async (tid) => (await (await fetch(`/api/v1/tickets/${tid}`)).json()).status, id);
    t.assert(st === 'pending', `the ticket's status after the macro's reply: ${st}`);
  });
}

export async function macroChecks(t) {
  Object.assign(MIA, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', MIA.email, '--name', MIA.name,
    '--password-stdin'], t.PASS_CUST + '\n')));
  const s = await t.newPage(null, { portal: true, tag: 'portal-macros' });
  await t.loginPortal(s.page, MIA, await t.totp(MIA));
  await s.page.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
  const id = await newTicket(s.page, t, 'Parcel 8810', 'Has my parcel 8810 left yet?');
  await s.ctx.close();
  await screenCheck(t, t.agentPage);
  await pickerCheck(t, t.agentPage, id);
  t.problems.push(...(await t.cspViolations(t.agentPage)).map((v) => `console-macros CSP: ${v}`));
}
