// Gatehouse browser tests, issue 11 part A: staff training and its gate.
// Run by run.mjs (trainingChecks(t), with t its helpers and accounts);
// not on its own.
//
// A new agent whose training is missing takes a customer's ticket: reading
// and answering work, but "Verify caller" is refused and the panel shows
// the gate's notice listing the modules, with a link to the Training
// screen. There the agent opens a module, reads it, answers its quiz (the
// answers come from the starter course's files, as a trained person would
// know them) and passes; the module's status turns current. A supervisor
// sees every staff member's training status with expiry dates. Each new
// screen is photographed wide and 390 px narrow.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const starter = path.resolve(here, '..', '..', 'training', 'starter');
const TIA = { email: 'tia.trainee@example.com', name: 'Tia Trainee' };
const GUS = { email: 'gus.guest@example.com', name: 'Gus Guest' };
const MODULE = 'no-bending-rules';
const TITLE = 'Why we never bend the rules for an urgent caller';
const SUBJECT = 'Please change the phone number on my account';
const NARROW = { width: 390, height: 844 };
const WIDE = { width: 1280, height: 900 };

// Wide and narrow screenshots of page p as name-wide / name-narrow.
async function shots(t, p, name) {
  await p.setViewportSize(WIDE);
  await t.shot(p, `${name}-wide`);
  await p.setViewportSize(NARROW);
  await t.shot(p, `${name}-narrow`);
  await p.setViewportSize(WIDE);
}

// The customer opens a ticket in the portal; the trainee takes it.
async function setup(t, s) {
  await t.test('training: an agent whose training is missing takes a ticket (reading and answering still work)', async () => {
    Object.assign(TIA, JSON.parse(t.cli(['staff', 'add', '--dir', t.dir, '--email', TIA.email, '--name', TIA.name,
      '--role', 'agent', '--password-stdin'], t.PASS_AGENT + '\n')));
    Object.assign(GUS, JSON.parse(t.cli(['customer', 'add', '--dir', t.dir, '--email', GUS.email, '--name', GUS.name,
      '--password-stdin'], t.PASS_CUST + '\n')));
    const pc = (await t.newPage(null, { portal: true, tag: 'portal-training' })).page;
    await t.loginPortal(pc, GUS, await t.totp(GUS));
    await pc.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor({ timeout: 5000 });
    await pc.goto(`${t.PORTAL}/#/new`);
    await pc.getByLabel('Subject').fill(SUBJECT);
    await pc.getByLabel('Message').fill('I have a new phone, please update the number and send the code there.');
    await pc.getByRole('button', { name: 'Send to support' }).click();
    await pc.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    s.ticket = (await pc.evaluate(() => location.hash)).match(/tickets\/(\d+)/)[1];
    s.tia = await t.newPage(null, { tag: 'console-training' });
    const p = s.tia.page;
    await t.loginConsole(p, TIA);
    await p.goto(`${t.CONSOLE}/#/tickets/${s.ticket}`);
    await p.getByRole('heading', { level: 1, name: SUBJECT }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'Assign to me' }).click();
    await p.locator('.facts dd', { hasText: TIA.name }).waitFor({ timeout: 5000 });
    await p.locator('#reply-text').fill('Hello Gus, we will verify you before any change to your account.');
    await p.getByRole('button', { name: 'Send reply to customer' }).click();
    await p.locator('section.panel.external .msg .body', { hasText: 'we will verify you' }).waitFor({ timeout: 5000 });
  });
}

// "Verify caller" is refused with the notice and the modules.
async function gateNotice(t, s) {
  await t.test('training: "Verify caller" shows the gate notice listing the modules, with a link to Training', async () => {
    const p = s.tia.page;
    await p.getByRole('button', { name: 'Verify caller' }).click();
    const note = p.locator('#verify-error .training-notice');
    await note.waitFor({ timeout: 5000 });
    const text = await note.textContent();
    t.assert(/Training required/.test(text), `notice: ${text}`);
    t.assert(text.includes(TITLE), 'the notice does not name the module');
    t.assert((await note.locator('.training-needed li').count()) === 6, 'the notice does not list the 6 required modules');
    t.assert(!(await p.locator('.verify-level').count()), 'a verification was started');
    await shots(t, p, 'console-training-gate');
    await note.getByRole('link', { name: 'Open the Training screen' }).click();
    await p.getByRole('heading', { level: 1, name: 'Training' }).waitFor({ timeout: 5000 });
  });
}

// The Training screen lists the modules; open one, answer, pass.
async function takeModule(t, s) {
  await t.test('training: the agent reads a module, answers its quiz and passes; its status turns current', async () => {
    const p = s.tia.page;
    const row = p.locator(`tr[data-module="${MODULE}"]`);
    await row.waitFor({ timeout: 5000 });
    t.assert((await row.locator('.badge').textContent()) === 'Not taken', 'status before: not "Not taken"');
    t.assert(/Training required/.test(await p.locator('.training-gate').first().textContent()), 'no gate banner');
    await shots(t, p, 'console-training');
    await row.getByRole('link', { name: TITLE }).click();
    await p.getByRole('heading', { level: 1, name: TITLE }).waitFor({ timeout: 5000 });
    const article = p.locator('article.training-article');
    t.assert(/MGM Resorts/.test(await article.textContent()), 'the module content is not shown');
    t.assert(!(await article.locator('script, img, iframe').count()), 'unexpected elements in the content');
    const quiz = JSON.parse(fs.readFileSync(path.join(starter, `${MODULE}.quiz.json`), 'utf8'));
    for (const q of quiz.questions) {
      for (const k of q.correct) await p.locator(`#q-${q.id}-${k}`).check();
    }
    await shots(t, p, 'console-training-module');
    await p.getByRole('button', { name: 'Submit answers' }).click();
    const res = p.locator('.quiz-result.passed');
    await res.waitFor({ timeout: 5000 });
    t.assert(/100%/.test(await res.textContent()), 'score not shown');
    await shots(t, p, 'console-training-passed');
    await p.goto(`${t.CONSOLE}/#/training`);
    await p.locator(`tr[data-module="${MODULE}"] .badge`, { hasText: 'Current' }).waitFor({ timeout: 5000 });
    const date = await p.locator(`tr[data-module="${MODULE}"] td time`).last().getAttribute('datetime');
    t.assert(new Date(date).getTime() > Date.now() + 300 * 86400 * 1000, `expiry ${date}`);
  });
}

// A failed quiz leaves the status as it was.
async function failModule(t, s) {
  await t.test('training: a failed quiz says so and changes nothing', async () => {
    const p = s.tia.page;
    const id = 'password-device-hygiene';
    await p.goto(`${t.CONSOLE}/#/training/${id}`);
    await p.locator('form.quiz fieldset').first().waitFor({ timeout: 5000 });
    const quiz = JSON.parse(fs.readFileSync(path.join(starter, `${id}.quiz.json`), 'utf8'));
    for (const q of quiz.questions) {
      const wrong = (q.correct[0] + 1) % q.options.length;
      await p.locator(`#q-${q.id}-${wrong}`).check();
    }
    await p.getByRole('button', { name: 'Submit answers' }).click();
    await p.locator('.quiz-result.failed').waitFor({ timeout: 5000 });
    await p.goto(`${t.CONSOLE}/#/training`);
    await p.locator(`tr[data-module="${id}"] .badge`, { hasText: 'Not taken' }).waitFor({ timeout: 5000 });
  });
}

// The supervisors' table.
async function supervisorView(t, s) {
  await t.test('training: a supervisor sees each staff member\'s training status and expiry dates', async () => {
    const sp = (await t.newPage(null, { tag: 'console-training-sup' })).page;
    await t.loginConsole(sp, t.supervisor);
    await sp.getByRole('link', { name: 'Training status' }).click();
    await sp.getByRole('heading', { level: 1, name: 'Training status' }).waitFor({ timeout: 5000 });
    const row = sp.locator(`table.training-status tr[data-staff="${TIA.id}"]`);
    await row.waitFor({ timeout: 5000 });
    t.assert(/Blocked by training/.test(await row.textContent()), 'the trainee is not shown as blocked');
    t.assert((await row.locator(`td[data-module="${MODULE}"] .badge`).textContent()) === 'Current', 'module not current');
    t.assert(!!(await row.locator(`td[data-module="${MODULE}"] time`).count()), 'no expiry date');
    const ann = sp.locator(`table.training-status tr[data-staff="${t.agent.id}"]`);
    t.assert(/May verify and reveal/.test(await ann.textContent()), 'a trained agent is not shown as trained');
    await shots(t, sp, 'console-training-status');
    t.problems.push(...(await t.cspViolations(sp)).map((v) => `console-training-sup CSP: ${v}`));
    t.problems.push(...(await t.cspViolations(s.tia.page)).map((v) => `console-training CSP: ${v}`));
  });
}

export async function trainingChecks(t) {
  const s = {};
  await setup(t, s);
  await gateNotice(t, s);
  await takeModule(t, s);
  await failModule(t, s);
  await supervisorView(t, s);
}
