// Gatehouse agent console: "Report phishing" under each customer message.
// A report flags the message (its links are then blocked), quarantines
// the ticket's customer attachments and tells the supervisors; on a
// phishing drill it counts as a pass and the agent is told so at once.
// A reported message shows a badge instead of the button, and a drill's
// reporter is praised under it.
import { h, replace, announce } from './lib.js';
import { API, api } from './shell.js';

const CONFIRM = 'Report this message as phishing?\n\n'
  + 'Its links will be blocked, the customer’s attachments on this ticket quarantined, and the supervisors told. '
  + 'Do not reply to the sender or open anything from it.';

function praise(text) {
  return h('section', { class: 'drill-praise', role: 'status' },
    h('h3', { text: 'Well spotted!' }),
    h('p', { text: text || 'This was a phishing drill and you reported it.' }));
}

async function report(m, ctx, out, btn) {
  if (!window.confirm(CONFIRM)) return;
  btn.disabled = true;
  const path = `${API}/tickets/${encodeURIComponent(ctx.ticketId)}/messages/${encodeURIComponent(m.id)}/report-phishing`;
  try {
    const res = await api.post(path, {});
    // Drawn again: the message shows as reported and its links blocked;
    // a drill's praise goes under it and stays.
    if (ctx.changed) await ctx.changed();
    const files = document.querySelector('.attachments-panel');
    if (files && files.reload) await files.reload();
    const note = document.querySelector(`.reported-note[data-mid="${Number(m.id)}"]`);
    if (res.drill && note) note.after(praise(res.message));
    announce(res.drill ? 'Reported. This was a phishing drill: well spotted.'
      : 'Reported as phishing. Its links are blocked, the customer’s files on this ticket quarantined and the supervisors told.');
  } catch (e) {
    btn.disabled = false;
    replace(out, h('p', { class: 'error', role: 'alert', text: e.message }));
  }
}

// The report control of customer message m (ctx: {ticketId, changed}).
export function reportControl(m, ctx) {
  if (m.reported) return h('p', { class: 'reported-note', 'data-mid': String(m.id) }, h('span', { class: 'badge reported', text: 'Reported as phishing' }), ' Its links are blocked.');
  const out = h('div', { class: 'report-out' });
  const btn = h('button', { type: 'button', class: 'report-phish', text: 'Report phishing' });
  btn.addEventListener('click', () => report(m, ctx, out, btn));
  return h('div', { class: 'report-row' }, btn, out);
}
