// Gatehouse agent console, "Staff" screen (issue 17, part GATE): each
// member's passkeys and losing one.
//
// A member's passkeys: the count in the list; opening it loads their
// names, when each was created and last used, and whether it is synced
// (backed up). Supervisors and administrators see them; nobody sees a
// key.
//
// A lost passkey is never reset by one person: an administrator asks for
// the reset of another member's passkeys, with a reason; a DIFFERENT
// administrator approves it in "Passkey resets waiting" (or either denies
// it). On approval every passkey of the member is removed and their
// sessions end; they sign in with password and authenticator code and
// must register a new passkey. A request not decided in 24 hours expires.
// The server enforces all of it; the screen only explains.
import { ApiError, h, replace, timeEl, announce, showError, hideError, alertBox, listOf } from './lib.js';
import { API, api, state, render, isAdmin } from './shell.js';
import { reasonToggle, exclusive } from './reason.js';

// One passkey of a member: name, created, last used, synced; blocked
// (in words) when the server flagged it: its counter went back.
function passkeyItem(p) {
  return h('li', { class: 'staff-passkey' },
    h('span', { class: 'passkey-name', text: p.name || 'Passkey' }),
    h('span', { class: 'muted' }, ' — added ', timeEl(p.created_at), ', ',
      p.last_used_at ? ['last used ', timeEl(p.last_used_at)] : 'never used'),
    p.backed_up ? h('span', { class: 'badge ok', text: 'Synced' }) : null,
    p.flagged === true ? h('span', { class: 'badge warn', text: 'Blocked: may have been copied' }) : null);
}

// The "Passkeys" cell: the count, and on opening the list (loaded once).
export function passkeysCell(s) {
  const n = Number(s.passkeys) || 0;
  const mustHave = s.role === 'supervisor' || s.role === 'admin';
  if (n === 0) {
    return h('span', { class: mustHave ? 'badge warn' : 'muted',
      text: mustHave ? 'None — must register one' : 'None' });
  }
  const list = h('ul', { class: 'staff-passkeys' }, h('li', { class: 'loading', text: 'Loading…' }));
  const err = alertBox();
  const d = h('details', { class: 'passkeys-of' },
    h('summary', { text: `${n} passkey${n === 1 ? '' : 's'}`, 'aria-label': `${n} passkey${n === 1 ? '' : 's'} of ${s.name || s.email}` }),
    err, list);
  let loaded = false;
  d.addEventListener('toggle', async () => {
    if (!d.open || loaded) return;
    loaded = true;
    try {
      const res = await api.get(`${API}/admin/staff/${encodeURIComponent(s.id)}/passkeys`);
      const items = listOf(res.passkeys);
      replace(list, items.length ? items.map(passkeyItem) : h('li', { class: 'muted', text: 'No passkeys.' }));
    } catch (e) {
      loaded = false;
      replace(list);
      showError(err, e);
    }
  });
  return d;
}

// An administrator's "Reset passkeys…" on member s (never their own):
// a reason, then the request waits for a second administrator. waiting:
// the ids of members whose reset waits already (they get a note instead).
export function resetToggle(s, err, waiting) {
  const name = s.name || s.email;
  if (!isAdmin() || (state.me && s.id === state.me.id) || !(Number(s.passkeys) > 0)) return null;
  if (waiting && waiting.has(s.id)) return h('p', { class: 'muted', text: 'Passkey reset waiting for approval' });
  const t = reasonToggle({
    open: 'Reset passkeys…', openLabel: `Reset the passkeys of ${name}`, kind: 'pkreset-request',
    id: `pkreset-reason-${s.id}`, label: `Why reset the passkeys of ${name}?`, submit: 'Ask for the reset',
    hint: 'For a lost or stolen passkey. Another administrator must approve it; then every passkey of this person is removed, they are signed out, and they register a new one at their next sign-in. Recorded in the audit log.',
    send: async (reason) => {
      await api.post(`${API}/admin/staff/${encodeURIComponent(s.id)}/passkeys/reset`, { reason });
      announce(`The reset of ${name}'s passkeys waits for another administrator's approval.`);
      await render();
    },
    error: (e) => resetError(e),
  });
  hideError(err);
  return h('div', { class: 'pkreset-ask' }, t.open, t.form);
}

// A refused reset step in plain words.
function resetError(e) {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'self_approval') return 'You asked for this reset, so another administrator must approve it. Nobody can reset a passkey alone.';
  if (e.code === 'self_reset') return 'You cannot reset your own passkeys: ask another administrator.';
  if (e.code === 'reset_pending') return 'A reset of this person\'s passkeys already waits for approval (see "Passkey resets waiting").';
  if (e.code === 'reset_closed') return 'This reset was already decided by another administrator, or it expired after 24 hours.';
  if (e.code === 'no_passkey') return 'This person has no passkey to reset.';
  return e;
}

// One waiting request: who, why, who asked, until when; Approve (never
// the requester's own) and Deny, each with an optional reason.
function resetItem(x) {
  const mine = state.me && x.requested_by && x.requested_by.id === state.me.id;
  const who = (x.staff && (x.staff.name || x.staff.email)) || `staff #${x.staff && x.staff.id}`;
  const title = `pkr-${x.id}-title`;
  if (state.me && x.staff && x.staff.id === state.me.id) {
    return h('li', { class: 'pkreset' },
      h('article', { 'aria-labelledby': title },
        h('h3', { id: title, text: 'Reset of your own passkeys' }),
        h('p', null, 'Asked by ', (x.requested_by && x.requested_by.name) || 'an administrator', ' on ', timeEl(x.created_at), '.'),
        h('p', { class: 'pkreset-reason' }, h('span', { class: 'muted', text: 'Reason: ' }), x.reason),
        h('p', { class: 'hint', text: 'Other administrators decide about your passkeys. If you did not lose one, tell your security team.' })));
  }
  const decide = (verb) => reasonToggle({
    open: verb === 'approve' ? 'Approve…' : (mine ? 'Withdraw…' : 'Deny…'),
    openLabel: `${verb === 'approve' ? 'Approve' : 'Deny'} the passkey reset of ${who}`, describedBy: title,
    kind: `pkreset-${verb}`, id: `pkr-${verb}-${x.id}`,
    label: verb === 'approve' ? 'How did you confirm it is really them?' : 'Why not?',
    submit: verb === 'approve' ? 'Approve: remove their passkeys' : 'Deny the reset',
    hint: verb === 'approve'
      ? 'Confirm through a channel you trust (in person, or a call back to the number on file). Approving removes every passkey of this person and signs them out now.'
      : 'Nothing changes on their account.',
    send: async (reason) => {
      await api.post(`${API}/admin/passkey-resets/${encodeURIComponent(x.id)}/${verb}`, { reason });
      announce(verb === 'approve' ? `The passkeys of ${who} were removed and their sessions ended.` : `The reset of ${who}'s passkeys was denied.`);
      await render();
    },
    error: (e) => resetError(e),
  });
  const deny = decide('deny');
  const approve = mine ? null : decide('approve');
  if (approve) exclusive(approve, deny);
  return h('li', { class: 'pkreset' },
    h('article', { 'aria-labelledby': title },
      h('h3', { id: title, text: `Reset the passkeys of ${who}` }),
      h('p', null, 'Asked by ', (x.requested_by && x.requested_by.name) || 'an administrator', ' on ', timeEl(x.created_at),
        '; expires ', timeEl(x.expires_at), '.'),
      h('p', { class: 'pkreset-reason' }, h('span', { class: 'muted', text: 'Reason: ' }), x.reason),
      mine ? h('p', { class: 'hint', text: 'You asked for this: another administrator must approve it.' }) : null,
      h('div', { class: 'actions' }, approve ? approve.open : null, deny.open),
      approve ? approve.form : null, deny.form));
}

// "Passkey resets waiting" (administrators): {el: the section, or null
// for others; staff: the ids of the members concerned}.
export async function pendingResets() {
  const staff = new Set();
  if (!isAdmin()) return { el: null, staff };
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading…' }));
  const sec = h('section', { class: 'card pkresets', 'aria-labelledby': 'pkr-h' },
    h('h2', { id: 'pkr-h', text: 'Passkey resets waiting' }),
    h('p', { class: 'hint', text: 'A lost passkey is reset by two administrators: one asks, another approves.' }),
    err, body);
  try {
    const items = listOf((await api.get(`${API}/admin/passkey-resets`)).resets);
    items.forEach((x) => staff.add(x.staff && x.staff.id));
    replace(body, items.length
      ? h('ul', { class: 'pkreset-list', 'aria-label': 'Passkey resets waiting for approval' }, items.map(resetItem))
      : h('p', { class: 'empty', text: 'No reset waits for approval.' }));
  } catch (e) {
    replace(body);
    showError(err, e);
  }
  return { el: sec, staff };
}
