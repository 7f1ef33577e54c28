// Gatehouse browser tests, issue 15 part LIVE: live updates. Run by
// run.mjs (liveChecks(t), t its helpers and accounts); not on its own.
//
// The agent has the queue open; a customer (through the API, from their
// own portal session) opens a ticket: it appears in the queue without a
// reload, with the unread dot. The agent opens it; the customer writes
// again: the message appears in the open ticket without a reload. A
// second staff member (the supervisor) opens the same ticket and types
// in the reply composer: the agent sees "Sam Supervisor is replying". The
// customer's own open ticket shows the agent's reply without a reload.
// A queue reload that fails says so; "My tickets" keeps a search shown
// and a query typed through updates, and ignores the customer's own.
// Screens are shot wide and at 390 px.

const NARROW = { width: 390, height: 844 };
const LIV = { email: 'liv.live@example.com', name: 'Liv Live' };
const SUBJECT = 'Live: parcel stuck in customs';
const FIRST = 'My parcel has been in customs for a week.';
const SECOND = 'LIVE-2281: customs now asks for an invoice.';
const REPLY = 'LIVE-7730: we have sent the invoice to customs.';

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

// A JSON call from page p's own session (portal or console).
async function call(p, session, method, path, body) {
  return p.evaluate(async ([sp, m, u, b]) => {
    const s = await (await fetch(sp, { credentials: 'same-origin' })).json();
    const res = await fetch(u, {
      method: m, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  }, [session, method, path, body]);
}

async function queueShowsNewTicket(t, ctx) {
  await t.test('live: a new customer ticket appears in the open queue without a reload, marked unread', async () => {
    const a = t.agentPage;
    await a.goto(`${t.CONSOLE}/#/queue?status=open&assigned=any`);
    await a.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 5000 });
    await a.waitForTimeout(500); // the stream is open
    const res = await call(ctx.cust, '/api/v1/portal/session', 'POST', '/api/v1/portal/tickets', { subject: SUBJECT, body: FIRST });
    t.assert(res.status === 201, `new ticket: ${res.status}`);
    ctx.id = res.json.id;
    const row = a.locator('ul.queue a.ticket-row', { hasText: SUBJECT });
    await row.waitFor({ timeout: 8000 });
    await row.locator('.unread-dot').waitFor({ timeout: 3000 });
    await shotBoth(t, a, 'live-queue-new-ticket');
  });
}

// The queue's reload refused (429, as a busy server answers): the queue
// says so in its alert box; the next reload that works hides it again.
async function queueShowsReloadError(t, ctx) {
  await t.test('live: a queue reload that fails says so on the queue screen; the next one clears it', async () => {
    const a = t.agentPage;
    const list = (u) => u.pathname === '/api/v1/tickets';
    await a.route(list, (r) => r.fulfill({ status: 429, contentType: 'application/json',
      body: JSON.stringify({ error: 'too_many_requests', message: 'Too many requests.', retry_after: 5 }) }));
    const res = await call(ctx.cust, '/api/v1/portal/session', 'POST', `/api/v1/portal/tickets/${ctx.id}/messages`, { body: 'Any news on the customs?' });
    t.assert(res.status === 201, `message: ${res.status}`);
    const err = a.locator('p.error[role="alert"]:not([hidden])', { hasText: 'Too many requests. Try again in 5 seconds.' });
    await err.waitFor({ timeout: 8000 });
    await a.unroute(list);
    const again = await call(ctx.cust, '/api/v1/portal/session', 'POST', `/api/v1/portal/tickets/${ctx.id}/messages`, { body: 'It has been a week now.' });
    t.assert(again.status === 201, `second message: ${again.status}`);
    await err.waitFor({ state: 'hidden', timeout: 8000 });
    await a.locator('ul.queue a.ticket-row', { hasText: SUBJECT }).waitFor({ timeout: 3000 });
  });
}

async function ticketShowsNewMessage(t, ctx) {
  await t.test('live: a new customer message appears in the open ticket without a reload', async () => {
    const a = t.agentPage;
    await a.locator('ul.queue a.ticket-row', { hasText: SUBJECT }).click();
    await a.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await a.waitForTimeout(500);
    const url = a.url();
    const res = await call(ctx.cust, '/api/v1/portal/session', 'POST', `/api/v1/portal/tickets/${ctx.id}/messages`, { body: SECOND });
    t.assert(res.status === 201, `message: ${res.status}`);
    await a.locator('ol.conversation', { hasText: 'LIVE-2281' }).waitFor({ timeout: 8000 });
    t.assert(a.url() === url, 'the page navigated');
  });
}

async function typingShowsForColleague(t, ctx) {
  await t.test('live: "Sam Supervisor is replying" shows to the agent while the supervisor types', async () => {
    const sv = await t.newPage(null, { tag: 'console-live-supervisor' });
    await t.loginConsole(sv.page, t.supervisor);
    await sv.page.goto(`${t.CONSOLE}/#/tickets/${ctx.id}`);
    await sv.page.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await sv.page.locator('#reply-text').click();
    await sv.page.locator('#reply-text').pressSequentially('We are', { delay: 30 });
    const banner = t.agentPage.locator('.typing-banner', { hasText: `${t.supervisor.name} is replying` });
    await banner.waitFor({ state: 'visible', timeout: 8000 });
    const own = sv.page.locator('.typing-banner:visible');
    t.assert((await own.count()) === 0, 'the typist sees their own banner');
    await t.agentPage.locator('#reply-text').scrollIntoViewIfNeeded();
    await shotBoth(t, t.agentPage, 'live-ticket-replying');
    t.problems.push(...(await t.cspViolations(sv.page)).map((v) => `console-live CSP: ${v}`));
    await sv.ctx.close();
  });
}

async function portalShowsReply(t, ctx) {
  await t.test('live: the customer\'s open ticket shows the agent\'s reply without a reload', async () => {
    const c = ctx.cust;
    await c.goto(`${t.PORTAL}/#/tickets/${ctx.id}`);
    await c.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await c.waitForTimeout(500);
    const res = await call(t.agentPage, '/api/v1/staff/session', 'POST', `/api/v1/tickets/${ctx.id}/replies`, { body: REPLY });
    t.assert(res.status === 201, `reply: ${res.status}`);
    await c.locator('ol.conversation', { hasText: 'LIVE-7730' }).waitFor({ timeout: 8000 });
    await shotBoth(t, c, 'live-portal-reply');
    t.problems.push(...(await t.cspViolations(c)).map((v) => `portal-live CSP: ${v}`));
  });
}

// "My tickets" while a search is shown and while a query is typed: an
// update of the customer's ticket leaves the search results and the typed
// words alone; the customer's own message redraws nothing; a status the
// agent changes shows in the list's row, drawn in place (the ticket is
// open again at the end).
async function portalListKeepsSearch(t, ctx) {
  await t.test('live: "My tickets" keeps the search shown and the query typed; the customer\'s own message redraws nothing', async () => {
    const c = ctx.cust;
    const status = async (st) => {
      const r = await call(t.agentPage, '/api/v1/staff/session', 'POST', `/api/v1/tickets/${ctx.id}/status`, { status: st });
      t.assert(r.status === 200, `status ${st}: ${r.status}`);
    };
    await c.goto(`${t.PORTAL}/#/tickets`);
    await c.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    await c.waitForTimeout(500); // the stream is open
    const box = c.getByRole('searchbox', { name: 'Search your tickets' });
    await box.fill('customs');
    await c.getByRole('button', { name: 'Search', exact: true }).click();
    await c.getByText('1 ticket found').waitFor({ timeout: 5000 });
    await status('pending');
    await c.waitForTimeout(1500);
    t.assert(await c.getByText('1 ticket found').isVisible(), 'the search results were replaced');
    t.assert(await box.inputValue() === 'customs', `the query reads "${await box.inputValue()}"`);
    await c.getByRole('button', { name: 'Show all tickets' }).click();
    const row = c.locator('ul.tickets a.ticket-row', { hasText: SUBJECT });
    await row.locator('.badge', { hasText: 'Pending' }).waitFor({ timeout: 5000 });
    await box.fill('invoice');
    let reads = 0;
    const count = (r) => { if (new URL(r.url()).pathname === '/api/v1/portal/tickets' && r.method() === 'GET') reads++; };
    c.on('request', count);
    const own = await call(c, '/api/v1/portal/session', 'POST', `/api/v1/portal/tickets/${ctx.id}/messages`, { body: 'Thank you, I will wait.' });
    t.assert(own.status === 201, `own message: ${own.status}`);
    await c.waitForTimeout(1500);
    t.assert(reads === 0, `the customer's own message redrew the list (${reads} reads)`);
    // (The customer's message reopened the ticket: solve it to see a change.)
    await status('solved');
    await row.locator('.badge', { hasText: 'Solved' }).waitFor({ timeout: 8000 });
    c.off('request', count);
    t.assert(reads >= 1, 'the list was not read again');
    t.assert(await box.inputValue() === 'invoice', `the typed query reads "${await box.inputValue()}"`);
    await status('open');
  });
}

export async function liveChecks(t) {
  Object.assign(LIV, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', LIV.email, '--name', LIV.name,
    '--password-stdin'], t.PASS_CUST + '\n')));
  const s = await t.newPage(null, { tag: 'portal-live' });
  await t.loginPortal(s.page, LIV, await t.totp(LIV));
  await s.page.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
  const ctx = { cust: s.page, id: 0 };
  await queueShowsNewTicket(t, ctx);
  if (ctx.id) await queueShowsReloadError(t, ctx);
  await ticketShowsNewMessage(t, ctx);
  await typingShowsForColleague(t, ctx);
  await portalShowsReply(t, ctx);
  if (ctx.id) await portalListKeepsSearch(t, ctx);
  await s.ctx.close();
}
