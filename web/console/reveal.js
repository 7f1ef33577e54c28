// Gatehouse agent console: revealing one personal field of a customer.
// Every field is shown masked; "Reveal…" asks why (3..500 characters,
// audited with the agent's name, the ticket and the verification) and
// sends the ticket's verification. The server decides: the field's class
// needs a level (C1 contact: 1, C2 personal: 2) that the verification
// must hold. A revealed value is shown with the agent's own name written
// over it (a watermark: a photo of the screen names who took it) and is
// hidden again after the server's hide_after seconds, counted down in
// view; it is never kept anywhere else. Refusals say in plain words which
// level is needed, which is held and which factor to add, or that a
// supervisor must review (reveals locked).
import { ApiError, h, replace, announce } from './lib.js';
import { trainingNotice } from './training.js';
import { API, api, state } from './shell.js';
import { reasonToggle } from './reason.js';

const FIELD_LABEL = {
  email: 'e-mail address', phone: 'phone number', dob: 'date of birth',
  address: 'address', account_number: 'account number',
};

// The field's name in words ("e-mail address"; a custom field's own name).
export function fieldLabel(f) {
  return FIELD_LABEL[f.name] || String(f.label || f.name || 'field').replace(/_/g, ' ');
}

function capitalised(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// The level field class cls needs (C2 personal: 2, else 1).
export function levelFor(cls) {
  return cls === 'C2' ? 2 : 1;
}

// The level a reveal of field f needs (the server says; else by class).
function levelOf(f) {
  return Number(f.level) || levelFor(f.class);
}

function passedMethods(ctx) {
  const all = ctx.v && Array.isArray(ctx.v.factors) ? ctx.v.factors : [];
  return all.filter((f) => f.state === 'passed').map((f) => f.method);
}

// The factor to add to go from level held to level need.
function nextFactor(ctx, need, held) {
  if (held < 1) {
    return 'Add a strong factor: ask the customer to approve in the portal, or to read the code from their authenticator app.';
  }
  const passed = passedMethods(ctx);
  const others = [];
  if (!passed.includes('totp')) others.push('the customer’s authenticator code');
  if (!passed.includes('portal_approval') && !passed.includes('passkey')) others.push('approval in the portal (with or without a passkey)');
  others.push('a code sent to the e-mail or phone on file');
  return `Add a second factor of another kind: ${others.join(', or ')}.`;
}

// A refused reveal of f in plain words; a refusal that ends the
// verification also ends it in ctx.
function revealError(e, f, ctx) {
  if (!(e instanceof ApiError)) return e;
  const what = `the ${fieldLabel(f)}`;
  if (e.code === 'verification_required') {
    const need = Number(e.data.level_needed) || levelOf(f);
    const held = Number(e.data.level_held) || 0;
    if (held < need) {
      return `Not revealed: ${what} (class ${f.class || '?'}) needs a level-${need} verification; this caller is verified at level ${held}. ${nextFactor(ctx, need, held)}`;
    }
    return `Not revealed: your verification does not hold for ${what} — it expired, belongs to another agent or ticket, or the ticket changed. Start a new verification. (Your own login must also have used your authenticator.)`;
  }
  if (e.code === 'reveals_locked') {
    return 'Not revealed: your reveals are locked because you revealed more than the hourly limit. A supervisor has been notified and must review your reveals and clear the lock. Nothing was shown.';
  }
  if (e.status === 404) {
    return `Not revealed: the customer has no ${fieldLabel(f)} on file, or you no longer see this customer (no ticket of theirs is in your queues).`;
  }
  if (ctx.refuse(e)) return `Not revealed: the verification ended. ${e.message}`;
  if (e.code === 'bad_field') return `Not revealed: ${e.message}`;
  return e;
}

// The revealed value of f with the viewer's name over it and the
// countdown; hide() runs when the time is up, on "Hide now", or when the
// field leaves the page.
function revealedView(f, res, hide) {
  const who = (res.revealed_by && res.revealed_by.name) || (state.me && state.me.name) || 'you';
  let left = Math.max(1, Number(res.hide_after) || 60);
  const secs = h('strong', { class: 'hide-left', text: String(left) });
  const done = h('button', { type: 'button', text: 'Hide now' });
  const el = h('div', { class: 'revealed' },
    h('div', { class: 'revealed-box' },
      h('span', { class: 'value', text: res.value === undefined ? '' : String(res.value) }),
      h('span', { class: 'watermark', 'aria-hidden': 'true' },
        [0, 1, 2].map(() => h('span', { text: Array(8).fill(who).join(' · ') })))),
    h('p', { class: 'revealed-by' }, `Revealed to ${who} — recorded in the audit log. Hidden again in `, secs, ' s.'),
    done);
  const timer = setInterval(() => {
    left -= 1;
    secs.textContent = String(Math.max(0, left));
    if (left <= 0 || !el.isConnected) {
      clearInterval(timer);
      hide(el.isConnected);
    }
  }, 1000);
  done.addEventListener('click', () => {
    clearInterval(timer);
    hide(true);
  });
  return el;
}

// The masked value of f ("none on file" when the customer has none).
function maskedView(f) {
  if (f.masked === null || f.masked === undefined || f.masked === '') {
    return h('span', { class: 'masked none', text: 'None on file' });
  }
  return h('span', { class: 'masked', text: f.masked });
}

function hasValue(f) {
  return !(f.masked === null || f.masked === undefined || f.masked === '');
}

// Asks the server for f's value with reason; on success shows it in
// valueBox until hidden, then the masked value again (open: "Reveal…").
async function reveal(f, reason, ctx, valueBox, open) {
  const res = await api.post(`${API}/customers/${encodeURIComponent(ctx.customerId)}/reveal`,
    { field: f.name, reason, verification: ctx.verificationId() });
  // The focus goes back to "Reveal…" only from inside the value ("Hide
  // now"): a timeout never pulls it out of a field being typed in.
  const hide = (onPage) => {
    const inside = valueBox.contains(document.activeElement);
    replace(valueBox, maskedView(f));
    open.hidden = false;
    if (onPage) announce(`The ${fieldLabel(f)} is hidden again.`);
    if (onPage && inside) open.focus();
  };
  replace(valueBox, revealedView(f, res, hide));
  open.hidden = true;
  announce(`The ${fieldLabel(f)} is shown for ${Number(res.hide_after) || 60} seconds.`);
}

// The "Reveal…" button of f and the form asking for the reason.
export function revealControl(f, ctx, valueBox) {
  const label = fieldLabel(f);
  const t = reasonToggle({
    open: 'Reveal…', openLabel: `Reveal the ${label}…`, kind: 'reveal',
    label: `Why do you need the ${label}?`, id: `reveal-${f.name}-reason`, submit: `Reveal the ${label}`,
    hint: 'Recorded in the audit log with your name, the ticket and the verification. 3 to 500 characters.',
    check: () => (ctx.verificationId() ? ''
      : `Verify the caller first: the ${label} (class ${f.class || '?'}) needs a level-${levelOf(f)} verification, and there is none. Use “Verify caller”.`),
    send: (reason) => reveal(f, reason, ctx, valueBox, t.open),
    error: (e) => revealError(e, f, ctx),
    notice: trainingNotice,
  });
  return t;
}

// The class badge of f: "C1 contact · level 1".
function classText(f) {
  const cls = f.class || '?';
  const kind = { C1: 'contact', C2: 'personal' }[cls];
  return `${cls}${kind ? ' ' + kind : ''} · level ${levelOf(f)}`;
}

// One personal field: its name, class, masked value and "Reveal…" (none
// when the customer has no value in it).
export function fieldItem(f, ctx) {
  const valueBox = h('div', { class: 'pf-value' }, maskedView(f));
  const ctl = hasValue(f) ? revealControl(f, ctx, valueBox) : null;
  return h('li', { class: `pfield class-${f.class || 'unknown'}`, dataset: { field: f.name } },
    h('div', { class: 'pf-head' },
      h('span', { class: 'pf-name', text: capitalised(fieldLabel(f)) }), ' ',
      h('span', { class: `badge class-${f.class || 'unknown'}`, text: classText(f) }),
      f.custom ? h('span', { class: 'muted', text: ' custom field' }) : null),
    valueBox,
    ctl ? h('div', { class: 'actions' }, ctl.open) : null,
    ctl ? ctl.form : null);
}
