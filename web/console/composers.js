// Gatehouse agent console: the two composers of a ticket, bound to two
// endpoints. The reply composer (blue, customer-visible) posts to
// /replies and shows above the draft a refusal of the outbound filter
// (422: not sent, draft kept) or that the reply was held for a
// supervisor's review (202: not sent, stored with the ticket, so the
// draft is cleared); the note composer (amber, internal) posts to /notes.
// Nothing copies text from one to the other.
import { ApiError, h, field, announce, clearStatus, alertBox, submitRow, onDraft, TEXT_MAX_BYTES } from './lib.js';
import { API, api } from './shell.js';
import { clearBlock, showBlock, markStale } from './blocked.js';
import { showHeld, clearHeld } from './held.js';
import { macroPicker } from './macros.js';

// A reply that failed for another reason than the filter.
function notSent(box, e) {
  clearStatus();
  box.appendChild(h('h3', { text: 'Reply not sent' }));
  box.appendChild(h('p', { text: e.message }));
  box.hidden = false;
}

// The reply composer of ticket id; sent() runs after a reply went out or
// was held.
export function replyComposer(id, sent) {
  const box = h('div', { class: 'blocked', role: 'alert', hidden: true, id: 'reply-block' });
  const heldBox = h('div', { class: 'held-notice', role: 'alert', hidden: true, id: 'reply-held' });
  const reply = field('Reply — the customer will see this', {
    multiline: true, name: 'reply', rows: '6', id: 'reply-text', maxlength: String(TEXT_MAX_BYTES),
  }, 'Sent to the customer’s portal. Checked before sending: text copied from internal notes, other customers’ data, card numbers, national IDs and secrets are blocked.');
  const macros = macroPicker(id, reply.input);
  const form = h('form', { class: 'composer reply', novalidate: true, 'aria-label': 'Reply to the customer' },
    box, heldBox, macros.el, reply.wrap, submitRow('Send reply to customer'));
  reply.input.addEventListener('input', () => markStale(box));
  onDraft(form, reply.input, {
    what: 'The reply',
    empty: 'Write the reply first.',
    reset: () => {
      clearBlock(box, reply.input);
      clearHeld(heldBox);
      macros.reset();
    },
    refuse: (msg) => {
      box.appendChild(h('p', { text: msg }));
      box.hidden = false;
    },
    send: async (draft) => {
      const res = await api.post(`${API}/tickets/${encodeURIComponent(id)}/replies`, { body: draft });
      reply.input.value = '';
      if (res.status === 'held') showHeld(heldBox, res);
      else announce('Reply sent to the customer.');
      await macros.sent(res);
      await sent();
    },
    failed: (e, draft) => {
      if (e instanceof ApiError && e.code === 'dlp_blocked') showBlock(box, reply.input, e, draft);
      else notSent(box, e);
    },
  });
  return form;
}

// The internal note composer of ticket id; saved() runs after a note was saved.
export function noteComposer(id, saved) {
  const alert = alertBox();
  const note = field('Internal note — only staff will see this', {
    multiline: true, name: 'note', rows: '4', id: 'note-text', maxlength: String(TEXT_MAX_BYTES),
  }, 'For your colleagues. Never sent to the customer.');
  const form = h('form', { class: 'composer note', novalidate: true, 'aria-label': 'Add an internal note' },
    alert, note.wrap, submitRow('Save internal note'));
  onDraft(form, note.input, {
    what: 'The note',
    empty: 'Write the note first.',
    alert,
    send: async (text) => {
      await api.post(`${API}/tickets/${encodeURIComponent(id)}/notes`, { body: text });
      note.input.value = '';
      announce('Internal note saved.');
      await saved();
    },
  });
  return form;
}
