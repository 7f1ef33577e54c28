// Gatehouse agent console: "Give a contact code" on the ticket. On a call
// or in a chat, the customer may doubt that we are who we say; the agent
// gives them a one-time code which the customer checks in the portal
// under "Is this really us?". The code is shown once, here, with the
// words to say; it is valid for a few minutes, once, and only for this
// ticket's customer. It is kept nowhere in the page's state and is
// removed from the page when it expires.
import { h, replace, timeEl, announce, showError, hideError, alertBox } from './lib.js';
import { API, api } from './shell.js';

// What to say, with the code.
function script(res) {
  return h('div', { class: 'contact-code', role: 'status' },
    h('p', { class: 'code-label', text: 'Contact code' }),
    h('p', { class: 'code', text: res.code }),
    h('p', null, 'Valid once, until ', timeEl(res.expires_at), ` (${res.minutes} minutes), for this ticket’s customer only.`),
    h('h3', { text: 'Say to the customer' }),
    h('blockquote', { class: 'say' },
      h('p', { text: `“To check that this call really comes from us, log in to our portal yourself, open ‘Is this really us?’ and enter the code ${res.code}. It should show my first name and ticket #${res.ticket}.”` })),
    h('p', { class: 'hint', text: 'Never ask the customer for their password, authenticator codes or card details.' }));
}

// The panel for ticket id: {el}.
export function contactCodePanel(id) {
  const err = alertBox();
  const out = h('div', { class: 'contact-code-out' });
  const btn = h('button', { type: 'button', text: 'Give a contact code' });
  let timer = 0;
  btn.addEventListener('click', async () => {
    hideError(err);
    btn.disabled = true;
    try {
      const res = await api.post(`${API}/tickets/${encodeURIComponent(id)}/contact-codes`, {});
      replace(out, script(res));
      announce(`Contact code ${res.code} is ready to read out.`);
      clearTimeout(timer);
      const ms = Math.max(0, res.expires_at * 1000 - Date.now());
      timer = setTimeout(() => replace(out, h('p', { class: 'hint', text: 'The contact code expired. Give a new one if the customer still needs it.' })), ms);
    } catch (e) {
      showError(err, e.code === 'rate_limited'
        ? 'You have given too many contact codes in the last hour. Ask a supervisor to give one.'
        : e);
    } finally {
      btn.disabled = false;
    }
  });
  return {
    el: h('section', { class: 'card contact-codes', 'aria-labelledby': 'cc-h' },
      h('h2', { id: 'cc-h', text: 'Is this really us?' }),
      h('p', { class: 'hint', text: 'The customer doubts the call or chat is from us? Give them a code to check in the portal.' }),
      err, btn, out),
  };
}
