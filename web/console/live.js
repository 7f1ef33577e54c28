// Gatehouse agent console: live updates (issue 15, part LIVE). One
// EventSource on GET /api/v1/events while signed in; the stream carries
// only ids and kinds, so the screen fetches what changed through the usual
// endpoints. The open queue reloads its first page when a ticket it may
// show is created or changes; the open ticket reloads its threads when a
// message, note or status of it changes, and shows "Ann is replying"
// while a colleague has its reply composer open (POST .../typing, sent at
// most every few seconds while this agent types). New customer activity
// shows as an unread dot in the queue until the ticket is opened.
import { h, replace, announce } from './lib.js';
import { API, api, state } from './shell.js';

const KINDS = ['ticket.created', 'message.customer', 'message.staff', 'note.created',
  'ticket.assigned', 'ticket.status', 'ticket.queue', 'ticket.priority', 'ticket.tags',
  'typing', 'resync'];
// What makes the queue reload, and the open ticket reload.
const QUEUE_KINDS = new Set(['ticket.created', 'message.customer', 'message.staff',
  'ticket.assigned', 'ticket.status', 'ticket.queue', 'ticket.priority', 'ticket.tags', 'resync']);
const TICKET_KINDS = new Set(['message.customer', 'message.staff', 'note.created',
  'ticket.assigned', 'ticket.status', 'ticket.queue', 'ticket.priority', 'ticket.tags', 'resync']);
const TYPING_EVERY_MS = 4000;
const RELOAD_DELAY_MS = 250;

let source = null;
let watcher = null; // { el, kinds, ticket, reload, failed(e), typing(data) }
let retryMs = 2000;
let timer = 0;

// The stream, opened when missing. A refused or ended stream (429, 401,
// a restart) is opened again later, while someone is signed in.
function ensureStream() {
  if (!state.me) return;
  if (source && source.readyState !== EventSource.CLOSED) return;
  source = new EventSource(`${API}/events`);
  for (const kind of KINDS) source.addEventListener(kind, onEvent);
  source.addEventListener('open', () => { retryMs = 2000; });
  source.addEventListener('error', () => {
    if (!source || source.readyState !== EventSource.CLOSED) return;
    source = null;
    if (!state.me) return;
    setTimeout(ensureStream, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  });
}

// Closes the stream (signed out).
export function stopLive() {
  if (source) source.close();
  source = null;
  watcher = null;
}

function onEvent(ev) {
  if (!state.me) return stopLive();
  let data = {};
  try { data = JSON.parse(ev.data || '{}'); } catch (e) { return; }
  const w = watcher;
  if (!w || !w.el.isConnected) return;
  if (ev.type === 'typing') {
    if (w.typing && String(data.ticket) === String(w.ticket)) w.typing(data);
    return;
  }
  if (!w.kinds.has(ev.type)) return;
  // This agent's own change to the open ticket: the screen that made it
  // has drawn it already.
  if (w.ticket && data.by !== undefined && state.me && data.by === state.me.id) return;
  if (w.ticket && ev.type !== 'resync' && String(data.ticket) !== String(w.ticket)) return;
  // Several events of one change come together: reload once.
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (w !== watcher || !w.el.isConnected) return;
    // A reload that fails (network, 429, 5xx) says so on the screen;
    // the list or ticket shown is then older than the server's.
    Promise.resolve().then(() => w.reload(ev.type)).catch((e) => w.failed(e));
  }, RELOAD_DELAY_MS);
}

// What a failed reload shows when the screen gives no place for it: the
// page's status region.
function failedNotice(e) {
  announce(`This screen could not be updated: ${e instanceof Error ? e.message : String(e)}`);
}

// The queue screen: reload() draws its first page again; failed(e) shows
// why a reload failed (default: the page's status region).
export function watchQueue(el, reload, failed = failedNotice) {
  watcher = { el, kinds: QUEUE_KINDS, ticket: null, reload, failed };
  ensureStream();
}

// The unread dot of a queue row (ticket t), or null.
export function unreadDot(t) {
  if (!t.unread) return null;
  return h('span', { class: 'unread-dot', title: 'New customer activity' },
    h('span', { class: 'visually-hidden', text: 'Unread' }));
}

// "Ann is replying": shown for the event's ttl, renewed by the next one.
function typingBanner() {
  const text = h('span', { text: '' });
  const el = h('p', { class: 'typing-banner', role: 'status', hidden: true },
    h('span', { class: 'typing-dots', 'aria-hidden': 'true' }), text);
  let hide = 0;
  return {
    el,
    show(data) {
      text.textContent = `${data.name || 'A colleague'} is replying`;
      el.hidden = false;
      clearTimeout(hide);
      hide = setTimeout(() => { el.hidden = true; }, (data.ttl || 10) * 1000);
    },
  };
}

// Tells colleagues this agent has ticket id's reply composer open:
// on focus and while typing, at most every TYPING_EVERY_MS.
function announceTyping(id) {
  const input = document.getElementById('reply-text');
  if (!input) return;
  let last = 0;
  const ping = () => {
    const now = Date.now();
    if (now - last < TYPING_EVERY_MS) return;
    last = now;
    api.post(`${API}/tickets/${encodeURIComponent(id)}/typing`).catch(() => {});
  };
  input.addEventListener('focus', ping);
  input.addEventListener('input', ping);
}

// refresh(), keeping the focus where it was: a colleague's change must
// not take it from the element this agent works in.
// The element focused last while it runs (another action may move the
// focus meanwhile) is focused again when the redraw dropped it.
async function keepFocus(refresh) {
  const had = document.activeElement;
  let id = had && had !== document.body ? had.id : '';
  const track = (e) => { if (e.target && e.target.id) id = e.target.id; };
  document.addEventListener('focusin', track);
  try {
    await refresh();
  } finally {
    document.removeEventListener('focusin', track);
  }
  const now = document.activeElement;
  if (id && (!now || now === document.body)) {
    const again = document.getElementById(id);
    if (again) again.focus();
  }
}

// The ticket screen of ticket id: refresh() draws it again. Returns the
// element of the "is replying" banner, to be placed above the reply
// composer; call it after the screen is drawn.
export function watchTicket(id, refresh) {
  const banner = typingBanner();
  watcher = {
    el: banner.el, kinds: TICKET_KINDS, ticket: id,
    reload: async (kind) => {
      await keepFocus(refresh);
      if (kind === 'message.customer') announce('The customer wrote a new message.');
    },
    typing: (data) => banner.show(data),
    failed: failedNotice,
  };
  setTimeout(() => announceTyping(id), 0);
  ensureStream();
  return banner.el;
}

// Draws the queue's first page into list (rows, or empty when there is
// none) with rowOf for each ticket; used by queue.js's reload.
export function drawRows(list, rows, tickets, rowOf, empty) {
  replace(rows, ...tickets.map(rowOf));
  replace(list, rows.childElementCount ? rows : empty);
}
