// Gatehouse agent console: the customer and caller verification panel of
// a ticket. Left: the customer's name (agents greet the caller with it)
// and every personal field masked, with its class and the verification
// level it needs, each with "Reveal…" (reveal.js); under them "Request
// change…" once the caller is verified at level 2 (changes.js). Right:
// the verification of the caller (verify.js). The panel is built once
// per ticket screen: a reload of the ticket after an action checks the
// verification again (reassigning, moving or solving the ticket ends it)
// but keeps a revealed value and a code being typed.
import { ApiError, h, replace, showError, hideError, listOf, alertBox } from './lib.js';
import { API, api } from './shell.js';
import { disclosureContext, verifyPanel, reload } from './verify.js';
import { fieldItem } from './reveal.js';
import { changeRequestControl } from './changes.js';

// Loads customer id and draws its name and masked fields.
async function loadCustomer(ctx, view) {
  let c;
  try {
    c = await api.get(`${API}/customers/${encodeURIComponent(ctx.customerId)}`);
  } catch (e) {
    replace(view.list);
    if (e instanceof ApiError && e.status === 404) {
      showError(view.err, 'The customer’s details cannot be shown: you see a customer only while they have a ticket in your queues.');
    } else {
      showError(view.err, e);
    }
    return;
  }
  hideError(view.err);
  view.name.textContent = c.name || `Customer #${c.id}`;
  const fields = listOf(c.fields);
  replace(view.list, fields.length
    ? fields.map((f) => fieldItem(f, ctx))
    : h('li', { class: 'empty', text: 'No personal details on file.' }));
}

// The customer card: name, masked fields, change requests.
function customerCard(ctx) {
  const view = {
    err: alertBox('customer-error'),
    name: h('p', { class: 'customer-name', text: '—' }),
    list: h('ul', { class: 'pfields', 'aria-label': 'Personal details, masked' }),
  };
  const changes = changeRequestControl(ctx);
  view.el = h('section', { class: 'card customer', 'aria-labelledby': 'customer-h' },
    h('h3', { id: 'customer-h', text: 'Customer' }),
    view.name,
    h('p', { class: 'hint', text: 'Every personal detail is masked. Reveal one only when the caller needs it, after verifying them: each reveal is recorded with your name and your reason.' }),
    view.err, view.list, changes.el);
  return view;
}

// The panel of ticket ticketId; show(ticket) after every load of the ticket.
export function disclosurePanel(ticketId) {
  const ctx = disclosureContext(ticketId);
  const card = customerCard(ctx);
  const verify = verifyPanel(ctx);
  const el = h('section', { class: 'panel disclosure', 'aria-labelledby': 'disc-h' },
    h('h2', { class: 'panel-label', id: 'disc-h' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }),
      h('span', { text: 'Customer and caller verification' })),
    h('div', { class: 'disclosure-grid' }, card.el, verify.el));
  return {
    el,
    ctx,
    async show(ticket) {
      const cid = ticket.customer && ticket.customer.id;
      const first = cid !== ctx.customerId;
      ctx.customerId = cid;
      try {
        await reload(ctx);
      } catch (e) {
        showError(verify.err, e);
      }
      if (first && cid) await loadCustomer(ctx, card);
    },
  };
}
