// Gatehouse customer portal: live updates (issue 15, part LIVE). While
// the list of tickets or one ticket is open, an EventSource on
// GET /api/v1/portal/events says (ids and kinds only) that one of the
// customer's tickets changed: the list draws its rows again (not while
// search results are shown, and never for the customer's own new ticket
// or message, which the screen that sent it has drawn); the open
// ticket draws itself again when our reply arrives, unless the customer
// is writing (then a notice offers to show it, so no draft is lost).
import { h, announce } from './lib.js';

const KINDS = ['ticket.created', 'message.customer', 'message.staff', 'ticket.status', 'resync'];
let source = null;
let watcher = null; // { el, ticket, redraw, notice }
let retryMs = 2000;

// The stream, opened when missing and something watches it.
function ensureStream() {
  if (source && source.readyState !== EventSource.CLOSED) return;
  source = new EventSource('/api/v1/portal/events');
  for (const kind of KINDS) source.addEventListener(kind, onEvent);
  source.addEventListener('open', () => { retryMs = 2000; });
  source.addEventListener('error', () => {
    if (!source || source.readyState !== EventSource.CLOSED) return;
    source = null;
    if (!watcher || !watcher.el.isConnected) return;
    setTimeout(() => { if (watcher && watcher.el.isConnected) ensureStream(); }, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  });
}

// 1 when the customer has started a reply on the screen.
function drafting() {
  const t = document.querySelector('main textarea');
  return !!(t && t.value.trim());
}

// redraw(), keeping the reply being written.
async function keepDraft(redraw) {
  const t = document.querySelector('main textarea');
  const draft = t ? t.value : '';
  await redraw();
  const again = document.querySelector('main textarea');
  if (again && draft) again.value = draft;
}

// redraw(), a failure of which is said, never left unhandled.
function redrawSafe(redraw) {
  return Promise.resolve().then(redraw).catch(() => {
    announce('This page could not be updated. Reload it to see the latest.');
  });
}

function onEvent(ev) {
  const w = watcher;
  if (!w || !w.el.isConnected) {
    if (source) source.close();
    source = null;
    return;
  }
  let data = {};
  try { data = JSON.parse(ev.data || '{}'); } catch (e) { return; }
  // The customer's own new ticket or message: drawn by the screen that
  // sent it (with its own notice), on the list as on the ticket.
  if (ev.type === 'message.customer' || ev.type === 'ticket.created') return;
  if (w.ticket === null) return redrawSafe(w.redraw);
  if (ev.type !== 'resync' && String(data.ticket) !== String(w.ticket)) return;
  if (!drafting()) {
    announce('Your ticket was updated.');
    return redrawSafe(w.redraw);
  }
  w.notice.hidden = false;
}

// Watches the list (ticket null) or ticket `ticket`, drawn in el;
// redraw() draws the screen again. Returns the notice shown when an
// update waits for the customer's draft (place it above the thread).
export function watchPortal(el, ticket, redraw) {
  const notice = h('p', { class: 'notice live-note', role: 'status', hidden: true },
    'We replied while you were writing. ',
    h('button', { type: 'button', class: 'link', text: 'Show it (your draft is kept)', on: { click: () => keepDraft(redraw) } }));
  watcher = { el, ticket, redraw, notice };
  ensureStream();
  return notice;
}
