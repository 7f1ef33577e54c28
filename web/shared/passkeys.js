// Gatehouse web front end: the passkey controls both apps show (issue 17).
// One file in web/shared/; the console and the portal each pass their API
// client and prefix (/api/v1/staff or /api/v1/portal), so staff and
// customers see the same controls:
//  - "Sign in with a passkey" under the login form (passkeyLoginButton);
//  - the "Passkeys" card (My account, Security centre): each passkey with
//    its name, when it was added and last used, "synced" when it is kept
//    in a password manager or platform account (backed up); Rename,
//    Delete (confirmed in place), "Add a passkey" (passkeysCard).
// The ceremonies themselves are in webauthn.js; the server decides
// everything (policy included: deleting the last passkey of a role that
// must use one is refused there, and this card says so in words).
import { ApiError, h, replace, timeEl, announce, showError, hideError, field, busy, listOf, alertBox } from './lib.js';
import { passkeysAvailable, UNAVAILABLE, registerPasskey, passkeyLogin, ceremonyMessage } from './webauthn.js';

// The longest name the server keeps (code points).
export const NAME_MAX = 64;

// Why a passkey name cannot be used ('' when it can). An empty name is
// fine when adding one (the server names it "Passkey N").
export function nameProblem(name, required) {
  const n = [...name].length;
  if (!n) return required ? 'Give the passkey a name.' : '';
  if (n > NAME_MAX) return `The name is too long: at most ${NAME_MAX} characters, this is ${n}.`;
  return '';
}

// The labelled name field of a new passkey.
export function newNameField(id) {
  return field('Name of the new passkey', { type: 'text', id, autocomplete: 'off', spellcheck: 'false' },
    `Optional, up to ${NAME_MAX} characters: where it lives, like “Work laptop” or “Phone”.`);
}

// ------------------------------------------------------------------ login

// "Sign in with a passkey" for a login form. opts: api, base (the app's
// API prefix), email (the e-mail input: its address, when typed, narrows
// the choice to that account's passkeys), err (the form's alert) and
// signedIn(res) as the password login calls it. Returns {wrap, button}.
// Without WebAuthn the button is disabled and says why.
export function passkeyLoginButton(opts) {
  const ok = passkeysAvailable();
  const hintId = 'passkey-login-hint';
  const button = h('button', {
    type: 'button', class: 'passkey-button', disabled: !ok, 'aria-describedby': hintId,
    text: ok ? 'Sign in with a passkey' : 'Sign in with a passkey (not available in this browser)',
  });
  const hint = h('p', { class: 'hint', id: hintId, text: ok
    ? 'Your device asks for its PIN, fingerprint or face; no password or code needed. A passkey works only on this site, so a fake page cannot use it.'
    : UNAVAILABLE });
  button.addEventListener('click', async () => {
    hideError(opts.err);
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    let res = null;
    try {
      res = await passkeyLogin(opts.api, opts.base, opts.email.value.trim());
    } catch (e) {
      showError(opts.err, ceremonyMessage(e));
    }
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (!res) {
      button.focus();
      return;
    }
    opts.api.setCsrf(res.csrf_token);
    opts.signedIn(res);
  });
  const wrap = h('div', { class: 'passkey-login' }, h('p', { class: 'or', text: 'or' }), button, hint);
  return { wrap, button };
}

// ------------------------------------------------------------- the card

// "Added …, last used …" of passkey p.
function metaLine(p) {
  return h('p', { class: 'passkey-meta' },
    'Added ', timeEl(p.created_at), ' · ',
    p.last_used_at ? ['Last used ', timeEl(p.last_used_at)] : h('span', { text: 'Not used yet' }));
}

// The rename form of passkey p in its item (ui: the card's state).
function renameForm(ui, p, item) {
  const err = alertBox();
  const name = field('New name', { type: 'text', id: `passkey-${p.id}-name`, autocomplete: 'off', spellcheck: 'false', value: p.name || '' },
    `Up to ${NAME_MAX} characters.`);
  const cancel = h('button', { type: 'button', text: 'Cancel' });
  const form = h('form', { class: 'form passkey-edit', novalidate: true, 'aria-label': `Rename passkey ${p.name}` },
    err, name.wrap, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Save name' }), cancel));
  const close = () => { closePanels(item); item.querySelector('.passkey-rename').focus(); };
  cancel.addEventListener('click', close);
  form.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') close(); });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const v = name.input.value.trim();
    const bad = nameProblem(v, true);
    if (bad) { showError(err, bad); name.input.focus(); return; }
    busy(form, async () => {
      try {
        const res = await ui.api.put(`${ui.base}/passkeys/${encodeURIComponent(p.id)}`, { name: v });
        announce(`The passkey is now called “${(res.passkey && res.passkey.name) || v}”.`);
        await load(ui, { focus: `${ui.id}-rename-${p.id}` });
      } catch (e) {
        showError(err, e);
        name.input.focus();
      }
    });
  });
  return form;
}

// The delete confirmation of passkey p in its item.
function deleteConfirm(ui, p, item) {
  const err = alertBox();
  const yes = h('button', { type: 'button', class: 'danger', text: 'Delete passkey' });
  const no = h('button', { type: 'button', text: 'Keep it' });
  const box = h('div', { class: 'passkey-edit confirm', role: 'group', 'aria-label': `Delete passkey ${p.name}` },
    h('p', { text: `Delete “${p.name}”? You can no longer sign in with it. Remove it from the device or password manager too.` }),
    err, h('div', { class: 'actions' }, yes, no));
  const close = () => { closePanels(item); item.querySelector('.passkey-delete').focus(); };
  no.addEventListener('click', close);
  box.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') close(); });
  yes.addEventListener('click', async () => {
    hideError(err);
    yes.disabled = true;
    try {
      await ui.api.del(`${ui.base}/passkeys/${encodeURIComponent(p.id)}`);
      announce(`The passkey “${p.name}” was deleted.`);
      await load(ui, { focus: 'heading' });
    } catch (e) {
      yes.disabled = false;
      // passkey_last: the server's words say why and what to do.
      showError(err, e instanceof ApiError && e.code === 'passkey_last' ? `Not deleted: ${e.message}` : e);
      no.focus();
    }
  });
  return box;
}

// Closes the rename or delete panel of item.
function closePanels(item) {
  for (const old of item.querySelectorAll('.passkey-edit')) old.remove();
  for (const b of item.querySelectorAll('button[aria-expanded]')) b.setAttribute('aria-expanded', 'false');
}

// Opens panel (rename or delete) under button in item, closing any other.
function openPanel(item, panel, button) {
  closePanels(item);
  button.setAttribute('aria-expanded', 'true');
  item.appendChild(panel);
  const first = panel.querySelector('input') || panel.querySelector('button');
  if (first) first.focus();
}

// The words under a flagged passkey: its signature counter went back, so
// it may have been copied, and the server refuses it. Said in words (the
// red border alone would tell no screen reader and no colour-blind user).
export const FLAGGED_TEXT = 'Blocked: this passkey may have been copied. Delete it and add a new one.';

function passkeyItem(ui, p) {
  const flagged = p.flagged === true;
  const item = h('li', { class: flagged ? 'passkey flagged' : 'passkey', dataset: { id: String(p.id) } });
  const rename = h('button', { type: 'button', class: 'passkey-rename', id: `${ui.id}-rename-${p.id}`, text: 'Rename', 'aria-label': `Rename passkey ${p.name}`, 'aria-expanded': 'false' });
  const del = h('button', { type: 'button', class: 'passkey-delete danger', text: 'Delete…', 'aria-label': `Delete passkey ${p.name}…`, 'aria-expanded': 'false' });
  rename.addEventListener('click', () => openPanel(item, renameForm(ui, p, item), rename));
  del.addEventListener('click', () => openPanel(item, deleteConfirm(ui, p, item), del));
  return replace(item,
    h('div', { class: 'passkey-head' },
      h('span', { class: 'passkey-name', text: p.name || 'Passkey' }),
      p.backed_up ? h('span', { class: 'badge synced', text: 'synced', title: 'Kept in a password manager or platform account, so your other devices have it too.' }) : null),
    flagged ? h('p', { class: 'passkey-flagged', text: FLAGGED_TEXT }) : null,
    metaLine(p),
    h('div', { class: 'actions' }, rename, del));
}

// Reads the list again and draws it; then the focus goes to after.focus
// ('heading', or the id of an element of the new list).
async function load(ui, after = {}) {
  let res;
  try {
    res = await ui.api.get(`${ui.base}/passkeys`);
  } catch (e) {
    replace(ui.list);
    showError(ui.err, e);
    return;
  }
  hideError(ui.err);
  // After a rename or a deletion an earlier refusal of "Add" is stale.
  if (after.focus) hideError(ui.addErr);
  const items = listOf(res.passkeys);
  ui.required.hidden = !res.required;
  replace(ui.list, items.length
    ? h('ul', { class: 'passkey-list', 'aria-label': 'Your passkeys' }, items.map((p) => passkeyItem(ui, p)))
    : h('p', { class: 'empty', text: res.required
      ? 'No passkeys yet. Your role must sign in with one: add one now.'
      : 'No passkeys yet. Add one to sign in without a password or code.' }));
  const target = after.focus === 'heading' ? ui.heading : after.focus ? document.getElementById(after.focus) : null;
  if (target) {
    if (target === ui.heading) target.setAttribute('tabindex', '-1');
    target.focus();
  }
}

// The "Add a passkey" form of the card.
function addForm(ui) {
  const err = alertBox();
  ui.addErr = err;
  const name = newNameField(`${ui.id}-new-name`);
  const ok = passkeysAvailable();
  const hintId = `${ui.id}-add-hint`;
  const button = h('button', { type: 'submit', class: 'primary', text: 'Add a passkey', disabled: !ok, 'aria-describedby': ok ? null : hintId });
  const form = h('form', { class: 'form passkey-add', novalidate: true, 'aria-label': 'Add a passkey' },
    err, name.wrap, h('div', { class: 'actions' }, button),
    ok ? null : h('p', { class: 'hint', id: hintId, text: UNAVAILABLE }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(err);
    const v = name.input.value.trim();
    const bad = nameProblem(v, false);
    if (bad) { showError(err, bad); name.input.focus(); return; }
    await busy(form, async () => {
      try {
        const p = await registerPasskey(ui.api, ui.base, v);
        name.input.value = '';
        announce(`Passkey “${(p && p.name) || v || 'Passkey'}” added. You can sign in with it now.`);
        await load(ui);
      } catch (e) {
        showError(err, ceremonyMessage(e));
      }
    });
    // busy() disabled the button while it had the focus.
    button.focus();
  });
  return form;
}

// The "Passkeys" card. ctx: api, base (the app's API prefix), id (a
// prefix for element ids, unique in the page), cls (extra classes of
// the section). Returns the section; its list loads at once.
export function passkeysCard(ctx) {
  const id = ctx.id || 'passkeys';
  const ui = {
    api: ctx.api, base: ctx.base, id,
    heading: h('h2', { id: `${id}-h`, text: 'Passkeys' }),
    required: h('p', { class: 'notice', hidden: true, text: 'Your role signs in with a passkey. Keep at least one; a second on another device saves you if you lose one.' }),
    err: alertBox(`${id}-error`),
    list: h('div', { class: 'passkey-list-wrap' }, h('p', { class: 'loading', text: 'Loading…' })),
  };
  const card = h('section', { class: `card passkeys ${ctx.cls || ''}`.trim(), 'aria-labelledby': `${id}-h` },
    ui.heading,
    h('p', { class: 'hint', text: 'A passkey signs you in with your device’s screen lock (PIN, fingerprint or face) or a security key. It works only on this site, so a fake login page cannot capture or replay it.' }),
    ui.required, ui.err, ui.list, addForm(ui));
  load(ui);
  return card;
}
