// Gatehouse browser tests, issue 15 part SEARCH: search in the console
// and the portal, and the saved views with their counts. Run by run.mjs
// (searchChecks(t), t its helpers and accounts, as for listChecks); not
// on its own.
//
// A customer writes a ticket through the portal whose text has a word
// with diacritics ("Zürich"). The agent searches "zurich" on the
// console's Search screen: the ticket is found, the snippet shows the
// word marked (a <mark> element built from the server's marks, never
// HTML from the server), the views sidebar shows the built-in views with
// counts, and the search saved as a view appears there with its count.
// The customer finds the same ticket from "My tickets" with the word
// marked. Screens are shot wide and at 390 px.
const MARTA = { email: 'marta.search@example.com', name: 'Marta Search' };
const NARROW = { width: 390, height: 844 };

async function shotBoth(t, p, name) {
  await t.shot(p, name);
  const size = p.viewportSize();
  await p.setViewportSize(NARROW);
  await t.shot(p, `${name}-narrow`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  t.assert(wide <= NARROW.width + 1, `${name}: the page is ${wide} px wide at 390 px`);
  await p.setViewportSize(size);
}

// Marta's ticket, through the portal's API from her signed-in page.
async function writeTicket(t, p) {
  const res = await p.evaluate(async () => {
    const s = await (await fetch('/api/v1/portal/session', { credentials: 'same-origin' })).json();
    const r = await fetch('/api/v1/portal/tickets', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify({ subject: 'Parcel stuck in Zürich', body: 'My parcel has been waiting at the Zürich depot for a week. Can you help?' }),
    });
    return { status: r.status, body: await r.json() };
  });
  t.assert(res.status === 201, `new ticket: ${res.status}`);
  return res.body.id;
}

async function portalCheck(t) {
  let id = 0;
  await t.test('search: the customer finds their ticket from "My tickets", the word marked', async () => {
    Object.assign(MARTA, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', MARTA.email, '--name', MARTA.name,
      '--password-stdin'], t.PASS_CUST + '\n')));
    const s = await t.newPage(null, { portal: true, tag: 'portal-search' });
    const p = s.page;
    await t.loginPortal(p, MARTA, await t.totp(MARTA));
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    id = await writeTicket(t, p);
    await p.reload();
    await p.getByRole('searchbox', { name: 'Search your tickets' }).fill('zurich depot');
    await p.getByRole('button', { name: 'Search' }).click();
    await p.getByText('1 ticket found').waitFor({ timeout: 5000 });
    const marks = await p.locator('.snippet mark').allTextContents();
    t.assert(marks.includes('Zürich'), `portal marks: ${marks.join('|')}`);
    t.assert(await p.locator(`a[href="#/tickets/${id}"]`).count() === 1, 'portal: the ticket is linked');
    await shotBoth(t, p, 'portal-search');
    await p.getByRole('button', { name: 'Show all tickets' }).click();
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    t.problems.push(...(await t.cspViolations(p)).map((v) => `portal-search CSP: ${v}`));
    await s.ctx.close();
  });
  return id;
}

async function consoleCheck(t, id) {
  await t.test('search: the console finds "zurich", marks the snippet, and the views sidebar counts', async () => {
    const p = t.agentPage;
    await p.goto(`${t.CONSOLE}/#/search`);
    await p.getByRole('heading', { level: 1, name: 'Search' }).waitFor({ timeout: 5000 });
    await p.getByRole('searchbox', { name: 'Search tickets' }).fill('zurich');
    await p.getByRole('button', { name: 'Search', exact: true }).click();
    const row = p.locator(`ul.queue a[href="#/tickets/${id}"]`);
    await row.waitFor({ timeout: 5000 });
    const marks = await row.locator('.snippet mark').allTextContents();
    t.assert(marks.includes('Zürich'), `console marks: ${marks.join('|')}`);
    // The server's text is text: no element came from it but <mark>.
    const tags = await row.locator('.snippet *').evaluateAll((els) => els.map((e) => e.tagName));
    t.assert(tags.every((x) => x === 'MARK' || x === 'SPAN'), `snippet elements: ${tags.join(',')}`);
    t.assert(p.url().includes('q=zurich'), `the search is in the URL: ${p.url()}`);
    const side = p.locator('aside.views-side');
    await side.locator('.view-link', { hasText: 'Unassigned in my queues' }).waitFor({ timeout: 5000 });
    for (const name of ['My open', 'Unassigned in my queues', 'Due within 1 h', 'Breached']) {
      const count = await side.locator('.view-link', { hasText: name }).locator('.view-count').textContent();
      t.assert(/^[0-9]+$/.test(count.trim()), `view ${name}: count "${count}"`);
    }
    await shotBoth(t, p, 'console-search');
    await side.getByRole('textbox', { name: 'Save this search as', exact: true }).fill('Zurich parcels');
    await side.getByRole('button', { name: 'Save view' }).click();
    const mine = side.locator('.view-link', { hasText: 'Zurich parcels' });
    await mine.waitFor({ timeout: 5000 });
    await p.waitForFunction(() => {
      const a = [...document.querySelectorAll('.view-link')].find((x) => x.textContent.includes('Zurich parcels'));
      return a && a.querySelector('.view-count').textContent === '1';
    }, null, { timeout: 5000 });
    t.assert(await mine.getAttribute('aria-current') === 'page', 'the saved view is the one shown');
    await shotBoth(t, p, 'console-search-view-saved');
    p.once('dialog', (d) => d.accept());
    await side.getByRole('button', { name: 'Delete the view Zurich parcels' }).click();
    await side.locator('.view-link', { hasText: 'Zurich parcels' }).waitFor({ state: 'detached', timeout: 5000 });
    // A search by a customer's e-mail address cannot be saved: the
    // sidebar says why instead of offering the form.
    await p.goto(`${t.CONSOLE}/#/search?q=zurich&customer_email=${encodeURIComponent('nobody@example.com')}`);
    await side.locator('.view-save-note', { hasText: 'never keeps a customer\'s e-mail address' }).waitFor({ timeout: 5000 });
    t.assert(await side.getByRole('textbox', { name: 'Save this search as', exact: true }).count() === 0,
      'the save form is offered for a search by e-mail address');
    // The filter in force is shown in the form, not hidden in the URL.
    const email = p.getByLabel('Customer e-mail (whole address)');
    t.assert(await email.inputValue() === 'nobody@example.com', `e-mail field: "${await email.inputValue()}"`);
    t.assert(await p.locator(`ul.queue a[href="#/tickets/${id}"]`).count() === 0, 'another customer\'s address found Marta\'s ticket');
    await shotBoth(t, p, 'console-search-email-no-save');
    // The customer's whole address finds her ticket; emptying the field
    // drops the filter.
    await email.fill(MARTA.email);
    await p.getByRole('button', { name: 'Search', exact: true }).click();
    await p.locator(`ul.queue a[href="#/tickets/${id}"]`).waitFor({ timeout: 5000 });
    t.assert((await p.evaluate(() => location.hash)).includes(`customer_email=${encodeURIComponent(MARTA.email)}`), 'the address is not in the URL');
    await shotBoth(t, p, 'console-search-email');
    await p.getByLabel('Customer e-mail (whole address)').fill('');
    await p.getByRole('button', { name: 'Search', exact: true }).click();
    await p.waitForFunction(() => !location.hash.includes('customer_email'), null, { timeout: 5000 });
  });
}

export async function searchChecks(t) {
  const id = await portalCheck(t);
  if (id) await consoleCheck(t, id);
}
