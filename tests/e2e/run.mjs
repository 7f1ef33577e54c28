#!/usr/bin/env node
// Gatehouse browser tests: Playwright (playwright-core) driving Debian's
// Chromium against a server instance of its own.
//
//   cd tests/e2e && npm ci && GH_BIN=../../build/gatehouse node run.mjs
//
// Env: GH_BIN (server binary; default build-san/gatehouse under the repo
// root), CHROMIUM (default /usr/bin/chromium), E2E_KEEP=1 keeps the
// server's temp dir, E2E_HEADED=1 shows the browser.
// Prints one line per check and a final "N passed, N failed"; exits 1 on
// any failure. Screenshots go to tests/e2e/output/*.png.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { disclosureChecks } from './disclosure.mjs';
import { trainingChecks } from './training.mjs';
import { hygieneChecks } from './hygiene.mjs';
import { drillChecks } from './drills.mjs';
import { customerChecks } from './customers.mjs';
import { listChecks } from './lists.mjs';
import { searchChecks } from './search.mjs';
import { defectUiChecks } from './defects_ui.mjs';
import { webDocChecks } from './webdoc.mjs';
import { superChecks } from './super.mjs';
import { macroChecks } from './macros.mjs';
import { slaChecks } from './sla.mjs';
import { selfChecks } from './self.mjs';
import { liveChecks } from './live.mjs';
import { passkeyChecks, consoleLogin, passkeyGateChecks } from './passkeys.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const bin = path.resolve(root, process.env.GH_BIN || 'build-san/gatehouse');
// GH_E2E_ONLY=super,sla runs the common checks and only these modules
// (while developing one; make check runs them all).
const ONLY = (process.env.GH_E2E_ONLY || '').split(',').filter(Boolean);
const only = (name) => !ONLY.length || ONLY.includes(name);
const out = path.join(here, 'output');
fs.mkdirSync(out, { recursive: true });

// ------------------------------------------------------------ helpers

const results = [];
let current = '';
async function test(name, fn) {
  current = name;
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false, e });
    console.log(`FAIL - ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg || 'assertion failed');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function cli(args, stdin) {
  const r = spawnSync(bin, args, { input: stdin, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gatehouse ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s). A code (time step) is accepted
// only once per account, so each account remembers its last step and the
// next login uses a later one (the server accepts +-1 step).
function base32(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let val = 0;
  const bytes = [];
  for (const ch of s.replace(/[=\s]/g, '').toUpperCase()) {
    const i = alpha.indexOf(ch);
    if (i < 0) throw new Error('bad base32');
    val = (val << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bytes.push((val >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

function hotp(key, counter) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(n % 1e6).padStart(6, '0');
}

async function totp(acct) {
  const key = base32(acct.totp_secret);
  const now = () => Math.floor(Date.now() / 1000 / 30);
  let step = now();
  if (acct.lastStep !== undefined && step <= acct.lastStep) step = acct.lastStep + 1;
  while (step > now() + 1) await sleep(500);
  acct.lastStep = step;
  return hotp(key, step);
}

// ------------------------------------------------------------ server

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-'));
const dir = path.join(tmp, 'var');
let server = null;
let serverLog = '';
let PORTAL = '';
let CONSOLE = '';

// A revealed personal value is hidden again after this many seconds: the
// smallest [disclosure] reveal_hide_seconds allows, so the run sees it.
const HIDE_SECONDS = 10;

// Sets [disclosure] reveal_hide_seconds and [quotas]
// staff_messages_per_minute in the configuration init wrote.
function configure() {
  const conf = path.join(dir, 'gatehouse.conf');
  let text = fs.readFileSync(conf, 'utf8');
  const line = `reveal_hide_seconds = ${HIDE_SECONDS}`;
  if (/^[;#\s]*reveal_hide_seconds\s*[=:].*$/m.test(text)) text = text.replace(/^[;#\s]*reveal_hide_seconds\s*[=:].*$/m, line);
  else text += `\n[disclosure]\n${line}\n`;
  // The held-reply test adds 129 notes in seconds: above the staff quota.
  text += '\n[quotas]\nstaff_messages_per_minute = 1000\n';
  fs.writeFileSync(conf, text);
}

async function startServer() {
  assert(fs.existsSync(bin), `server binary not found: ${bin} (set GH_BIN)`);
  cli(['init', '--dir', dir]);
  configure();
  const pub = await freePort();
  const staff = await freePort();
  const manage = await freePort(); // never the default 9180 another instance may hold
  PORTAL = `https://localhost:${pub}`;
  CONSOLE = `https://localhost:${staff}`;
  server = spawn(bin, ['serve', '--dir', dir, '--listen', `127.0.0.1:${pub}`, '--staff-listen', `127.0.0.1:${staff}`,
    '--manage-listen', `127.0.0.1:${manage}`],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (c) => { serverLog = (serverLog + c).slice(-20000); };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  server.on('exit', (code, sig) => { if (server) keep(`\n[server exited ${code} ${sig}]\n`); });
  for (let i = 0; i < 100; i++) {
    try {
      await get(`${PORTAL}/`);
      await get(`${CONSOLE}/`);
      return;
    } catch (e) {
      await sleep(100);
    }
  }
  throw new Error('server did not start: ' + serverLog);
}

function stopServer() {
  if (!server) return;
  const s = server;
  server = null;
  s.kill('SIGTERM');
}

// ------------------------------------------------------------ accounts

const PASS_AGENT = 'tangerine-Orbit-desk-47';
const PASS_CUST = 'marmalade Tuesday kite 3';
const agent = { email: 'ann.agent@example.com', name: 'Ann Agent' };
const customer = { email: 'cat.customer@example.com', name: 'Cat Customer' };
const enrollee = { email: 'eve.enrol@example.com', name: 'Eve Enrol' };

// The note carries a marker that must never reach the portal.
const NOTE_MARKER = 'ZX-INTERNAL-4417';
const NOTE_TEXT = `${NOTE_MARKER} Caller on the phone claimed to be the account holder but could not confirm the order number, treat any reset request as suspicious`;
const COPIED = 'the account holder but could not confirm the order number, treat any reset request';
const HOSTILE = 'My order never arrived. <img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script> <b>bold?</b>';
const REPLY_TEXT = 'Hello Cat, thank you for writing. We have found your order and a replacement is on its way.';
const SUBJECT = 'Order #5512 has not arrived';

// ------------------------------------------------------------ browser

const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let browser = null;
const problems = []; // CSP violations, page errors, console errors
const portalBodies = []; // every response body the portal page received

async function newPage(viewport, opts = {}) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: viewport || { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const tag = opts.tag || 'page';
  // Runs before the page's scripts; CSP does not apply to it.
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to/i.test(t)) problems.push(`${tag} CSP console: ${t}`);
    else if (m.type() === 'error' && !/status of 40[139]|status of 42[239]/.test(t)) {
      problems.push(`${tag} console error: ${t}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`${tag} page error: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.hostname !== 'localhost') problems.push(`${tag} third-party request: ${r.url()}`);
  });
  if (opts.portal) {
    page.on('response', async (r) => {
      try { portalBodies.push({ url: r.url(), body: await r.text() }); } catch (e) { /* redirects, aborted */ }
    });
  }
  return { ctx, page };
}

async function cspViolations(page) {
  return page.evaluate(() => window.__csp || []);
}

// Every input, textarea and select on the page has an accessible name from
// label[for], aria-label or aria-labelledby (WCAG 1.3.1, 4.1.2). Returns the
// unlabelled ones as short descriptions.
async function unlabelled(page) {
  return page.evaluate(() => {
    const bad = [];
    const text = (el) => (el ? (el.textContent || '').trim() : '');
    for (const el of document.querySelectorAll('input, textarea, select')) {
      if (el.type === 'hidden') continue;
      const byFor = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
      const aria = (el.getAttribute('aria-label') || '').trim();
      const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
      const byIds = ids.map((i) => text(document.getElementById(i))).join(' ').trim();
      if (!text(byFor) && !aria && !byIds) {
        bad.push(`<${el.tagName.toLowerCase()} name="${el.name || ''}" id="${el.id || ''}">`);
      }
    }
    return bad;
  });
}

const labelChecks = { states: 0 };
async function checkLabels(page, where) {
  const bad = await unlabelled(page);
  labelChecks.states++;
  assert(bad.length === 0, `${where}: form controls without an accessible label: ${bad.join(', ')}`);
}

// A screenshot of a page state; every state shot is also checked for
// unlabelled form controls. fullPage false keeps to the window (a ticket
// with megabytes of notes is far too tall for one image).
async function shot(page, name, { fullPage = true } = {}) {
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage });
  await checkLabels(page, name);
}

// Presses key until the focused element satisfies pred (evaluated in the
// page with the element); fails after max presses. Keyboard only.
async function tabTo(page, pred, arg, { key = 'Tab', max = 80, what = 'element' } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await page.evaluate(pred, arg)) return i + 1;
  }
  const at = await page.evaluate(() => {
    const el = document.activeElement;
    return el ? `<${el.tagName.toLowerCase()} id="${el.id}"> ${(el.textContent || '').slice(0, 40)}` : 'nothing';
  });
  throw new Error(`${key} x${max} did not reach ${what}; focus is on ${at}`);
}

async function portalHasNoNote(page) {
  const html = await page.content();
  assert(!html.includes(NOTE_MARKER), 'the internal note marker appears in a portal page');
  assert(!html.includes(COPIED), 'internal note text appears in a portal page');
}

async function loginPortal(page, who, code) {
  await page.goto(`${PORTAL}/`);
  await page.getByLabel('E-mail address').fill(who.email);
  await page.getByLabel('Password').fill(PASS_CUST);
  await page.getByLabel('Authenticator code').fill(code);
  await page.getByRole('button', { name: 'Log in' }).click();
}

// Supervisors and admins sign in with a passkey (issue 17): the first
// login registers one in the page's virtual authenticator (passkeys.mjs).
async function loginConsole(page, who = agent) {
  await consoleLogin({ CONSOLE, totp, assert }, page, who, PASS_AGENT);
}

// ------------------------------------------------------------ held replies

// A reply on a ticket whose internal notes are past the note-copy index's
// limit (4,194,304 words) cannot be checked against them: it is held for
// a supervisor's review. Each text carries a marker the portal must not
// show until (and unless) the reply is released.
const HELD_SUBJECT = 'Refund for order #6620';
const HELD_A = 'Hello Cat, HELD-A-3391: your refund for order 6620 is approved and reaches your account within five working days.';
const HELD_B = 'Hello Cat, HELD-B-5524: one more thing about the refund, please wait for our next message.';
const HELD_C = 'Hello Cat, HELD-C-8807: a supervisor here, following up on your refund.';
const supervisor = { email: 'sam.super@example.com', name: 'Sam Supervisor' };

// Adds 129 notes of 32,768 one-letter words (65,536 bytes, the most a
// note may hold) to ticket id through the API, as the signed-in staff
// member of page: 4,227,072 words, past the limit.
async function addNotesOverLimit(page, id) {
  const statuses = await page.evaluate(async (tid) => {
    const s = await (await fetch('/api/v1/staff/session', { credentials: 'same-origin' })).json();
    const init = {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify({ body: 'w '.repeat(32768) }),
    };
    const all = [];
    for (let i = 0; i < 129; i += 4) {
      const batch = Array.from({ length: Math.min(4, 129 - i) }, () => fetch(`/api/v1/tickets/${tid}/notes`, init).then((r) => r.status));
      all.push(...await Promise.all(batch));
    }
    return all;
  }, id);
  const bad = statuses.filter((st) => st !== 201);
  assert(statuses.length === 129 && bad.length === 0, `notes not all created: ${bad.length} failed (${bad.slice(0, 3)})`);
}

// POST .../held/{hid}/{verb} from the page, as its signed-in staff member.
async function decideByApi(page, id, hid, verb, reason) {
  return page.evaluate(async ([tid, h, v, why]) => {
    const s = await (await fetch('/api/v1/staff/session', { credentials: 'same-origin' })).json();
    const r = await fetch(`/api/v1/tickets/${tid}/held/${h}/${v}`, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify({ reason: why }),
    });
    return r.status;
  }, [id, hid, verb, reason]);
}

// The held reply holding text in page's conversation panel.
function heldLocator(page, text) {
  return page.locator('section.panel.external li.held', { hasText: text });
}

// Sends text through page's reply composer and waits until it shows held.
async function sendHeldReply(page, text) {
  const external = page.locator('section.panel.external');
  await external.getByLabel('Reply — the customer will see this').fill(text);
  await external.getByRole('button', { name: 'Send reply to customer' }).click();
  await page.locator('#reply-held').waitFor({ state: 'visible', timeout: 15000 });
  await heldLocator(page, text).waitFor({ timeout: 15000 });
}

async function heldReplyChecks(cust, staff) {
  let id = null;
  await test('held: a reply on a ticket whose notes pass the limit is held, not sent, and says why', async () => {
    const pc = cust.page;
    await pc.goto(`${PORTAL}/#/tickets`);
    await pc.getByRole('link', { name: 'New ticket' }).first().click();
    await pc.getByLabel('Subject').fill(HELD_SUBJECT);
    await pc.getByLabel('Message').fill('Where is my refund for order 6620?');
    await pc.getByRole('button', { name: 'Send to support' }).click();
    await pc.getByRole('heading', { level: 1, name: HELD_SUBJECT }).waitFor({ timeout: 5000 });
    id = (await pc.evaluate(() => location.hash)).match(/tickets\/(\d+)/)[1];

    const p = staff.page;
    await p.goto(`${CONSOLE}/#/tickets/${id}`);
    await p.getByRole('heading', { level: 1, name: HELD_SUBJECT }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'Assign to me' }).click();
    await p.locator('.facts dd', { hasText: agent.name }).waitFor({ timeout: 5000 });
    const t0 = Date.now();
    await addNotesOverLimit(p, id);
    console.log(`     (129 notes of 64 KiB in ${Date.now() - t0} ms)`);
    await p.reload();
    await p.getByRole('heading', { level: 1, name: HELD_SUBJECT }).waitFor({ timeout: 15000 });
    await p.locator('section.panel.internal .note').first().waitFor({ timeout: 15000 });

    await sendHeldReply(p, HELD_A);
    const notice = p.locator('#reply-held');
    const said = await notice.textContent();
    assert(/Reply not sent — held for a supervisor’s review/.test(said), `held notice: ${said}`);
    assert(/internal notes are too large to check this reply/.test(said), `the server's notice is missing: ${said}`);
    assert(/Next step: Ask a supervisor to review it/.test(said), `no next step: ${said}`);
    assert((await p.locator('#reply-text').inputValue()) === '', 'the draft was not cleared after the reply was held');
    assert((await p.locator('#reply-block').isHidden()), 'the held reply is shown as blocked');
    const item = heldLocator(p, HELD_A);
    assert((await item.locator('.badge').textContent()) === 'Held for review — not sent', 'held label');
    assert(/too long to check this reply/.test(await item.locator('.held-why').textContent()), 'why it was held');
    assert((await p.locator('section.panel.external .msg', { hasText: 'HELD-A-3391' }).count()) === 0, 'the held reply looks like a sent message');
    assert((await item.getByRole('button').count()) === 0, 'the author (an agent) is offered a decision');
    assert(/1 reply on this ticket is held/.test(await p.locator('.held-summary').textContent()), 'summary line');
    await item.scrollIntoViewIfNeeded();
    await shot(p, 'console-reply-held', { fullPage: false });
    await sendHeldReply(p, HELD_B);
    assert(/2 replies on this ticket are held/.test(await p.locator('.held-summary').textContent()), 'summary line (2)');
  });
  if (!id) return;

  await test('held: the customer’s portal never shows a held reply', async () => {
    const pc = cust.page;
    await pc.goto(`${PORTAL}/#/tickets/${id}`);
    await pc.reload();
    await pc.getByRole('heading', { level: 1, name: HELD_SUBJECT }).waitFor({ timeout: 5000 });
    await pc.locator('.msg.from-customer').first().waitFor({ timeout: 5000 });
    const html = await pc.content();
    assert(!html.includes('HELD-A-3391') && !html.includes('HELD-B-5524'), 'a held reply is in the portal page');
    assert((await pc.locator('.msg.from-agent').count()) === 0, 'the portal shows a reply from support');
    for (const r of portalBodies) assert(!r.body.includes('HELD-A-3391'), `held reply in portal response ${r.url}`);
  });

  await test('held: a supervisor releases one with a reason (too short refused), a decided one is 409 in plain words', async () => {
    Object.assign(supervisor, JSON.parse(cli(['staff', 'add', '--dir', dir, '--email', supervisor.email, '--name', supervisor.name, '--role', 'supervisor', '--password-stdin'], PASS_AGENT + '\n')));
    cli(['training', 'complete', '--dir', dir, '--email', supervisor.email, '--all']); // the training gate (issue 11)
    const sv = await newPage(null, { tag: 'console-supervisor' });
    const p = sv.page;
    await loginConsole(p, supervisor);
    await p.goto(`${CONSOLE}/#/tickets/${id}`);
    await p.getByRole('heading', { level: 1, name: HELD_SUBJECT }).waitFor({ timeout: 15000 });
    // The supervisor's own held reply: no decision for its author.
    await sendHeldReply(p, HELD_C);
    assert(/you cannot release your own reply/.test(await p.locator('#reply-held').textContent()), 'next step for a supervisor author');
    const own = heldLocator(p, HELD_C);
    assert((await own.getByRole('button').count()) === 0, 'the author is offered "Release…" on their own reply');
    assert(/You wrote it/.test(await own.locator('.held-state').textContent()), 'own reply not explained');
    const a = heldLocator(p, HELD_A);
    const b = heldLocator(p, HELD_B);
    assert((await a.getByRole('button', { name: 'Discard…' }).count()) === 1, 'no "Discard…" for the supervisor');

    // Release, keyboard only: Enter on "Release…" opens the form with the
    // focus in the reason; a reason of 2 characters is refused in the form.
    const open = a.getByRole('button', { name: 'Release…' });
    await open.focus();
    await p.keyboard.press('Enter');
    assert((await open.getAttribute('aria-expanded')) === 'true', 'Release… does not say it is expanded');
    const reasonId = await p.evaluate(() => document.activeElement.id);
    assert(/^held-\d+-release-reason$/.test(reasonId), `focus after Release…: ${reasonId}`);
    await p.keyboard.type('ok');
    await p.keyboard.press('Enter');
    await a.locator('.error:not([hidden])', { hasText: 'at least 3 characters' }).waitFor({ timeout: 5000 });
    assert((await p.evaluate(() => document.activeElement.id)) === reasonId, 'focus left the reason after the refusal');
    await a.scrollIntoViewIfNeeded();
    await shot(p, 'console-held-release', { fullPage: false });
    await p.keyboard.press('Control+A');
    await p.keyboard.type('Checked the refund amount with finance; safe to send.');
    await p.keyboard.press('Enter');
    await a.locator('.held-state', { hasText: `Released by ${supervisor.name}` }).waitFor({ timeout: 15000 });
    assert(/Checked the refund amount/.test(await a.locator('.held-decision').textContent()), 'release reason not shown');
    const focusA = await p.evaluate(() => document.activeElement.id);
    assert(focusA === reasonId.replace('-release-reason', ''), `focus after the release: ${focusA}`);
    await p.locator('section.panel.external .msg.from-agent .body', { hasText: 'HELD-A-3391' }).waitFor({ timeout: 5000 });

    // B is discarded meanwhile (here through the API): the stale
    // "Discard…" gets 409 and says so in plain words.
    const hidB = (await b.locator('article').getAttribute('id')).replace('held-', '');
    assert((await decideByApi(p, id, hidB, 'discard', 'Superseded by the released reply.')) === 200, 'API discard failed');
    await b.getByRole('button', { name: 'Discard…' }).click();
    await b.getByLabel('Reason for discarding this reply').fill('Not needed any more.');
    await b.getByRole('button', { name: 'Discard reply' }).click();
    const err = b.locator('.error[role="alert"]:not([hidden])', { hasText: 'already released or discarded by someone else' });
    await err.waitFor({ timeout: 15000 });
    await b.locator('.held-state', { hasText: `Discarded by ${supervisor.name}` }).waitFor({ timeout: 15000 });
    const focusB = await p.evaluate(() => document.activeElement.id);
    assert(focusB === `held-${hidB}`, `focus after the 409: ${focusB}`);
    assert(/Superseded by the released reply/.test(await b.locator('.held-decision').textContent()), 'discard reason not shown');
    assert((await b.getByRole('button').count()) === 0, 'a decided reply still offers a decision');
    await b.scrollIntoViewIfNeeded();
    await shot(p, 'console-held-decided', { fullPage: false });
    problems.push(...(await cspViolations(p)).map((v) => `console-supervisor CSP: ${v}`));
    await sv.ctx.close();
  });

  await test('held: the customer sees the released reply, never the discarded or held ones', async () => {
    const pc = cust.page;
    await pc.reload();
    await pc.getByRole('heading', { level: 1, name: HELD_SUBJECT }).waitFor({ timeout: 5000 });
    await pc.locator('.msg.from-agent .body', { hasText: 'HELD-A-3391' }).waitFor({ timeout: 5000 });
    const html = await pc.content();
    assert(!html.includes('HELD-B-5524') && !html.includes('HELD-C-8807'), 'a discarded or held reply is in the portal');
    await shot(pc, 'portal-held-released');
  });

  await test('held: the author sees the decisions and no "Release…"', async () => {
    const p = staff.page;
    await p.reload();
    await p.getByRole('heading', { level: 1, name: HELD_SUBJECT }).waitFor({ timeout: 15000 });
    const a = heldLocator(p, HELD_A);
    await a.locator('.held-state', { hasText: `Released by ${supervisor.name}` }).waitFor({ timeout: 15000 });
    assert((await a.locator('.badge').textContent()) === 'Held, then released — sent', 'released label');
    assert((await heldLocator(p, HELD_B).locator('.badge').textContent()) === 'Held, then discarded — not sent', 'discarded label');
    assert((await p.locator('section.panel.external li.held').getByRole('button').count()) === 0, 'an agent is offered a decision');
    assert(/1 reply on this ticket is held/.test(await p.locator('.held-summary').textContent()), 'summary after the decisions');
  });
}

// ------------------------------------------------------------ run

function passkeyHelpers() {
  return {
    test, assert, shot, newPage, totp, cli, dir, PORTAL, CONSOLE, PASS_AGENT, PASS_CUST,
    loginPortal, problems, cspViolations,
  };
}

async function main() {
  await test('server starts and accounts are created', async () => {
    await startServer();
    Object.assign(agent, JSON.parse(cli(['staff', 'add', '--dir', dir, '--email', agent.email, '--name', agent.name, '--role', 'agent', '--password-stdin'], PASS_AGENT + '\n')));
    cli(['training', 'complete', '--dir', dir, '--email', agent.email, '--all']); // the training gate (issue 11)
    Object.assign(customer, JSON.parse(cli(['customer', 'add', '--dir', dir, '--email', customer.email, '--name', customer.name, '--password-stdin'], PASS_CUST + '\n')));
    assert(agent.totp_secret && customer.totp_secret, 'totp_secret missing from the CLI output');
    try {
      Object.assign(enrollee, JSON.parse(cli(['customer', 'add', '--dir', dir, '--email', enrollee.email, '--name', enrollee.name, '--enroll-in-portal', '--password-stdin'], PASS_CUST + '\n')));
      enrollee.ok = true;
    } catch (e) {
      enrollee.ok = false;
    }
  });
  if (!server) return;

  await test('static files: CSP on pages, no inline code, one shared lib', async () => {
    for (const base of [PORTAL, CONSOLE]) {
      const r = await get(`${base}/`);
      assert(r.status === 200, `${base}/ answered ${r.status}`);
      const csp = r.headers['content-security-policy'] || '';
      assert(/script-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp), `weak CSP: ${csp}`);
      assert(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(r.body), 'inline <script> in index.html');
      assert(!/\sstyle=|<style|\son[a-z]+=/i.test(r.body), 'inline style or handler in index.html');
      for (const f of ['app.js', 'lib.js', 'style.css']) {
        const a = await get(`${base}/${f}`);
        assert(a.status === 200, `${base}/${f} answered ${a.status}`);
      }
    }
    const web = path.join(root, 'web');
    for (const app of ['portal', 'console', 'shared']) {
      for (const f of fs.readdirSync(path.join(web, app))) {
        const text = fs.readFileSync(path.join(web, app, f), 'utf8');
        if (f.endsWith('.js')) {
          assert(!/\.innerHTML\s*=|outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(text), `${app}/${f} uses an HTML/eval sink`);
        }
      }
    }
    // One shared stylesheet and library (web/shared), served by both.
    for (const f of ['lib.js', 'style.css']) {
      const p = await get(`${PORTAL}/${f}`);
      const c = await get(`${CONSOLE}/${f}`);
      assert(p.body === c.body && p.body.length > 0, `/${f} differs between the listeners`);
    }
    const nf = await get(`${PORTAL}/app.js/`);
    assert(nf.status === 404, 'paths must match exactly');
  });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: !process.env.E2E_HEADED,
    args: launchArgs,
  });

  const cust = await newPage(null, { portal: true, tag: 'portal' });
  const staff = await newPage(null, { tag: 'console' });

  await test('portal: wrong code shows the server message in an alert', async () => {
    const p = cust.page;
    await loginPortal(p, customer, '000000');
    const alert = p.locator('#login-error');
    await alert.waitFor({ state: 'visible', timeout: 5000 });
    const t = await alert.textContent();
    assert(/not correct/i.test(t), `unexpected error text: ${t}`);
    await shot(p, 'portal-login-error');
  });

  await test('portal: keyboard-only login with a TOTP code (Tab, typing, Enter)', async () => {
    const p = cust.page;
    await p.goto(`${PORTAL}/`);
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    await shot(p, 'portal-login');
    // "How we contact you" says what notify.c's e-mails really hold.
    const contact = await p.locator('section.contact').textContent();
    assert(!/links to log in|text messages/i.test(contact), `contact note promises too much: ${contact}`);
    assert(contact.includes(`The only address in our e-mails is this portal’s: ${PORTAL}/`), `contact note: ${contact}`);
    assert(/never ask for your password, authenticator codes or card details/.test(contact), `contact note: ${contact}`);
    const label = () => p.evaluate(() => {
      const el = document.activeElement;
      return el && el.labels && el.labels[0] ? el.labels[0].textContent : `<${el && el.tagName}>`;
    });
    // The login screen puts the focus in the e-mail field; before it in
    // the tab order there is only the skip link.
    assert((await label()) === 'E-mail address', `focus on load: ${await label()}`);
    await p.keyboard.press('Shift+Tab');
    let active = await p.evaluate(() => document.activeElement.textContent);
    assert(/Skip to main content/.test(active), `Shift+Tab went to "${active}"`);
    await p.keyboard.press('Tab');
    assert((await label()) === 'E-mail address', `Tab went to ${await label()}`);
    await p.keyboard.type(customer.email);
    await p.keyboard.press('Tab');
    assert((await label()) === 'Password', `Tab went to ${await label()}`);
    await p.keyboard.type(PASS_CUST);
    await p.keyboard.press('Tab');
    assert((await label()) === 'Authenticator code', `Tab went to ${await label()}`);
    await p.keyboard.type(await totp(customer));
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    active = await p.evaluate(() => document.activeElement.tagName + ' ' + document.activeElement.textContent);
    assert(/My tickets/.test(active), `focus after login is on ${active}`);
    // The skip link moves the focus to the main region and keeps the route.
    await p.focus('a.skip');
    await p.keyboard.press('Enter');
    const after = await p.evaluate(() => [document.activeElement.id, location.hash]);
    assert(after[0] === 'main' && after[1] === '#/tickets', `skip link: ${after}`);
    await shot(p, 'portal-tickets-empty');
  });

  let ticketId = null;
  // ASVS 1.3.1: hostile HTML typed by a customer stays text in the portal
  // and in the console (output encoding in the DOM, no innerHTML).
  await test('portal: customer opens a new ticket (hostile HTML stays text)', async () => {
    const p = cust.page;
    await p.getByRole('link', { name: 'New ticket' }).first().click();
    await p.getByLabel('Subject').fill(SUBJECT);
    await p.getByLabel('Message').fill(HOSTILE);
    await shot(p, 'portal-new-ticket');
    await p.getByRole('button', { name: 'Send to support' }).click();
    await p.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    ticketId = (await p.evaluate(() => location.hash)).match(/tickets\/(\d+)/)[1];
    const body = await p.locator('.msg .body').first().textContent();
    assert(body === HOSTILE, 'message body not shown verbatim');
    assert((await p.locator('main img, main script, main b').count()) === 0, 'customer HTML became markup');
    assert((await p.title()) !== 'pwned', 'customer HTML ran');
    // The list shows it too.
    await p.getByRole('link', { name: '← All my tickets' }).click();
    await p.getByRole('link', { name: new RegExp(SUBJECT.replace(/[#]/g, '.')) }).click();
    await p.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
  });

  await test('console: agent logs in and finds the ticket in the queue', async () => {
    const p = staff.page;
    await loginConsole(p);
    await p.getByLabel('Status').selectOption('any');
    await p.getByRole('link', { name: new RegExp(SUBJECT.replace(/[#]/g, '.')) }).waitFor({ timeout: 5000 });
    const who = await p.locator('#whoami').textContent();
    assert(who === `Signed in as ${agent.name} (agent)`, `header says: ${who}`);
    await shot(p, 'console-queue');
    await p.getByRole('link', { name: new RegExp(SUBJECT.replace(/[#]/g, '.')) }).click();
    await p.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    assert((await p.locator('.panel.external .msg .body').first().textContent()) === HOSTILE, 'customer message not shown verbatim');
    assert((await p.title()) !== 'pwned', 'customer HTML ran in the console');
  });

  await test('console: assign to me and change the status', async () => {
    const p = staff.page;
    await p.getByRole('button', { name: 'Assign to me' }).click();
    await p.locator('.facts dd', { hasText: agent.name }).waitFor({ timeout: 5000 });
    await p.getByLabel('Set status').selectOption('pending');
    await p.getByRole('button', { name: 'Change status' }).click();
    await p.locator('.facts .badge', { hasText: 'Pending' }).waitFor({ timeout: 5000 });
    await p.getByLabel('Set status').selectOption('open');
    await p.getByRole('button', { name: 'Change status' }).click();
    await p.locator('.facts .badge', { hasText: 'Open' }).waitFor({ timeout: 5000 });
  });

  await test('console: agent writes an internal note and a reply in separate composers', async () => {
    const p = staff.page;
    const internal = p.locator('section.panel.internal');
    const external = p.locator('section.panel.external');
    assert((await internal.getByRole('heading').textContent()).includes('Internal — never sent to the customer'), 'internal panel label');
    assert((await external.getByLabel('Reply — the customer will see this').count()) === 1, 'reply composer label');
    await internal.getByLabel('Internal note — only staff will see this').fill(NOTE_TEXT);
    await internal.getByRole('button', { name: 'Save internal note' }).click();
    await internal.locator('.note .body', { hasText: NOTE_MARKER }).waitFor({ timeout: 5000 });
    assert((await external.locator(`text=${NOTE_MARKER}`).count()) === 0, 'note shown in the conversation panel');
    await external.getByLabel('Reply — the customer will see this').fill(REPLY_TEXT);
    await external.getByRole('button', { name: 'Send reply to customer' }).click();
    await external.locator('.msg .body', { hasText: 'replacement is on its way' }).waitFor({ timeout: 5000 });
    const bg = await internal.evaluate((el) => getComputedStyle(el).backgroundColor);
    const bg2 = await external.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert(bg !== bg2, 'note and conversation panels look the same');
    await shot(p, 'console-ticket');
  });

  await test('console: a reply that copies the note is blocked, with its reason, draft kept', async () => {
    const p = staff.page;
    const external = p.locator('section.panel.external');
    const draft = `Hi Cat, just so you know: ${COPIED}. Best, Ann`;
    const box = external.getByLabel('Reply — the customer will see this');
    await box.fill(draft);
    await external.getByRole('button', { name: 'Send reply to customer' }).click();
    const block = p.locator('#reply-block');
    await block.waitFor({ state: 'visible', timeout: 5000 });
    const text = await block.textContent();
    assert(/blocked/i.test(text), 'block message missing');
    assert(/copied from an internal note/i.test(text), `reason missing: ${text}`);
    assert((await box.inputValue()) === draft, 'the draft was not kept');
    const marked = await block.locator('mark').allTextContents();
    assert(marked.length > 0 && marked.join(' ').includes('could not confirm the order number'), `marked span: ${JSON.stringify(marked)}`);
    const sel = await box.evaluate((el) => el.value.slice(el.selectionStart, el.selectionEnd));
    assert(sel.includes('could not confirm'), `selection in the composer: ${sel}`);
    const sent = await external.locator('.msg .body', { hasText: 'could not confirm' }).count();
    assert(sent === 0, 'blocked reply shows up in the conversation');
    await shot(p, 'console-reply-blocked');
    // Apply redaction, review, send: the redacted reply passes the filter.
    await block.getByRole('button', { name: 'Redact the marked text' }).click();
    const redacted = await box.inputValue();
    assert(redacted.includes('[redacted]') && !redacted.includes('could not confirm'), `redacted draft: ${redacted}`);
    await external.getByRole('button', { name: 'Send reply to customer' }).click();
    await external.locator('.msg .body', { hasText: 'just so you know: [redacted]' }).waitFor({ timeout: 5000 });
    assert((await box.inputValue()) === '', 'the composer was not cleared after sending');
  });

  await test('portal: customer sees the reply and never the note', async () => {
    const p = cust.page;
    await p.reload();
    await p.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await p.locator('.msg.from-agent .body', { hasText: 'replacement is on its way' }).waitFor({ timeout: 5000 });
    await portalHasNoNote(p);
    await shot(p, 'portal-ticket');
    await p.getByRole('navigation').getByRole('link', { name: 'My tickets' }).click();
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor();
    await portalHasNoNote(p);
    await shot(p, 'portal-tickets');
    await p.getByRole('navigation').getByRole('link', { name: 'Security settings' }).click();
    await p.getByRole('heading', { level: 1, name: 'Security settings' }).waitFor();
    await portalHasNoNote(p);
    for (const r of portalBodies) {
      assert(!r.body.includes(NOTE_MARKER) && !r.body.includes(COPIED), `note text in portal response ${r.url}`);
    }
    assert(portalBodies.length > 0, 'no portal responses recorded');
  });

  await test('portal: customer replies; anti-phishing phrase settings', async () => {
    const p = cust.page;
    const phrase = p.getByLabel('Anti-phishing phrase');
    await phrase.fill('blue heron at dawn');
    await p.getByRole('button', { name: 'Save phrase' }).click();
    await p.locator('#phrase-banner .phrase', { hasText: 'blue heron at dawn' }).waitFor({ timeout: 5000 });
    await shot(p, 'portal-settings');
    await p.goto(`${PORTAL}/#/tickets/${ticketId}`);
    await p.getByLabel('Your reply').fill('Thank you! I will watch out for it.');
    await p.getByRole('button', { name: 'Send reply' }).click();
    await p.locator('.msg.from-customer .body', { hasText: 'watch out for it' }).waitFor({ timeout: 5000 });
    await portalHasNoNote(p);
  });

  await test('narrow window (390x844): portal and console fit without sideways scrolling', async () => {
    const n1 = await newPage({ width: 390, height: 844 }, { portal: true, tag: 'portal-narrow' });
    await loginPortal(n1.page, customer, await totp(customer));
    await n1.page.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    await n1.page.goto(`${PORTAL}/#/tickets/${ticketId}`);
    await n1.page.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await shot(n1.page, 'narrow-portal-ticket');
    const w1 = await n1.page.evaluate(() => document.documentElement.scrollWidth);
    assert(w1 <= 390, `portal is ${w1}px wide`);
    await portalHasNoNote(n1.page);
    problems.push(...(await cspViolations(n1.page)).map((v) => `portal-narrow CSP: ${v}`));
    await n1.ctx.close();

    const n2 = await newPage({ width: 390, height: 844 }, { tag: 'console-narrow' });
    await loginConsole(n2.page);
    await n2.page.goto(`${CONSOLE}/#/tickets/${ticketId}`);
    await n2.page.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await shot(n2.page, 'narrow-console-ticket');
    const w2 = await n2.page.evaluate(() => document.documentElement.scrollWidth);
    assert(w2 <= 390, `console is ${w2}px wide`);
    // Conversation first, notes below it.
    const y1 = await n2.page.locator('section.panel.external').evaluate((e) => e.getBoundingClientRect().top);
    const y2 = await n2.page.locator('section.panel.internal').evaluate((e) => e.getBoundingClientRect().top);
    assert(y1 < y2, 'notes panel is not below the conversation on a narrow screen');
    problems.push(...(await cspViolations(n2.page)).map((v) => `console-narrow CSP: ${v}`));
    await n2.ctx.close();
  });

  await test('portal: first-login authenticator enrolment with a QR code', async () => {
    assert(enrollee.ok, '`customer add --enroll-in-portal` is not available');
    const e = await newPage(null, { portal: true, tag: 'portal-enrol' });
    const p = e.page;
    await loginPortal(p, enrollee, '');
    await p.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }).waitFor({ timeout: 5000 });
    const img = p.locator('.qr img');
    await img.waitFor({ timeout: 5000 });
    const src = await img.getAttribute('src');
    assert(src.startsWith('data:image/svg+xml;base64,'), 'QR is not a data: image');
    const loaded = await img.evaluate((el) => el.complete && el.naturalWidth > 0);
    assert(loaded, 'QR image did not load');
    // A reload inside the enrolment session comes back to this screen.
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }).waitFor({ timeout: 5000 });
    await p.locator('.qr img').waitFor({ timeout: 5000 });
    assert((await p.locator('main svg').count()) === 0, 'QR SVG inserted as live markup');
    const secret = (await p.locator('code.key').textContent()).replace(/\s+/g, '');
    assert(/^[A-Z2-7]{16,}$/.test(secret), `secret looks wrong: ${secret}`);
    await shot(p, 'portal-enrolment');
    enrollee.totp_secret = secret;
    await p.getByLabel('Code from your authenticator app').fill('000000');
    await p.getByRole('button', { name: 'Activate authenticator' }).click();
    await p.locator('main .error:not([hidden])').waitFor({ timeout: 5000 });
    await p.getByLabel('Code from your authenticator app').fill(await totp(enrollee));
    await p.getByRole('button', { name: 'Activate authenticator' }).click();
    // Its recovery codes, shown once (issue 15 SELF), then the tickets.
    await p.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'I have saved my codes' }).click();
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    // Log out and in again with the new authenticator.
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    await loginPortal(p, enrollee, await totp(enrollee));
    await p.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    problems.push(...(await cspViolations(p)).map((v) => `portal-enrol CSP: ${v}`));
    await e.ctx.close();
  });

  await test('inbound: secret removed with a notice; suspicious link defanged, opened only after confirming', async () => {
    const LINK = 'http://192.0.2.10:8080/login';
    const KEY = 'AKIAZ3MSJV4WWNKWW5FG';
    const pc = cust.page;
    await pc.goto(`${PORTAL}/#/tickets/${ticketId}`);
    await pc.getByLabel('Your reply').fill(`Your colleague said to log in at ${LINK} and to send my key ${KEY}`);
    await pc.getByRole('button', { name: 'Send reply' }).click();
    const notice = pc.locator('.inbound-notice');
    await notice.waitFor({ timeout: 5000 });
    assert(/never send those/i.test(await notice.textContent()), 'the customer is not told why');
    const mine = pc.locator('.msg.from-customer', { hasText: 'Your colleague said' });
    // The notice comes with the screen, the messages a moment later.
    await mine.locator('.redacted-marker').waitFor({ timeout: 5000 });
    assert((await mine.locator('.redacted-marker').count()) === 1, 'no redacted marker on the customer message');
    assert(!(await pc.content()).includes(KEY), 'the secret is still shown in the portal');
    await shot(pc, 'portal-inbound-notice');

    const p = staff.page;
    await p.goto(`${CONSOLE}/#/tickets/${ticketId}`);
    await p.reload();
    const msg = p.locator('.panel.external .msg.from-customer', { hasText: 'Your colleague said' });
    await msg.waitFor({ timeout: 5000 });
    const shown = msg.locator('.body .defanged');
    assert((await shown.textContent()) === 'hxxp://192[.]0[.]2[.]10:8080/login', `defanged span: ${await shown.textContent()}`);
    assert((await msg.locator('.body').textContent()).includes('[redacted: secret]'), 'redaction marker missing for the agent');
    assert(!(await p.content()).includes(KEY), 'the secret reached the console');
    assert((await p.locator('a[href*="192.0.2.10"], area[href*="192.0.2.10"]').count()) === 0, 'the link is clickable');
    assert(!(await p.locator('main').innerText()).includes(LINK), 'the live URL is shown as text');
    const item = msg.locator('.links .link');
    assert((await item.locator('.badge.verdict').textContent()) === 'Dangerous', 'verdict badge');
    assert(/bare IP number/.test(await item.locator('.reasons').textContent()), 'reasons not explained');
    assert(/^Risk score: \d+%$/.test(await item.locator('.risk-score').textContent()), 'link model risk score not shown');
    await shot(p, 'console-inbound-link');

    // The open step: cancelling the confirmation opens nothing.
    let opened = '';
    await staff.ctx.route('http://192.0.2.10:8080/**', (r) => { opened = r.request().url(); r.abort(); });
    let asked = '';
    p.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
    await item.getByRole('button', { name: 'Open link…' }).click();
    await p.waitForTimeout(300);
    assert(asked.includes(LINK) && /phishing/i.test(asked), `confirmation text: ${asked}`);
    assert(staff.ctx.pages().length === 1 && opened === '', 'a page opened without confirmation');
    // Confirming opens the real address in a new, unrelated tab.
    p.once('dialog', (d) => d.accept());
    const [tab] = await Promise.all([
      staff.ctx.waitForEvent('page', { timeout: 5000 }),
      item.getByRole('button', { name: 'Open link…' }).click(),
    ]);
    for (let i = 0; i < 50 && !opened; i++) await p.waitForTimeout(100);
    assert(opened === LINK, `opened: ${opened}`);
    await tab.close();
    await staff.ctx.unroute('http://192.0.2.10:8080/**');
  });

  // The attachment panels of both apps: upload, verdicts, download, and an
  // administrator's release of a quarantined file.
  await test('attachments: customer uploads, agent downloads, admin releases a quarantined file', async () => {
    const TEXT = 'Delivery note: parcel 5512, left with the neighbour at number 12.\n';
    const pc = cust.page;
    await pc.goto(`${PORTAL}/#/tickets/${ticketId}`);
    const files = pc.locator('form', { has: pc.getByRole('heading', { name: 'Files' }) });
    await files.locator('.attachments .empty').waitFor({ timeout: 5000 });
    await files.getByRole('button', { name: 'Upload file' }).click();
    await files.locator('.error:not([hidden])', { hasText: 'Choose a file first.' }).waitFor({ timeout: 5000 });
    const upload = async (name, buffer) => {
      await files.getByLabel('Attach a file').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
      await files.getByRole('button', { name: 'Upload file' }).click();
      await files.locator('.attachment', { hasText: name }).waitFor({ timeout: 5000 });
    };
    await upload('delivery.txt', Buffer.from(TEXT));
    const exe = Buffer.alloc(512);
    exe.write('MZ', 0);
    await upload('setup.exe', exe);
    assert((await files.locator('.attachment', { hasText: 'setup.exe' }).locator('.badge').textContent()) === 'Held back', 'the program is not held back');
    await shot(pc, 'portal-attachments');

    const p = staff.page;
    await p.goto(`${CONSOLE}/#/tickets/${ticketId}`);
    await p.reload();
    const panel = p.locator('section.attachments-panel');
    const txt = panel.locator('.attachment', { hasText: 'delivery.txt' });
    const held = panel.locator('.attachment', { hasText: 'setup.exe' });
    await held.waitFor({ timeout: 5000 });
    assert((await held.locator('.quarantined').textContent()) === 'Quarantined — an administrator must release it', 'quarantine notice');
    assert((await held.getByRole('button').count()) === 0, 'an agent is offered a download or release of a quarantined file');
    assert(/program/.test(await held.locator('.reasons').textContent()), 'quarantine reason not explained');
    const [dl] = await Promise.all([
      p.waitForEvent('download', { timeout: 5000 }),
      txt.getByRole('button', { name: 'Download delivery.txt' }).click(),
    ]);
    assert(dl.suggestedFilename() === 'delivery.txt', `download name: ${dl.suggestedFilename()}`);
    assert(fs.readFileSync(await dl.path(), 'utf8') === TEXT, 'downloaded bytes differ');
    await shot(p, 'console-attachments');

    const admin = { email: 'ada.admin@example.com', name: 'Ada Admin' };
    Object.assign(admin, JSON.parse(cli(['staff', 'add', '--dir', dir, '--email', admin.email, '--name', admin.name, '--role', 'admin', '--password-stdin'], PASS_AGENT + '\n')));
    const a = await newPage(null, { tag: 'console-admin' });
    const pa = a.page;
    await loginConsole(pa, admin);
    await pa.goto(`${CONSOLE}/#/tickets/${ticketId}`);
    const aheld = pa.locator('section.attachments-panel .attachment', { hasText: 'setup.exe' });
    const open = aheld.getByRole('button', { name: 'Release…' });
    await open.click();
    assert((await open.getAttribute('aria-expanded')) === 'true', 'Release… does not say it is expanded');
    await aheld.getByLabel('Reason for releasing this file').fill('ok');
    await aheld.getByRole('button', { name: 'Release file' }).click();
    await aheld.locator('.error:not([hidden])', { hasText: 'at least 3 characters' }).waitFor({ timeout: 5000 });
    await aheld.getByLabel('Reason for releasing this file').fill('Checked offline: a blank test program from the customer.');
    await shot(pa, 'console-attachment-release');
    await aheld.getByRole('button', { name: 'Release file' }).click();
    await aheld.locator('.muted', { hasText: `Released by staff #${admin.id} on` }).waitFor({ timeout: 5000 });
    assert((await aheld.getByRole('button', { name: 'Download setup.exe' }).count()) === 1, 'the released file cannot be downloaded');
    problems.push(...(await cspViolations(pa)).map((v) => `console-admin CSP: ${v}`));
    await a.ctx.close();
  });

  await test('console keyboard only: log in, open a ticket, write a note and a reply, fix a blocked reply', async () => {
    const KB_NOTE = 'Keyboard check: the customer asked twice about the refund but the bank reference did not match our records yet';
    const KB_BLOCKED = 'Hello from the keyboard. We see the customer asked twice about the refund but the bank reference did not match, sorry.';
    const KB_REPLY = 'Hello from the keyboard. Your refund is being processed.';
    const kb = await newPage(null, { tag: 'console-keyboard' });
    const p = kb.page;
    const focused = () => p.evaluate(() => {
      const el = document.activeElement;
      return { tag: el.tagName, id: el.id, text: (el.textContent || '').trim(), label: el.labels && el.labels[0] ? el.labels[0].textContent : '' };
    });
    await p.goto(`${CONSOLE}/`);
    await p.getByRole('heading', { name: 'Staff log in' }).waitFor();
    await checkLabels(p, 'console login');
    // The login screen starts in the e-mail field.
    assert((await focused()).label === 'Work e-mail address', `focus on load: ${JSON.stringify(await focused())}`);
    await p.keyboard.type(agent.email);
    await p.keyboard.press('Tab');
    assert((await focused()).label === 'Password', 'Tab did not reach the password');
    await p.keyboard.type(PASS_AGENT);
    await p.keyboard.press('Tab');
    assert((await focused()).label === 'Authenticator code', 'Tab did not reach the code');
    await p.keyboard.type(await totp(agent));
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 5000 });
    await p.locator('a.ticket-row').first().waitFor({ timeout: 5000 });
    await checkLabels(p, 'console queue (keyboard)');
    // Queue -> ticket: Tab to the ticket's row, Enter.
    await tabTo(p, (id) => {
      const el = document.activeElement;
      return el.matches('a.ticket-row') && el.getAttribute('href') === `#/tickets/${id}`;
    }, ticketId, { what: 'the ticket in the queue' });
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await p.locator('section.panel.internal .note').first().waitFor({ timeout: 5000 });
    await checkLabels(p, 'console ticket (keyboard)');
    // The internal note: Tab to its composer, type, Tab to the button, Enter.
    await tabTo(p, () => document.activeElement.id === 'note-text', null, { what: 'the note composer' });
    await p.keyboard.type(KB_NOTE);
    await p.keyboard.press('Tab');
    assert((await focused()).text === 'Save internal note', `after the note: ${JSON.stringify(await focused())}`);
    await p.keyboard.press('Enter');
    await p.locator('section.panel.internal .note .body', { hasText: 'Keyboard check' }).waitFor({ timeout: 5000 });
    // The reply composer comes before the notes: Shift+Tab back to it.
    await tabTo(p, () => document.activeElement.id === 'reply-text', null, { key: 'Shift+Tab', max: 120, what: 'the reply composer' });
    await p.keyboard.type(KB_BLOCKED);
    await p.keyboard.press('Tab');
    assert((await focused()).text === 'Send reply to customer', `after the reply: ${JSON.stringify(await focused())}`);
    await p.keyboard.press('Enter');
    const block = p.locator('#reply-block');
    await block.waitFor({ state: 'visible', timeout: 5000 });
    assert(/copied from an internal note/i.test(await block.textContent()), 'reason missing from the block');
    // The block puts the focus back into the draft, the blocked words selected.
    const f1 = await focused();
    assert(f1.id === 'reply-text', `focus after the block: ${JSON.stringify(f1)}`);
    await shot(p, 'console-keyboard-blocked');
    // Fix it: Shift+Tab to "Redact the marked text", Enter, then send.
    await tabTo(p, () => document.activeElement.textContent === 'Redact the marked text', null, { key: 'Shift+Tab', max: 10, what: 'the redact button' });
    await p.keyboard.press('Enter');
    const draft = await p.locator('#reply-text').inputValue();
    assert(draft.includes('[redacted]') && !draft.includes('bank reference'), `redacted draft: ${draft}`);
    assert((await focused()).id === 'reply-text', 'focus did not return to the draft after redacting');
    await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    await p.locator('section.panel.external .msg .body', { hasText: 'Hello from the keyboard. We see [redacted]' }).waitFor({ timeout: 5000 });
    // A plain reply, keyboard only as well.
    await tabTo(p, () => document.activeElement.id === 'reply-text', null, { key: 'Shift+Tab', max: 120, what: 'the reply composer' });
    await p.keyboard.type(KB_REPLY);
    await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    await p.locator('section.panel.external .msg .body', { hasText: 'Your refund is being processed' }).waitFor({ timeout: 5000 });
    assert((await p.locator('#reply-text').inputValue()) === '', 'the composer was not cleared');
    await shot(p, 'console-keyboard-sent');
    problems.push(...(await cspViolations(p)).map((v) => `console-keyboard CSP: ${v}`));
    await kb.ctx.close();
  });

  if (only('held')) await heldReplyChecks(cust, staff);

  if (only('disclosure')) await disclosureChecks({
    test, assert, shot, newPage, loginPortal, loginConsole, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST,
    agent, agentPage: staff.page, supervisor, hideSeconds: HIDE_SECONDS, problems, cspViolations,
  });
  if (only('customers')) await customerChecks({
    test, assert, shot, newPage, loginPortal, loginConsole, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST,
    agent, agentPage: staff.page, problems, cspViolations,
  });

  if (only('training')) await trainingChecks({
    test, assert, shot, newPage, loginPortal, loginConsole, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST, PASS_AGENT,
    agent, supervisor, problems, cspViolations,
  });
  if (only('hygiene')) await hygieneChecks({ test, assert, shot, newPage, totp, cli, dir, CONSOLE, problems, cspViolations });
  if (only('drills')) await drillChecks({ test, assert, shot, newPage, loginConsole, CONSOLE, agent, agentPage: staff.page, supervisor, problems, cspViolations });
  if (only('lists')) await listChecks({ test, assert, shot, newPage, loginPortal, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST, agentPage: staff.page, problems, cspViolations });
  if (only('super')) await superChecks({ test, assert, shot, newPage, loginConsole, cli, dir, CONSOLE, PASS_AGENT, PASS_CUST, agent, supervisor, problems, cspViolations });
  if (only('search')) await searchChecks({ test, assert, shot, newPage, loginPortal, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST, agentPage: staff.page, problems, cspViolations });
  if (only('defects_ui')) await defectUiChecks({ test, assert, shot, newPage, loginPortal, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST, agentPage: staff.page, problems, cspViolations });
  if (only('webdoc')) await webDocChecks({ test, assert, newPage, PORTAL, CONSOLE });
  if (only('macros')) await macroChecks({ test, assert, shot, newPage, loginPortal, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST, agentPage: staff.page, problems, cspViolations });
  if (only('live')) await liveChecks({ test, assert, shot, newPage, loginPortal, loginConsole, totp, cli, dir, PORTAL, CONSOLE, PASS_CUST, agentPage: staff.page, supervisor, problems, cspViolations });
  if (only('self')) await selfChecks({ test, assert, shot, newPage, totp, cli, dir, PORTAL, PASS_CUST, problems, cspViolations });
  if (only('sla')) await slaChecks({ test, assert, shot, newPage, loginConsole, CONSOLE, supervisor, problems, cspViolations });
  if (only('passkeys')) await passkeyChecks(passkeyHelpers());
  if (only('passkeys')) await passkeyGateChecks({ ...passkeyHelpers(), agentPage: staff.page });

  await test('every page state visited had labelled form controls', async () => {
    assert(ONLY.length || labelChecks.states >= 15, `only ${labelChecks.states} page states were checked`);
  });

  await test('logout ends both sessions', async () => {
    for (const [pg, base, api] of [[cust.page, PORTAL, '/api/v1/portal/session'], [staff.page, CONSOLE, '/api/v1/staff/session']]) {
      await pg.getByRole('button', { name: 'Log out' }).click();
      await pg.getByRole('heading', { name: /log in/i }).waitFor({ timeout: 5000 });
      const st = await pg.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).status, api);
      assert(st === 401, `${base}: session still valid after logout (${st})`);
    }
  });

  await test('no CSP violations, page errors or third-party requests', async () => {
    for (const [tag, pg] of [['portal', cust.page], ['console', staff.page]]) {
      problems.push(...(await cspViolations(pg)).map((v) => `${tag} CSP: ${v}`));
    }
    assert(problems.length === 0, problems.join('\n'));
  });
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  results.push({ name: `(${current}) aborted`, ok: false, e });
  console.log(`FAIL - run aborted: ${e && e.stack}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  stopServer();
  if (process.env.E2E_KEEP) console.log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok).length;
const passed = results.length - failed;
if (failed && serverLog) {
  console.log('--- server log (tail) ---');
  console.log(serverLog.split('\n').slice(-25).join('\n'));
}
console.log(`screenshots: ${out}`);
console.log(`${passed} passed, ${failed} failed`);
exitCode = failed ? 1 : 0;
process.exit(exitCode);
