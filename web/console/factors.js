// Gatehouse agent console: the factors an agent adds to a verification
// (verify.js). Each is something the customer already has on file, never
// something the caller says:
//  - approval in the portal: the agent reads out a number, the customer
//    picks it among several in the portal (number matching, so a
//    customer who did not call cannot approve by reflex);
//  - approval with a passkey (issue 17): the same, and the customer
//    confirms with one of their passkeys (fingerprint, face, PIN or
//    security key); only for a customer who has one. It counts with the
//    plain portal approval as one factor (the same portal);
//  - the code of the customer's own authenticator app;
//  - a one-time code sent to the e-mail address or phone number ON FILE
//    (the panel shows where, masked; never to a contact the caller gives).
// Knowledge questions (date of birth, address) are never a factor.
// A method that has passed is not offered again (two of the same kind
// count once). Wrong codes, too many tries and the end of the
// verification are said in plain words. The forms are built once and
// only shown or hidden on each redraw, so a code being typed survives
// the panel's updates.
import { ApiError, h, replace, announce, showError, hideError, field, busy, alertBox } from './lib.js';
import { trainingNotice } from './training.js';
import { API, api } from './shell.js';

const METHOD_NAMES = {
  portal_approval: 'Approval in the portal (number matching)',
  passkey: 'Approval with the customer’s passkey (number matching)',
  totp: 'Customer’s authenticator code',
  email_otp: 'Code sent to the e-mail on file',
  sms_otp: 'Code sent to the phone on file',
};

// The plain name of factor method m.
export function methodName(m) {
  return METHOD_NAMES[m] || String(m || 'unknown factor');
}

function factorsOf(ctx) {
  return ctx.v && Array.isArray(ctx.v.factors) ? ctx.v.factors : [];
}

// True when factor method passed or failed: it is not offered again.
function isDone(ctx, method) {
  return factorsOf(ctx).some((f) => f.method === method && (f.state === 'passed' || f.state === 'failed'));
}

// POST a factor to ctx's verification.
function postFactor(ctx, body) {
  return api.post(`${API}/verifications/${encodeURIComponent(ctx.v.id)}/factors`, body);
}

// The tries left on factor method of ctx's verification ('' if unknown).
function triesLeft(ctx, method) {
  const f = factorsOf(ctx).find((x) => x.method === method);
  return f && Number.isInteger(f.tries_left) ? ` ${f.tries_left} ${f.tries_left === 1 ? 'try' : 'tries'} left.` : '';
}

// A refused code or factor in plain words (or e itself when the server's
// words are best); the verification is loaded again after a wrong code
// or a failed factor (5 wrong codes fail the factor, not the whole
// verification). A refusal that ends the verification ends it in ctx
// and gives null (the panel then says why).
async function factorError(ctx, e, method) {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'training_required') return e; /* trainingNotice shows it */
  if (e.code === 'bad_code' || e.code === 'verification_failed') {
    try {
      await ctx.reload();
    } catch (x) {
      /* keep the last answer */
    }
    if (ctx.ended) return null;
  }
  if (e.code === 'verification_failed') {
    return `${methodName(method)}: too many wrong codes, so this factor failed. Disclose nothing on it; use another factor.`;
  }
  if (ctx.refuse(e)) return null;
  if (e.code === 'bad_code') {
    const again = method === 'totp'
      ? 'Ask the customer to read the code their authenticator app shows now — it changes every 30 seconds — and type it again.'
      : 'Ask the customer to read the code in the message again, digit by digit.';
    return `Wrong code. ${again}${triesLeft(ctx, method)} After 5 wrong codes this factor fails.`;
  }
  if (e.code === 'no_passkey') return 'This customer has no passkey, so they cannot approve with one. Ask them to approve in the portal without it, or use another factor.';
  if (e.code === 'bad_state') return `Not possible: ${e.message}`;
  if (e.code === 'bad_field') return 'Type the code as digits only.';
  return e;
}

// Sends code for method; true when the factor passed. Problems show in ferr.
async function checkCode(ctx, method, code, ferr) {
  try {
    ctx.adopt(await postFactor(ctx, { method, code }));
    announce(`${methodName(method)}: correct.`);
    return true;
  } catch (e) {
    const why = await factorError(ctx, e, method);
    if (why && !trainingNotice(ferr, why)) showError(ferr, why);
    return false;
  }
}

// A code form: the input (label), "Check code"; on success done() runs.
function codeForm(ctx, method, label, hint, done) {
  const ferr = alertBox();
  const code = field(label, {
    type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false',
    maxlength: '8', class: 'code', id: `factor-${method}-code`,
  }, hint);
  const form = h('form', { class: 'factor-form', novalidate: true },
    ferr, code.wrap, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Check code' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(ferr);
    const value = code.input.value.replace(/\s+/g, '');
    if (!/^[0-9]{6,8}$/.test(value)) {
      showError(ferr, method === 'totp' ? 'The code has 6 digits.' : 'The code has at least 6 digits.');
      code.input.focus();
      return;
    }
    busy(form, async () => {
      if (await checkCode(ctx, method, value, ferr)) {
        code.input.value = '';
        done();
      } else {
        code.input.select();
        code.input.focus();
      }
    });
  });
  return { form, input: code.input, reset() { code.input.value = ''; hideError(ferr); } };
}

// "Customer's authenticator code": opens the code form.
function totpControl(ctx) {
  const open = h('button', { type: 'button', text: 'Customer’s authenticator code', 'aria-expanded': 'false' });
  const cf = codeForm(ctx, 'totp', 'Code from the customer’s authenticator app',
    'Ask the customer to open their authenticator app and read you the 6 digits it shows for us now.', () => {});
  cf.form.hidden = true;
  open.addEventListener('click', () => {
    cf.form.hidden = !cf.form.hidden;
    open.setAttribute('aria-expanded', String(!cf.form.hidden));
    if (!cf.form.hidden) cf.input.focus();
  });
  return {
    el: h('div', { class: 'factor-control totp' }, open, cf.form),
    show() { this.el.hidden = isDone(ctx, 'totp'); },
    reset() { cf.reset(); cf.form.hidden = true; open.setAttribute('aria-expanded', 'false'); },
  };
}

// "Send a code to the e-mail/phone on file": where it went (masked),
// then the code form; sending again keeps the count of wrong codes.
function otpControl(ctx, method) {
  const where = method === 'email_otp' ? 'e-mail address' : 'phone';
  const ferr = alertBox();
  const send = h('button', { type: 'button', text: `Send a code to the ${where} on file` });
  const sent = h('p', { class: 'sent-to', role: 'status', hidden: true });
  const cf = codeForm(ctx, method, method === 'email_otp' ? 'Code from the e-mail' : 'Code from the text message',
    'Ask the caller to read the code out. It works once, for 10 minutes. A new code replaces the old one; wrong codes still count.', () => {});
  cf.form.hidden = true;
  send.addEventListener('click', async () => {
    hideError(ferr);
    send.disabled = true;
    try {
      const res = await postFactor(ctx, { method });
      sent.textContent = `Code sent to ${res.sent_to || 'the contact on file'} — the ${where} on file, never one the caller gives you.`;
      sent.hidden = false;
      cf.form.hidden = false;
      send.textContent = `Send a new code to the ${where} on file`;
      cf.input.focus();
      ctx.adopt(res.verification);
    } catch (e) {
      const why = await factorError(ctx, e, method);
      if (why && !trainingNotice(ferr, why)) showError(ferr, why);
    } finally {
      send.disabled = false;
    }
  });
  return {
    el: h('div', { class: `factor-control ${method}` }, ferr, send, sent, cf.form),
    show() { this.el.hidden = isDone(ctx, method); },
    reset() {
      cf.reset();
      cf.form.hidden = true;
      sent.hidden = true;
      hideError(ferr);
      send.textContent = `Send a code to the ${where} on file`;
    },
  };
}

// The large number the agent reads out, and what happens next (method:
// portal_approval or passkey).
function numberBox(number, method) {
  const label = `read-number-label-${method}`;
  return [
    h('p', { class: 'read-label', id: label, text: 'Read this number out to the customer:' }),
    h('p', { class: 'number', 'aria-labelledby': label, text: String(number) }),
    h('p', { text: method === 'passkey'
      ? 'Ask them to log in to the portal, open “Requests”, pick this number among the ones shown and confirm with their passkey (their fingerprint, face, PIN or security key). They never read a number or a code back to you.'
      : 'Ask them to log in to the portal, open “Requests” and pick this number among the ones shown. They pick it — they never read a number or a code back to you.' }),
    h('p', { class: 'muted', text: 'Waiting for the customer… This updates by itself.' }),
  ];
}

// The other approval method: only one waits at a time.
const OTHER = { portal_approval: 'passkey', passkey: 'portal_approval' };

// True when an approval of method waits for the customer in ctx.
function waiting(ctx, method) {
  return factorsOf(ctx).some((x) => x.method === method && (x.state || 'pending') === 'pending');
}

// "Ask the customer to approve in the portal" (method portal_approval)
// or "… with their passkey" (method passkey): the number to read out
// while the request waits for the customer.
function approvalControl(ctx, method) {
  const ferr = alertBox();
  const ask = h('button', { type: 'button', text: method === 'passkey'
    ? 'Ask the customer to approve with their passkey' : 'Ask the customer to approve in the portal' });
  const why = method === 'passkey'
    ? h('p', { class: 'hint', text: 'Strongest: the customer confirms in the portal with a passkey they registered (fingerprint, face, PIN or security key). A passkey works only on our real site, so a caller who tricked the customer cannot relay it. Only for customers who have a passkey.' })
    : null;
  const box = h('div', { class: 'read-number', hidden: true });
  let number = null;
  let shown = null;
  ask.addEventListener('click', async () => {
    hideError(ferr);
    ask.disabled = true;
    try {
      const res = await postFactor(ctx, { method });
      number = res.number;
      announce(`Read out the number ${number} to the customer.`);
      ctx.adopt(res.verification);
    } catch (e) {
      const msg = await factorError(ctx, e, method);
      if (msg && !trainingNotice(ferr, msg)) showError(ferr, msg);
    } finally {
      ask.disabled = false;
    }
  });
  return {
    el: h('div', { class: `factor-control ${method}` }, ferr, ask, why, box),
    show() {
      const f = factorsOf(ctx).find((x) => x.method === method && (x.state || 'pending') === 'pending');
      /* one portal factor counts: once either passed, neither is offered */
      this.el.hidden = isDone(ctx, method) || factorsOf(ctx).some((x) => x.method === OTHER[method] && x.state === 'passed') ||
        (!f && waiting(ctx, OTHER[method]));
      if (f && (f.number !== undefined || number !== null)) {
        const n = f.number !== undefined ? f.number : number;
        if (n !== shown) replace(box, numberBox(n, method));
        shown = n;
      }
      box.hidden = !f;
      ask.hidden = !!f;
      if (why) why.hidden = !!f;
    },
    reset() { number = null; shown = null; replace(box); hideError(ferr); },
  };
}

// The ways to add a factor to ctx's verification (err: the panel's alert).
// show() follows ctx; a new verification resets the forms.
export function factorControls(ctx) {
  const controls = [approvalControl(ctx, 'passkey'), approvalControl(ctx, 'portal_approval'), totpControl(ctx),
    otpControl(ctx, 'email_otp'), otpControl(ctx, 'sms_otp')];
  const el = h('div', { class: 'add-factor', hidden: true },
    h('h4', { text: 'Add a factor' }),
    h('p', { class: 'hint', text: 'Level 1: approval in the portal (with or without a passkey) or the authenticator code. Level 2: a second factor of another kind (the two portal approvals count as one). A code sent to the e-mail or phone never counts alone.' }),
    controls.map((c) => c.el));
  let vid = null;
  return {
    el,
    show() {
      const open = !!(ctx.v && !ctx.ended);
      el.hidden = !open;
      if (!open || ctx.v.id !== vid) controls.forEach((c) => c.reset());
      vid = open ? ctx.v.id : null;
      if (open) controls.forEach((c) => c.show());
    },
  };
}
