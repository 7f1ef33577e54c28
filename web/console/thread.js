// Gatehouse agent console: a ticket's thread. Messages (from the customer,
// and the replies sent to them) and internal notes are drawn into two
// different lists, each item labelled with who wrote it; a customer's
// message shows its links defanged and what the inbound filter removed.
// Replies the outbound check held (never sent until released) take their
// place in the conversation by time, drawn by held.js as their own kind
// of item, never like a sent message.
import { h, replace, timeEl, listOf } from './lib.js';
import { customerBody, linkList } from './links.js';
import { heldItem } from './held.js';
import { reportControl } from './report.js';

// What the inbound filter removed from a customer's message, or null.
function redactedNote(m) {
  const red = listOf(m.redacted);
  if (!red.length) return null;
  const types = [...new Set(red.map((r) => r.type))].join(', ');
  return h('p', { class: 'redacted-note', text: `Removed before storage by the inbound filter: ${types}. The customer was told not to send such data.` });
}

function messageItem(m, ctx) {
  const agent = m.from === 'agent';
  return h('li', { class: `msg from-${agent ? 'agent' : 'customer'}` },
    h('article', null,
      h('header', null,
        h('span', { class: 'who', text: m.author || (agent ? 'Agent' : 'Customer') }),
        h('span', { class: 'badge', text: agent ? 'Reply sent' : 'From customer' }),
        timeEl(m.created_at)),
      agent ? h('p', { class: 'body', text: m.body || '' }) : customerBody(m.body, listOf(m.links)),
      redactedNote(m),
      agent ? null : linkList(listOf(m.links), { ticketId: ctx.ticketId, messageId: m.id, reported: !!m.reported }),
      agent ? null : reportControl(m, ctx)));
}

function noteItem(n) {
  return h('li', { class: 'note' },
    h('article', null,
      h('header', null,
        h('span', { class: 'who', text: n.author || 'Staff' }),
        timeEl(n.created_at)),
      h('p', { class: 'body', text: n.body || '' })));
}

// Fills list (an <ol>) with the messages and the held replies, oldest
// first (a held reply after a message of the same second), or says there
// are none; heldCtx is what heldItem takes.
export function showMessages(list, messages, held, heldCtx) {
  const items = [
    ...listOf(messages).map((m) => ({ at: Number(m.created_at) || 0, draw: () => messageItem(m, heldCtx) })),
    ...listOf(held).map((x) => ({ at: Number(x.created_at) || 0, draw: () => heldItem(x, heldCtx) })),
  ].sort((a, b) => a.at - b.at);
  replace(list, items.length ? items.map((it) => it.draw()) : h('li', { class: 'empty', text: 'No messages yet.' }));
}

// Fills list (an <ol>) with the internal notes, or says there are none.
export function showNotes(list, notes) {
  const all = listOf(notes);
  replace(list, all.length ? all.map(noteItem) : h('li', { class: 'empty', text: 'No internal notes.' }));
}
