// Gatehouse agent console: canned replies (macros). Two parts:
//
//  - the picker in the reply composer (macroPicker): opened from the
//    keyboard with Ctrl+Shift+M anywhere in the reply, or by typing "/"
//    into an empty reply (or with the "Insert macro" button). Typing
//    filters by name and text; Up/Down move, Enter inserts the macro
//    expanded for this ticket (GET .../macros/{mid}/preview) at the caret
//    for the agent to edit before sending; Escape closes and returns to
//    the reply. A macro's actions (status, priority, tags) are shown under
//    the reply and applied once the reply was sent (not when it was held);
//    "Don't apply" drops them.
//  - the Macros screen (#/macros, showMacros): the caller's personal
//    macros and the shared ones of their queues; create, edit, delete
//    (shared ones by supervisors and admins only). The server refuses a
//    placeholder outside the four allowed and a text the outbound filter
//    would block; both refusals are shown with their reasons.
//
// Every server string goes into the page as text (lib.js).
import { ApiError, h, replace, field, select, alertBox, showError, hideError, announce, listOf, submitRow, busy, TEXT_MAX_BYTES } from './lib.js';
import { API, api, screen, isSupervisor } from './shell.js';
import { reasonFor } from './blocked.js';

const STATUS_OPTS = [['', 'Leave as it is'], ['open', 'Open'], ['pending', 'Pending'], ['solved', 'Solved']];
const PRIORITY_OPTS = [['', 'Leave as it is'], ['low', 'Low'], ['normal', 'Normal'], ['high', 'High'], ['urgent', 'Urgent']];
const PLACEHOLDERS = ['{{customer.first_name}}', '{{agent.first_name}}', '{{ticket.id}}', '{{company.name}}'];
let pickerSeq = 0;

// "status Pending · priority High · tags +vip −new", or '' for none.
export function actionSummary(a) {
  if (!a) return '';
  const parts = [];
  if (a.status) parts.push(`status ${a.status}`);
  if (a.priority) parts.push(`priority ${a.priority}`);
  const tags = listOf(a.add_tags).map((t) => `+${t}`).concat(listOf(a.remove_tags).map((t) => `−${t}`));
  if (tags.length) parts.push(`tags ${tags.join(' ')}`);
  return parts.join(' · ');
}

// The message of a refused save or send, with the reasons of a block.
function refusalText(e) {
  if (!(e instanceof ApiError)) return String(e && e.message ? e.message : e);
  if (e.code === 'bad_placeholder') {
    const name = e.data.placeholder ? `{{${e.data.placeholder}}}` : 'an unclosed {{';
    return `${name} is not an allowed placeholder. Use ${PLACEHOLDERS.join(', ')}.`;
  }
  if (e.code === 'dlp_blocked') {
    const why = Array.from(new Set(listOf(e.data.findings).map(reasonFor)));
    return `The outbound filter would block this text: ${why.join(' ')}`;
  }
  return e.message;
}

// ---------------------------------------------------------------- picker

// The popup: a filter box (combobox) over a list of macros (listbox).
function pickerPopup(id) {
  const listId = `${id}-list`;
  const filter = h('input', {
    type: 'text', id: `${id}-filter`, role: 'combobox', 'aria-autocomplete': 'list',
    'aria-expanded': 'true', 'aria-controls': listId, autocomplete: 'off', spellcheck: 'false',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'macro-options', 'aria-label': 'Macros' });
  const note = h('p', { class: 'muted macro-note', 'aria-live': 'polite' });
  const pop = h('div', { class: 'macro-picker', role: 'dialog', 'aria-label': 'Insert a macro', hidden: true },
    h('label', { for: filter.id, text: 'Find a macro (↑ ↓ to choose, Enter to insert, Esc to close)' }),
    filter, list, note);
  return { pop, filter, list, note };
}

// Inserts text into input at its caret (replacing the selection; from
// `from` when given: the "/" that opened the picker).
function insertAt(input, text, from) {
  const a = from !== null ? from : input.selectionStart;
  const b = input.selectionEnd;
  input.value = input.value.slice(0, a) + text + input.value.slice(b);
  input.focus();
  input.setSelectionRange(a + text.length, a + text.length);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

// The picker's list: the macros matching the filter, one active.
function renderOptions(p, st) {
  const q = p.filter.value.trim().toLowerCase();
  st.shown = st.all.filter((m) => !q || m.name.toLowerCase().includes(q) || m.text.toLowerCase().includes(q));
  st.active = Math.min(Math.max(st.active, 0), Math.max(st.shown.length - 1, 0));
  replace(p.list, st.shown.map((m, i) => h('li', {
    role: 'option', id: `${p.list.id}-${i}`, 'aria-selected': i === st.active ? 'true' : 'false',
    class: i === st.active ? 'active' : null, dataset: { index: String(i) },
  }, h('span', { class: 'name', text: m.name }),
  h('span', { class: 'muted', text: m.scope === 'queue' ? ` · ${m.queue}` : ' · personal' }))));
  if (st.shown.length) p.filter.setAttribute('aria-activedescendant', `${p.list.id}-${st.active}`);
  else p.filter.removeAttribute('aria-activedescendant');
  p.note.textContent = st.all.length === 0 ? 'No macros yet: add them on the Macros screen.'
    : st.shown.length === 0 ? 'No macro matches.' : `${st.shown.length} of ${st.all.length} macros`;
  const act = p.list.children[st.active];
  if (act && act.scrollIntoView) act.scrollIntoView({ block: 'nearest' });
}

// The bar under the reply: pending actions of an inserted macro.
function pendingBar() {
  const text = h('span');
  const drop = h('button', { type: 'button', class: 'link', text: 'Don’t apply' });
  const bar = h('p', { class: 'macro-pending', hidden: true }, text, ' ', drop);
  const err = alertBox();
  const pending = { actions: null, name: '' };
  function set(m) {
    const sum = actionSummary(m && m.actions);
    pending.actions = sum ? m.actions : null;
    pending.name = m ? m.name : '';
    text.textContent = sum ? `When sent, “${m.name}” also sets ${sum}.` : '';
    bar.hidden = !sum;
  }
  drop.addEventListener('click', () => set(null));
  return { bar, err, pending, set };
}

// Applies the pending actions of the macro to ticket id.
async function applyActions(id, a) {
  const base = `${API}/tickets/${encodeURIComponent(id)}`;
  if (a.status) await api.post(`${base}/status`, { status: a.status });
  if (a.priority) await api.post(`${base}/priority`, { priority: a.priority });
  if (listOf(a.add_tags).length || listOf(a.remove_tags).length) {
    await api.post(`${base}/tags`, { add: listOf(a.add_tags), remove: listOf(a.remove_tags) });
  }
}

// Keys of the filter box: move, insert, close.
function filterKeys(ev, st, p, choose, close) {
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    st.active += ev.key === 'ArrowDown' ? 1 : -1;
    if (st.active < 0) st.active = st.shown.length - 1;
    if (st.active >= st.shown.length) st.active = 0;
    renderOptions(p, st);
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    if (st.shown[st.active]) choose(st.shown[st.active]);
  } else if (ev.key === 'Escape') {
    ev.preventDefault();
    close();
  }
}

// The macro picker of the reply composer of ticket id over textarea
// input. Returns {el, sent, reset}: el goes above the reply field; the
// composer calls sent(res) after a reply went out (applies the pending
// actions unless it was held) and reset() when it clears the draft.
export function macroPicker(id, input) {
  const p = pickerPopup(`macro-picker-${++pickerSeq}`);
  const st = { all: [], shown: [], active: 0, from: null };
  const pend = pendingBar();
  const open = h('button', { type: 'button', class: 'macro-open', 'aria-keyshortcuts': 'Control+Shift+M', text: 'Insert macro' });
  const hint = h('span', { class: 'hint', text: 'Ctrl+Shift+M, or type / in an empty reply' });
  // Escape after "/" types the "/" after all.
  const close = () => {
    const from = st.from;
    p.pop.hidden = true;
    st.from = null;
    if (from !== null) insertAt(input, '/', from);
    else input.focus();
  };
  async function choose(m) {
    try {
      const res = await api.get(`${API}/tickets/${encodeURIComponent(id)}/macros/${encodeURIComponent(m.id)}/preview`);
      const from = st.from;
      p.pop.hidden = true;
      st.from = null;
      insertAt(input, res.text, from);
      pend.set(m);
      announce(`Macro “${m.name}” inserted. Edit it, then send.`);
    } catch (e) {
      p.note.textContent = refusalText(e);
    }
  }
  async function show(fromSlash) {
    st.from = fromSlash ? input.selectionStart : null;
    p.filter.value = '';
    st.active = 0;
    p.pop.hidden = false;
    p.filter.focus();
    p.note.textContent = 'Loading macros…';
    try {
      st.all = listOf((await api.get(`${API}/macros?ticket=${encodeURIComponent(id)}`)).macros);
      renderOptions(p, st);
    } catch (e) {
      p.note.textContent = e.message;
    }
  }
  input.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey && ev.shiftKey && (ev.key === 'M' || ev.key === 'm')) {
      ev.preventDefault();
      show(false);
    } else if (ev.key === '/' && !ev.ctrlKey && !ev.altKey && !ev.metaKey && input.value.trim() === '') {
      ev.preventDefault();
      show(true);
    }
  });
  open.addEventListener('click', () => show(false));
  p.filter.addEventListener('input', () => { st.active = 0; renderOptions(p, st); });
  p.filter.addEventListener('keydown', (ev) => filterKeys(ev, st, p, choose, close));
  p.list.addEventListener('click', (ev) => {
    const li = ev.target.closest('li[role="option"]');
    if (li) choose(st.shown[Number(li.dataset.index)]);
  });
  const el = h('div', { class: 'macro-bar' }, h('div', { class: 'macro-row' }, open, ' ', hint), p.pop, pend.bar, pend.err);
  async function sent(res) {
    const a = pend.pending.actions;
    pend.set(null);
    if (!a || (res && res.status === 'held')) return;
    try {
      await applyActions(id, a);
    } catch (e) {
      showError(pend.err, `The reply was sent, but the macro’s actions were not applied: ${e.message}`);
    }
  }
  return { el, sent, reset: () => hideError(pend.err) };
}

// ---------------------------------------------------------------- screen

// The editor form of a macro (m: the macro edited, or null for a new one).
function macroForm(m, queues, done) {
  const err = alertBox('macro-error');
  const name = field('Name', { type: 'text', name: 'name', maxlength: '80', value: m ? m.name : '', id: 'macro-name' });
  const text = field('Text — sent to customers when used', {
    multiline: true, name: 'text', rows: '6', id: 'macro-text', maxlength: String(TEXT_MAX_BYTES),
  }, `Placeholders: ${PLACEHOLDERS.join(' ')}. Checked by the outbound filter when saved and again when sent.`);
  text.input.value = m ? m.text : '';
  const scopes = [['', 'Only me (personal)']].concat(listOf(queues).map((q) => [q, `Shared in queue ${q}`]));
  const scope = m || !listOf(queues).length ? null : select('Who can use it', 'scope', scopes, '');
  const a = (m && m.actions) || {};
  const status = select('Set status', 'macro-status', STATUS_OPTS, a.status || '');
  const prio = select('Set priority', 'macro-priority', PRIORITY_OPTS, a.priority || '');
  const addTags = field('Add tags (separated by spaces)', { type: 'text', name: 'add_tags', id: 'macro-add-tags', value: listOf(a.add_tags).join(' ') });
  const remTags = field('Remove tags (separated by spaces)', { type: 'text', name: 'remove_tags', id: 'macro-remove-tags', value: listOf(a.remove_tags).join(' ') });
  const cancel = m ? h('button', { type: 'button', text: 'Cancel', on: { click: () => done(false) } }) : null;
  const form = h('form', { class: 'card form macro-form', novalidate: true, 'aria-labelledby': 'macro-form-h' },
    h('h2', { id: 'macro-form-h', text: m ? `Edit “${m.name}”` : 'New macro' }), err,
    name.wrap, text.wrap, scope ? scope.wrap : null,
    h('fieldset', { class: 'macro-actions' }, h('legend', { text: 'When used, also' }), status.wrap, prio.wrap, addTags.wrap, remTags.wrap),
    submitRow(m ? 'Save changes' : 'Create macro', cancel));
  const words = (s) => s.split(/[\s,]+/).filter(Boolean);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const actions = { status: status.input.value || null, priority: prio.input.value || null,
      add_tags: words(addTags.input.value), remove_tags: words(remTags.input.value) };
    const body = { name: name.input.value.trim(), text: text.input.value, actions };
    if (scope && scope.input.value) body.queue = scope.input.value;
    busy(form, async () => {
      try {
        if (m) await api.put(`${API}/macros/${encodeURIComponent(m.id)}`, body);
        else await api.post(`${API}/macros`, body);
        announce(m ? `Macro “${body.name}” saved.` : `Macro “${body.name}” created.`);
        done(true);
      } catch (e) {
        showError(err, refusalText(e));
        (e.data && e.data.field === 'name' ? name.input : text.input).focus();
      }
    });
  });
  return { form, first: name.input };
}

// One macro of the list: name, scope, text, actions; Edit and Delete when
// the caller may change it (Delete asks once more).
function macroItem(m, edit, reload, err) {
  const del = h('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete macro ${m.name}` });
  del.addEventListener('click', async () => {
    if (!del.dataset.confirm) {
      del.dataset.confirm = '1';
      del.textContent = 'Confirm delete';
      return;
    }
    try {
      await api.del(`${API}/macros/${encodeURIComponent(m.id)}`);
      announce(`Macro “${m.name}” deleted.`);
      reload();
    } catch (e) {
      showError(err, e);
    }
  });
  const sum = actionSummary(m.actions);
  return h('li', { class: 'macro-item' },
    h('h3', null, m.name, ' ', h('span', { class: 'badge', text: m.scope === 'queue' ? `queue ${m.queue}` : 'personal' })),
    h('p', { class: 'macro-text', text: m.text.length > 300 ? `${m.text.slice(0, 300)}…` : m.text }),
    sum ? h('p', { class: 'muted', text: `Also sets ${sum}` }) : null,
    m.editable ? h('div', { class: 'actions' },
      h('button', { type: 'button', text: 'Edit', 'aria-label': `Edit macro ${m.name}`, on: { click: () => edit(m) } }), del) : null);
}

// The Macros screen.
export async function showMacros() {
  const err = alertBox();
  const res = await api.get(`${API}/macros`);
  const all = listOf(res.macros);
  const slot = h('div');
  const intro = h('p', { class: 'muted', text: 'Canned replies for the reply composer: press Ctrl+Shift+M or type / in an empty reply to insert one.'
    + (isSupervisor() ? ' Shared macros are for everyone working their queue.' : ' Shared macros are managed by supervisors.') });
  const reload = () => showMacros();
  function editor(m) {
    const f = macroForm(m, res.queues, (changed) => (changed ? reload() : editor(null)));
    replace(slot, f.form);
    if (m) f.first.focus();
  }
  const group = (title, items) => h('section', { class: 'card', 'aria-label': title },
    h('h2', { text: title }),
    items.length ? h('ul', { class: 'macro-list' }, items.map((m) => macroItem(m, editor, reload, err)))
      : h('p', { class: 'empty', text: 'None yet.' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Macros' })), intro, err,
    h('div', { class: 'macro-screen' }, slot,
      h('div', null, group('My macros', all.filter((m) => m.scope === 'personal')),
        group('Shared in my queues', all.filter((m) => m.scope === 'queue')))));
  editor(null);
}
