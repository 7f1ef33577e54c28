// Gatehouse customer portal: self-service (issue 15, part SELF).
//
// Security settings: change the password (current password and a code
// from the authenticator app or a recovery code), make new recovery
// codes (shown once, to download or print), sign out everywhere else.
// Before login: log in with a recovery code (then set up a new
// authenticator), "forgot password" (a link by e-mail; the reset still
// needs the authenticator or a recovery code) and the reset page the link
// opens; what to do when everything is lost (contact support: only a
// checked, dual-control authenticator reset). On a ticket: "Mark as
// solved" (a reply opens it again).
//
// Every string from the server goes into the page as text (lib.js h()).
import { h, announce, showError, hideError, field, busy, alertBox, submitRow } from './lib.js';

const CODE_HINT = 'The 6 digits your authenticator app shows now, or one of your recovery codes (like ABCDE-FGHJK). A recovery code works once.';
const NEW_HINT = 'At least 12 characters. A few unrelated words are easy to remember and hard to guess. Not a password you use anywhere else.';

// The second factor as the API takes it: 6 digits are the app's code,
// anything else a recovery code.
function factor(value) {
  const v = value.replace(/\s+/g, '');
  if (/^[0-9]{6}$/.test(v)) return { totp: v };
  return { recovery_code: value.trim() };
}

function passwordField(label, autocomplete, hint) {
  return field(label, { type: 'password', autocomplete, required: true, maxlength: '256', spellcheck: 'false' }, hint);
}

function codeField(label, hint) {
  return field(label, { type: 'text', autocomplete: 'one-time-code', required: true, maxlength: '32', spellcheck: 'false', class: 'code' }, hint);
}

// The path for everyone who lost password, authenticator and codes.
export function lostEverything() {
  return h('section', { class: 'card lost', 'aria-labelledby': 'lost-h' },
    h('h2', { id: 'lost-h', text: 'Lost your authenticator app and your recovery codes too?' }),
    h('p', { text: 'Then no link and no form can let you in: that is what keeps someone with access to your e-mail out of your account. Contact our support team by phone or in person.' }),
    h('p', { text: 'We first check who you are. Then one of our agents requests a reset of your authenticator app, and a second member of staff must approve it before it takes effect after a waiting period. We tell you by e-mail at every step, and you can cancel it while it waits.' }),
    h('p', { text: 'We will never ask for your password or codes while doing so.' }));
}

// "Use a recovery code" and "Forgot your password?" under the login
// form, and "Create an account" while sign-up is open.
export function loginLinks(ctx) {
  const p = h('p', { class: 'login-links' },
    h('a', { href: '#/recover', text: 'Lost your phone? Log in with a recovery code' }), ' · ',
    h('a', { href: '#/forgot', text: 'Forgot your password?' }));
  ctx.api.get(`${ctx.API}/signup`, { expect401: true }).then((res) => {
    if (res.open) p.append(' · ', h('a', { href: '#/signup', text: 'New here? Create an account' }));
  }, () => { /* no sign-up then */ });
  return p;
}

// The recovery codes, shown once: a list, download and print.
export function showRecoveryCodes(ctx, codes, done) {
  const text = ['Recovery codes for your account at ' + location.origin + '/', 'Each code works once. Keep them somewhere safe, away from your phone.', '', ...codes, ''].join('\n');
  const download = h('a', {
    class: 'button', download: 'recovery-codes.txt', text: 'Download as text',
    href: 'data:text/plain;charset=utf-8,' + encodeURIComponent(text),
  });
  const print = h('button', { type: 'button', text: 'Print' });
  print.addEventListener('click', () => window.print());
  const ok = h('button', { type: 'button', class: 'primary', text: 'I have saved my codes' });
  ok.addEventListener('click', done);
  ctx.screen(h('section', { class: 'card codes', 'aria-labelledby': 'codes-h' },
    h('h1', { id: 'codes-h', text: 'Your recovery codes' }),
    h('p', { text: 'If you lose your phone, log in with your password and one of these codes instead of the authenticator code. Each code works once. This is the only time we show them: save or print them now.' }),
    h('ol', { class: 'recovery-codes', 'aria-label': 'Recovery codes' }, codes.map((c) => h('li', null, h('code', { text: c })))),
    h('div', { class: 'actions' }, ok, download, print)));
}

// A form that posts body() to path; then(res) on success.
function wire(form, err, first, post) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    busy(form, async () => {
      try {
        await post();
      } catch (e) {
        showError(err, e);
        const f = e.data && e.data.field && form.querySelector(`[data-field="${e.data.field}"]`);
        (f || first).focus();
      }
    });
  });
}

function tag(f, name) {
  f.input.dataset.field = name;
  return f;
}

function changePasswordCard(ctx) {
  const err = alertBox();
  const cur = tag(passwordField('Current password', 'current-password'), 'current');
  const code = tag(codeField('Authenticator code or recovery code', CODE_HINT), 'totp');
  const next = tag(passwordField('New password', 'new-password', NEW_HINT), 'new');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'pw-h' },
    h('h2', { id: 'pw-h', text: 'Change your password' }),
    h('p', { class: 'hint', text: 'Every other browser or device logged in to your account is signed out; this one stays.' }),
    err, cur.wrap, code.wrap, next.wrap, submitRow('Change password'));
  wire(form, err, cur.input, async () => {
    if (!cur.input.value || !code.input.value.trim() || !next.input.value) {
      throw new Error('Fill in your current password, a code and the new password.');
    }
    const f = factor(code.input.value);
    if (f.recovery_code) code.input.dataset.field = 'recovery_code';
    const res = await ctx.api.post(`${ctx.API}/password`, { current: cur.input.value, ...f, new: next.input.value });
    form.reset();
    const n = Number(res.sessions_ended) || 0;
    announce(`Your password was changed. ${n} other session${n === 1 ? ' was' : 's were'} signed out. We sent a notice to your e-mail address.`);
  });
  return form;
}

function recoveryCodesCard(ctx) {
  const err = alertBox();
  const left = h('p', { class: 'codes-left', text: 'Counting your recovery codes…' });
  const pw = tag(passwordField('Password', 'current-password'), 'password');
  const code = tag(field('Authenticator code', {
    type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6', required: true, class: 'code',
  }, 'New codes replace all your earlier ones.'), 'totp');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'rc-h' },
    h('h2', { id: 'rc-h', text: 'Recovery codes' }), left,
    err, pw.wrap, code.wrap, submitRow('Make new recovery codes'));
  ctx.api.get(`${ctx.API}/recovery-codes`).then((res) => {
    left.textContent = `You have ${Number(res.remaining) || 0} of ${Number(res.issued) || 10} recovery codes left.`;
  }, () => { left.textContent = 'The number of codes left cannot be loaded right now.'; });
  wire(form, err, pw.input, async () => {
    const totp = code.input.value.replace(/\s+/g, '');
    if (!pw.input.value || !/^[0-9]{6}$/.test(totp)) throw new Error('Enter your password and the 6-digit code from your app.');
    const res = await ctx.api.post(`${ctx.API}/recovery-codes`, { password: pw.input.value, totp });
    showRecoveryCodes(ctx, res.recovery_codes || [], () => ctx.go('#/settings'));
  });
  return form;
}

function signOutCard(ctx) {
  const err = alertBox();
  const btn = h('button', { type: 'submit', text: 'Sign out everywhere else' });
  const form = h('form', { class: 'card form', 'aria-labelledby': 'so-h' },
    h('h2', { id: 'so-h', text: 'Other sessions' }),
    h('p', { class: 'hint', text: 'Logged in on a shared or lost device? Sign out every other browser and device at once. The Security centre lists them one by one.' }),
    err, h('div', { class: 'actions' }, btn));
  wire(form, err, btn, async () => {
    const res = await ctx.api.post(`${ctx.API}/sessions/end-others`, {});
    const n = Number(res.sessions_ended) || 0;
    announce(n ? `${n} other session${n === 1 ? ' was' : 's were'} signed out.` : 'There was no other session.');
  });
  return form;
}

// The cards Security settings shows besides the phrase.
export function securityCards(ctx) {
  return h('div', { class: 'two-col self' }, changePasswordCard(ctx), h('div', null, recoveryCodesCard(ctx), signOutCard(ctx)));
}

function showRecoverLogin(ctx) {
  const err = alertBox();
  const email = field('E-mail address', { type: 'email', autocomplete: 'username', required: true });
  const pw = passwordField('Password', 'current-password');
  const code = codeField('Recovery code', 'One of the codes you saved when you set up your authenticator, like ABCDE-FGHJK. It works once.');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'rl-h' },
    h('h1', { id: 'rl-h', text: 'Log in with a recovery code' }),
    h('p', { text: 'Then you set up your authenticator app again on your new phone. We send a notice to your e-mail address.' }),
    err, email.wrap, pw.wrap, code.wrap, submitRow('Log in', h('a', { href: '#/', text: 'Back to the usual login' })));
  wire(form, err, email.input, async () => {
    if (!email.input.value || !pw.input.value || !code.input.value.trim()) throw new Error('Enter your e-mail address, password and a recovery code.');
    const res = await ctx.api.post(`${ctx.API}/session`, { email: email.input.value, password: pw.input.value, recovery_code: code.input.value.trim() }, { expect401: true });
    ctx.api.setCsrf(res.csrf_token);
    ctx.signedIn(res);
  });
  ctx.screen(h('div', { class: 'two-col' }, form, lostEverything()));
  email.input.focus();
}

function showForgot(ctx) {
  const err = alertBox();
  const email = field('E-mail address', { type: 'email', autocomplete: 'username', required: true }, 'The address your account uses.');
  const done = h('p', { class: 'notice', role: 'status', hidden: true });
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'fp-h' },
    h('h1', { id: 'fp-h', text: 'Forgot your password?' }),
    h('p', { text: 'We send a link to choose a new password. To use it you also need your authenticator app or one of your recovery codes: the e-mail alone does not open your account.' }),
    err, done, email.wrap, submitRow('Send the link', h('a', { href: '#/', text: 'Back to login' })));
  wire(form, err, email.input, async () => {
    if (!email.input.value.trim()) throw new Error('Enter your e-mail address.');
    const res = await ctx.api.post(`${ctx.API}/password/forgot`, { email: email.input.value.trim() });
    done.textContent = res.message || 'If this address belongs to an account, a link is on its way.';
    done.hidden = false;
  });
  ctx.screen(h('div', { class: 'two-col' }, form, lostEverything()));
  email.input.focus();
}

function showReset(ctx, token) {
  const err = alertBox();
  const code = tag(codeField('Authenticator code or recovery code', CODE_HINT), 'totp');
  const next = tag(passwordField('New password', 'new-password', NEW_HINT), 'new');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'rp-h' },
    h('h1', { id: 'rp-h', text: 'Choose a new password' }),
    h('p', { text: 'Every session of your account is signed out; then log in with the new password.' }),
    err, code.wrap, next.wrap, submitRow('Set new password', h('a', { href: '#/forgot', text: 'Ask for a new link' })));
  wire(form, err, code.input, async () => {
    if (!code.input.value.trim() || !next.input.value) throw new Error('Enter a code and the new password.');
    await ctx.api.post(`${ctx.API}/password/reset`, { token: token || '', ...factor(code.input.value), new: next.input.value });
    history.replaceState(null, '', location.pathname);
    ctx.screen(h('section', { class: 'card', 'aria-labelledby': 'rd-h' },
      h('h1', { id: 'rd-h', text: 'Your password was changed' }),
      h('p', { text: 'Every session of your account was signed out, and we sent a notice to your e-mail address.' }),
      h('p', null, h('a', { class: 'button primary', href: '#/', text: 'Log in' }))));
  });
  ctx.screen(h('div', { class: 'two-col' }, form, lostEverything()));
  code.input.focus();
}

function showSignup(ctx) {
  const err = alertBox();
  const email = field('E-mail address', { type: 'email', autocomplete: 'email', required: true }, 'We send a link to this address to check it is yours.');
  const done = h('p', { class: 'notice', role: 'status', hidden: true });
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'su-h' },
    h('h1', { id: 'su-h', text: 'Create an account' }),
    err, done, email.wrap, submitRow('Send the link', h('a', { href: '#/', text: 'Back to login' })));
  wire(form, err, email.input, async () => {
    if (!email.input.value.trim()) throw new Error('Enter your e-mail address.');
    const res = await ctx.api.post(`${ctx.API}/signup`, { email: email.input.value.trim() });
    done.textContent = res.message || 'Check your e-mail.';
    done.hidden = false;
  });
  ctx.screen(form);
  email.input.focus();
}

function showSignupConfirm(ctx, token) {
  const err = alertBox();
  const email = tag(field('E-mail address', { type: 'email', autocomplete: 'email', required: true }, 'The address the link was sent to.'), 'email');
  const name = tag(field('Your name', { type: 'text', autocomplete: 'name', required: true, maxlength: '100' }), 'name');
  const pw = tag(passwordField('Password', 'new-password', NEW_HINT), 'password');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'sc-h' },
    h('h1', { id: 'sc-h', text: 'Finish creating your account' }),
    h('p', { text: 'Next you set up an authenticator app: your account needs a code from it at every login.' }),
    err, email.wrap, name.wrap, pw.wrap, submitRow('Create account'));
  wire(form, err, email.input, async () => {
    if (!email.input.value.trim() || !name.input.value.trim() || !pw.input.value) throw new Error('Fill in your e-mail address, name and a password.');
    const res = await ctx.api.post(`${ctx.API}/signup/confirm`, { token: token || '', email: email.input.value.trim(), name: name.input.value.trim(), password: pw.input.value });
    ctx.api.setCsrf(res.csrf_token);
    ctx.signedIn(res);
  });
  ctx.screen(form);
  email.input.focus();
}

// The pages of self-service before login; true when parts named one.
export function selfRoute(parts, ctx) {
  switch (parts[0]) {
    case 'recover': showRecoverLogin(ctx); return true;
    case 'forgot': showForgot(ctx); return true;
    case 'reset': showReset(ctx, parts[1]); return true;
    case 'signup':
      if (parts[1]) showSignupConfirm(ctx, parts[1]);
      else showSignup(ctx);
      return true;
    default: return false;
  }
}

// "Mark as solved" on one of the customer's tickets (reload: show it
// again); a solved ticket says how to reopen it.
export function solveControl(ctx, t, reload) {
  if (t.status === 'solved') {
    return h('p', { class: 'hint solved-hint', text: 'This request is solved. Write a reply below to open it again.' });
  }
  const err = alertBox();
  const btn = h('button', { type: 'button', text: 'Mark as solved' });
  btn.addEventListener('click', async () => {
    hideError(err);
    btn.disabled = true;
    try {
      await ctx.api.post(`${ctx.API}/tickets/${encodeURIComponent(t.id)}/solve`, {});
      announce('Marked as solved. Write a reply to open it again.');
      await reload();
    } catch (e) {
      btn.disabled = false;
      showError(err, e);
    }
  });
  return h('div', { class: 'solve' }, err, btn);
}
