// Gatehouse agent console. No framework, no build step; every server string
// is rendered as text (see lib.js). The customer conversation and the
// internal notes are two separate panels with separate composers and
// separate endpoints; nothing moves text from one to the other.
import {
  Api, ApiError, h, replace, timeEl, announce, showError, hideError, field,
  busy, focusHeading, cpToUtf16, statusLabel, route, initSkipLink, isRouteHash, clearStatus,
  TEXT_MAX_BYTES, textTooLong,
} from './lib.js';

const API = '/api/v1';
const api = new Api();
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const whoami = document.getElementById('whoami');

const state = { me: null, loginNotice: '' };

api.onSessionLost = () => {
  if (!state.me) return;
  signedOut('Your session has ended. Please log in again.');
};

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function signedOut(notice) {
  history.replaceState(null, '', location.pathname);
  state.me = null;
  state.loginNotice = notice || '';
  api.setCsrf('');
  render();
}

function setChrome() {
  nav.hidden = !state.me;
  whoami.textContent = state.me
    ? `Signed in as ${state.me.name || `staff #${state.me.id}`} (${state.me.role || 'agent'})`
    : '';
  const r = route();
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    if (a.dataset.nav === (r.parts[0] || 'queue')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function screen(...children) {
  replace(main, ...children);
  setChrome();
  focusHeading(main);
}

// --------------------------------------------------------------- login

function showLogin() {
  const err = h('p', { class: 'error', role: 'alert', hidden: true, id: 'login-error' });
  const email = field('Work e-mail address', { type: 'email', name: 'email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const pass = field('Password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const code = field('Authenticator code', {
    type: 'text', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: '6', required: true, spellcheck: 'false', class: 'code',
  }, 'The 6 digits your authenticator app shows now.');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h', text: 'Staff log in' }),
    state.loginNotice ? h('p', { class: 'notice', text: state.loginNotice }) : null,
    err, email.wrap, pass.wrap, code.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Log in' })));
  state.loginNotice = '';
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const body = { email: email.input.value.trim(), password: pass.input.value, totp: code.input.value.replace(/\s+/g, '') };
    if (!body.email || !body.password || !/^[0-9]{6}$/.test(body.totp)) {
      showError(err, 'Enter your e-mail address, password and the 6-digit code from your authenticator app.');
      (!body.email ? email : !body.password ? pass : code).input.focus();
      return;
    }
    busy(form, async () => {
      try {
        const res = await api.post(`${API}/staff/session`, body, { expect401: true });
        api.setCsrf(res.csrf_token);
        pass.input.value = '';
        state.me = { id: res.id, role: res.role, name: res.name || '' };
        const r = route();
        go(r.parts.length ? location.hash : '#/queue');
      } catch (e) {
        showError(err, e);
        code.input.value = '';
        pass.input.focus();
      }
    });
  });
  screen(h('div', { class: 'two-col' }, form,
    h('section', { class: 'card', 'aria-labelledby': 'rules-h' },
      h('h2', { id: 'rules-h', text: 'Before you start' }),
      h('ul', null,
        h('li', { text: 'Internal notes stay internal: the console keeps them apart from replies, and replies that copy note text are blocked.' }),
        h('li', { text: 'Every reply is checked before it leaves: card numbers, national IDs, secrets and other customers’ data are stopped.' }),
        h('li', { text: 'A caller who asks for a password or authenticator reset is verified only through Gatehouse — no exceptions for urgency.' })))));
  email.input.focus();
}

// --------------------------------------------------------------- queue

const STATUSES = [['open', 'Open'], ['pending', 'Pending'], ['solved', 'Solved'], ['any', 'Any status']];
const ASSIGNED = [['any', 'Anyone'], ['me', 'Me'], ['unassigned', 'Unassigned']];
const PAGE = 50;

function select(label, name, options, value) {
  const id = `sel-${name}`;
  const s = h('select', { id, name },
    options.map(([v, t]) => h('option', { value: v, selected: v === value ? true : null, text: t })));
  return { wrap: h('div', { class: 'field' }, h('label', { for: id, text: label }), s), input: s };
}

async function showQueue(query) {
  const status = ['open', 'pending', 'solved', 'any'].includes(query.get('status')) ? query.get('status') : 'open';
  const assigned = ['me', 'unassigned', 'any'].includes(query.get('assigned')) ? query.get('assigned') : 'any';
  const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);

  const st = select('Status', 'status', STATUSES, status);
  const as = select('Assigned to', 'assigned', ASSIGNED, assigned);
  const filters = h('form', { class: 'queue-filters', role: 'search', 'aria-label': 'Filter the queue' },
    st.wrap, as.wrap, h('button', { type: 'submit', text: 'Show' }));
  const apply = (ev) => {
    if (ev) ev.preventDefault();
    go(`#/queue?status=${st.input.value}&assigned=${as.input.value}`);
  };
  filters.addEventListener('submit', apply);

  const err = h('p', { class: 'error', role: 'alert', hidden: true });
  const list = h('div', null, h('p', { class: 'loading', text: 'Loading the queue…' }));
  const pager = h('nav', { class: 'actions', 'aria-label': 'Queue pages' });
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Queue' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  filters, err, list, pager);

  try {
    const res = await api.get(`${API}/tickets?status=${status}&assigned=${assigned}&limit=${PAGE}&offset=${offset}`);
    const tickets = Array.isArray(res.tickets) ? res.tickets : [];
    if (!tickets.length) {
      replace(list, h('p', { class: 'empty', text: offset ? 'No more tickets.' : 'No tickets match these filters.' }));
    } else {
      replace(list, h('ul', { class: 'queue', 'aria-label': 'Tickets' },
        tickets.map((t) => h('li', null,
          h('a', { class: 'ticket-row', href: `#/tickets/${encodeURIComponent(t.id)}` },
            h('span', { class: 'id', text: `#${t.id}` }),
            h('span', null,
              h('span', { class: 'subject', text: t.subject || '(no subject)' }), h('br'),
              h('span', { class: 'who', text: `${(t.customer && t.customer.name) || 'Customer'} · ${t.queue ? 'queue ' + t.queue + ' · ' : ''}${t.assignee ? 'assigned to ' + t.assignee.name : 'unassigned'}` })),
            h('span', { class: 'meta' },
              h('span', { class: `badge status-${t.status}`, text: statusLabel(t.status) }),
              h('span', { class: 'muted' }, timeEl(t.updated_at))))))));
    }
    const base = `#/queue?status=${status}&assigned=${assigned}`;
    replace(pager,
      offset > 0 ? h('a', { class: 'button', href: `${base}&offset=${Math.max(0, offset - PAGE)}`, text: '← Newer' }) : null,
      tickets.length === PAGE ? h('a', { class: 'button', href: `${base}&offset=${offset + PAGE}`, text: 'Older →' }) : null);
  } catch (e) {
    replace(list);
    showError(err, e);
  }
}

// -------------------------------------------------------------- ticket

const REASONS = {
  internal_note: 'This text was copied from an internal note. Notes are never sent to the customer.',
  other_customer_data: 'This is data that belongs to a different customer.',
  credit_card: 'This looks like a payment card number.',
  iban: 'This looks like a bank account number (IBAN).',
  aba_routing: 'This looks like a US bank routing number.',
  us_ssn: 'This looks like a US Social Security number.',
  uk_nino: 'This looks like a UK National Insurance number.',
  secret: 'This looks like a password, key or access token.',
  auth_header: 'This looks like an HTTP Authorization header (a credential).',
  cookie: 'This looks like a session cookie.',
  har_session: 'This is session material from a HAR file (a login token or cookie).',
  email: 'This is an e-mail address; contact details are not sent in replies.',
  phone: 'This is a phone number; contact details are not sent in replies.',
};

function reasonFor(f) {
  return REASONS[f.type] || `Blocked by the outbound filter (${f.type || 'unknown'}).`;
}

// ------------------------------------------------ inbound link analysis
// Links in customers' messages arrive analysed and defanged
// ("hxxps://evil[.]example/x") with byte offsets into the stored body. They
// are shown as text, never as <a>; opening one takes an explicit step and a
// confirmation that shows the real address and the warnings.
const LINK_REASONS = {
  ip_host: 'The address is a bare IP number instead of a domain name.',
  punycode: 'The domain is written in punycode (xn--), which can hide look-alike letters.',
  mixed_script: 'The domain mixes alphabets or uses look-alike characters.',
  confusable_own_domain: 'The domain looks like one of our own domains, but it is not ours.',
  confusable_top_domain: 'The domain looks like a well-known site, but it is a different one.',
  text_shows_other_domain: 'The link text shows one address, but the link really goes somewhere else.',
  url_shortener: 'A URL shortener hides where the link really goes.',
  userinfo_in_url: 'The part before “@” is not the site: the link really goes to the domain after it.',
  not_https: 'The link does not use an encrypted connection (HTTPS).',
  unusual_port: 'The link uses an unusual port number.',
  data_url: 'A data: link carries a whole page or file inside the link itself.',
  javascript_url: 'A javascript: link runs code when it is opened.',
  invalid_host: 'The address is not a valid domain name.',
  known_domain_in_subdomain: 'A well-known domain name is placed in front of a different real domain.',
  many_subdomains: 'The address has unusually many subdomains.',
  credential_words: 'The address contains words like login, verify or account.',
  long_url: 'The address is unusually long.',
  hyphenated_domain: 'The domain has several hyphens.',
  no_public_suffix: 'The domain does not end in a known public suffix.',
  own_domain: 'This is one of our own domains.',
};
const VERDICTS = { ok: 'No warning signs', suspicious: 'Suspicious', dangerous: 'Dangerous' };

function linkReason(code) {
  return LINK_REASONS[code] || `Warning sign: ${code}.`;
}

// The real address back from its defanged form (scheme and host only were
// changed by the server).
function refang(d) {
  return String(d || '').replace(/^hxxp/i, 'http').replace(/\[\.\]/g, '.').replace(/\[@\]/g, '@');
}

function openLink(l) {
  const url = refang(l.url_defanged);
  const reasons = (Array.isArray(l.reasons) ? l.reasons : []).map((c) => `• ${linkReason(c)}`).join('\n');
  const msg = 'This link was sent by a customer. Opening it can expose you and the company to phishing or malware.\n\n'
    + `It really goes to:\n${url}\n\n`
    + `Verdict: ${VERDICTS[l.verdict] || l.verdict}${reasons ? `\n${reasons}` : ''}\n\n`
    + 'Never enter a password or code on a page you reached this way. Open it in a new tab?';
  if (!window.confirm(msg)) return;
  window.open(url, '_blank', 'noopener,noreferrer');
}

// A customer message body with each analysed link replaced by its defanged
// text (offsets are UTF-8 bytes of the stored body).
function customerBody(body, links) {
  const text = String(body || '');
  if (!links.length) return h('p', { class: 'body', text });
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const parts = [];
  let pos = 0;
  const sorted = links.slice().sort((a, b) => a.start - b.start);
  for (const l of sorted) {
    if (!Number.isInteger(l.start) || !Number.isInteger(l.end) || l.start < pos || l.end > bytes.length || l.end <= l.start) continue;
    parts.push(dec.decode(bytes.subarray(pos, l.start)));
    parts.push(h('span', { class: `defanged verdict-${l.verdict}`, text: l.url_defanged || '[link]' }));
    pos = l.end;
  }
  parts.push(dec.decode(bytes.subarray(pos)));
  return h('p', { class: 'body' }, ...parts);
}

// The list of links under a customer message: verdict, reasons and the
// explicit open step (never for data: or javascript: links).
function linkList(links) {
  if (!links.length) return null;
  return h('ul', { class: 'links', 'aria-label': 'Links in this message' }, links.map((l) => {
    const url = refang(l.url_defanged);
    const codes = Array.isArray(l.reasons) ? l.reasons : [];
    const openable = /^https?:\/\//i.test(url) && !codes.includes('javascript_url') && !codes.includes('data_url');
    return h('li', { class: `link verdict-${l.verdict}` },
      h('div', { class: 'link-head' },
        h('span', { class: `badge verdict verdict-${l.verdict}`, text: VERDICTS[l.verdict] || String(l.verdict) }),
        h('code', { class: 'defanged', text: l.url_defanged || '' }),
        openable
          ? h('button', { type: 'button', class: 'open-link', text: 'Open link…', on: { click: () => openLink(l) } })
          : h('span', { class: 'hint', text: 'This kind of link is never opened from the console.' })),
      l.text_defanged ? h('p', { class: 'hint', text: `Shown to the reader as: ${l.text_defanged}` }) : null,
      codes.length ? h('ul', { class: 'reasons' }, codes.map((c) => h('li', { text: linkReason(c) }))) : null);
  }));
}

function redactedNote(m) {
  const red = Array.isArray(m.redacted) ? m.redacted : [];
  if (!red.length) return null;
  const types = [...new Set(red.map((r) => r.type))].join(', ');
  return h('p', { class: 'redacted-note', text: `Removed before storage by the inbound filter: ${types}. The customer was told not to send such data.` });
}

// ---------------------------------------------------------- attachments

const VERDICT_LABEL = { clean: 'Clean', suspicious: 'Suspicious', dangerous: 'Dangerous' };
const ATTACH_REASON = {
  too_large: 'too large', executable: 'program', script: 'script',
  type_mismatch: 'content does not match the extension', ole_macros: 'Office macros (OLE)',
  ooxml_macros: 'Office macros (vbaProject.bin)', macro_extension: 'macro-enabled extension',
  archive_holds_dangerous_file: 'archive holds a program, script or macro document',
  zip_bomb: 'archive unpacks to an unsafe size', too_many_entries: 'archive has too many entries',
  encrypted_archive: 'encrypted archive (cannot be checked)', broken_archive: 'damaged archive',
  har_live_tokens: 'HAR file with live session data', double_extension: 'double extension',
  malware: 'virus scanner found malware',
  archive_not_inspected: 'archive format not inspected (7z, RAR, ...)',
  archive_too_deep: 'archives nested too deep', entry_too_large: 'an archive entry is too large',
  virus_scan_unavailable: 'virus scanner did not answer: not scanned',
};

// Saves a downloaded Blob under name through a temporary object URL.
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function downloadAttachment(a) {
  let res;
  try {
    res = await fetch(`${API}/attachments/${encodeURIComponent(a.id)}`,
      { credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { error: 'network', message: 'The server cannot be reached.' });
  }
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    throw new ApiError(res.status, data);
  }
  saveBlob(await res.blob(), a.filename || 'download');
}

// The attachment list of ticket id: verdict, reasons, download for files
// that are not quarantined, and for admins a release with a reason.
function attachmentsPanel(id) {
  const list = h('ul', { class: 'attachments', 'aria-label': 'Attachments' });
  const err = h('p', { class: 'error', role: 'alert', hidden: true });
  const panel = h('section', { class: 'panel attachments-panel', 'aria-labelledby': 'att-h' },
    h('h2', { class: 'panel-label', id: 'att-h', text: 'Attachments' }), err, list);
  const isAdmin = () => !!(state.me && state.me.role === 'admin');

  function releaseForm(a) {
    const rerr = h('p', { class: 'error', role: 'alert', hidden: true });
    const reason = field('Reason for releasing this file', {
      name: 'reason', required: true, minlength: '3', maxlength: '500',
    }, 'Recorded in the audit log. Release only after checking the file outside the console.');
    const form = h('form', { class: 'release', novalidate: true, hidden: true },
      rerr, reason.wrap,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Release file' })));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      hideError(rerr);
      const text = reason.input.value.trim();
      if (text.length < 3) {
        showError(rerr, 'Give a reason of at least 3 characters.');
        reason.input.focus();
        return;
      }
      busy(form, async () => {
        try {
          await api.post(`${API}/attachments/${encodeURIComponent(a.id)}/release`, { reason: text });
          announce('The file was released.');
          await load();
        } catch (e) {
          showError(rerr, e);
        }
      });
    });
    return form;
  }

  function item(a) {
    const reasons = Array.isArray(a.reasons) ? a.reasons : [];
    const redacted = Array.isArray(a.redacted) ? a.redacted : [];
    const flagged = Array.isArray(a.flagged) ? a.flagged : [];
    const ierr = h('p', { class: 'error', role: 'alert', hidden: true });
    let control;
    let rform = null;
    if (a.quarantined) {
      const children = [h('p', { class: 'quarantined', text: 'Quarantined — an administrator must release it' })];
      if (isAdmin()) {
        rform = releaseForm(a);
        const open = h('button', { type: 'button', text: 'Release…', 'aria-expanded': 'false' });
        open.addEventListener('click', () => {
          rform.hidden = !rform.hidden;
          open.setAttribute('aria-expanded', String(!rform.hidden));
          if (!rform.hidden) rform.querySelector('input').focus();
        });
        children.push(open);
      }
      control = h('div', null, children);
    } else {
      const btn = h('button', { type: 'button', text: 'Download', 'aria-label': `Download ${a.filename}` });
      btn.addEventListener('click', async () => {
        hideError(ierr);
        btn.disabled = true;
        try {
          await downloadAttachment(a);
        } catch (e) {
          showError(ierr, e);
        } finally {
          btn.disabled = false;
        }
      });
      control = btn;
    }
    return h('li', { class: 'attachment' },
      h('div', { class: 'attachment-head' },
        h('span', { class: 'filename', text: a.filename }), ' ',
        h('span', { class: `badge verdict-${a.verdict}`, text: VERDICT_LABEL[a.verdict] || a.verdict }), ' ',
        h('span', { class: 'muted', text: `${a.type || ''} · ${a.size} bytes · ` }), timeEl(a.created_at)),
      reasons.length ? h('p', { class: 'reasons', text: `Why: ${reasons.map((r) => ATTACH_REASON[r] || r).join('; ')}` }) : null,
      flagged.length ? h('ul', { class: 'flagged', 'aria-label': 'Flagged files inside the archive' },
        flagged.map((f) => h('li', { text: `${f.entry}: ${(Array.isArray(f.reasons) ? f.reasons : []).map((r) => ATTACH_REASON[r] || r).join('; ')}` }))) : null,
      redacted.length ? h('p', { class: 'redacted', text: `Removed before storing: ${redacted.map((r) => `${r.count} × ${r.type}`).join(', ')}` }) : null,
      a.delete_after ? h('p', { class: 'muted' }, 'Deleted automatically on ', timeEl(a.delete_after)) : null,
      a.released ? h('p', { class: 'muted' }, `Released by staff #${a.released.by} on `, timeEl(a.released.at)) : null,
      ierr, control, rform);
  }

  async function load() {
    try {
      const data = await api.get(`${API}/tickets/${encodeURIComponent(id)}/attachments`);
      const items = Array.isArray(data.attachments) ? data.attachments : [];
      hideError(err);
      replace(list, items.length ? items.map(item) : h('li', { class: 'empty', text: 'No attachments.' }));
    } catch (e) {
      showError(err, e);
    }
  }
  load();
  return panel;
}

async function showTicket(id) {
  const err = h('p', { class: 'error', role: 'alert', hidden: true });
  const title = h('h1', { text: `Ticket #${id}` });
  const facts = h('dl', { class: 'facts' });
  const messagesList = h('ol', { class: 'conversation', 'aria-label': 'Messages' });
  const notesList = h('ol', { class: 'notes', 'aria-label': 'Internal notes' });

  // Actions: assign, status.
  const assignBtn = h('button', { type: 'button', text: 'Assign to me' });
  const statusSel = select('Set status', 'ticket-status', STATUSES.filter(([v]) => v !== 'any'), 'open');
  const statusBtn = h('button', { type: 'button', text: 'Change status' });
  const actionsErr = h('p', { class: 'error', role: 'alert', hidden: true });
  const actions = h('div', { class: 'ticket-actions' }, assignBtn,
    h('div', { class: 'inline' }, statusSel.wrap, statusBtn));

  // Reply composer (customer-visible).
  const replyErr = h('div', { class: 'blocked', role: 'alert', hidden: true, id: 'reply-block' });
  const reply = field('Reply — the customer will see this', {
    multiline: true, name: 'reply', rows: '6', id: 'reply-text', maxlength: String(TEXT_MAX_BYTES),
  }, 'Sent to the customer’s portal. Checked before sending: text copied from internal notes, other customers’ data, card numbers, national IDs and secrets are blocked.');
  const replyForm = h('form', { class: 'composer reply', novalidate: true, 'aria-label': 'Reply to the customer' },
    replyErr, reply.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Send reply to customer' })));

  // Note composer (internal).
  const noteErr = h('p', { class: 'error', role: 'alert', hidden: true });
  const note = field('Internal note — only staff will see this', {
    multiline: true, name: 'note', rows: '4', id: 'note-text', maxlength: String(TEXT_MAX_BYTES),
  }, 'For your colleagues. Never sent to the customer.');
  const noteForm = h('form', { class: 'composer note', novalidate: true, 'aria-label': 'Add an internal note' },
    noteErr, note.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Save internal note' })));

  const external = h('section', { class: 'panel external', 'aria-labelledby': 'ext-h' },
    h('h2', { class: 'panel-label', id: 'ext-h' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }),
      h('span', { text: 'Conversation with the customer' })),
    messagesList, replyForm);
  const internal = h('section', { class: 'panel internal', 'aria-labelledby': 'int-h' },
    h('h2', { class: 'panel-label', id: 'int-h' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }),
      h('span', { text: 'Internal — never sent to the customer' })),
    notesList, noteForm);

  screen(h('p', { class: 'back' }, h('a', { href: '#/queue', text: '← Queue' })),
    h('div', { class: 'ticket-head' }, title, facts),
    err, actionsErr, actions,
    h('div', { class: 'workspace' }, external, internal), attachmentsPanel(id));

  let ticket = null;
  async function refresh() {
    try {
      ticket = await api.get(`${API}/tickets/${encodeURIComponent(id)}`);
    } catch (e) {
      showError(err, e);
      return false;
    }
    hideError(err);
    title.textContent = ticket.subject || `Ticket #${id}`;
    document.title = `#${ticket.id} ${ticket.subject || ''} — Gatehouse console`;
    const fact = (k, v) => h('div', null, h('dt', { text: k }), h('dd', null, v));
    replace(facts,
      fact('Ticket', `#${ticket.id}`),
      fact('Status', h('span', { class: `badge status-${ticket.status}`, text: statusLabel(ticket.status) })),
      fact('Customer', (ticket.customer && ticket.customer.name) || '—'),
      fact('Queue', ticket.queue || 'general'),
      fact('Assignee', ticket.assignee ? ticket.assignee.name : 'Unassigned'),
      fact('Opened', timeEl(ticket.created_at)));
    statusSel.input.value = ticket.status;
    assignBtn.hidden = !!(ticket.assignee && state.me && ticket.assignee.id === state.me.id);

    const msgs = Array.isArray(ticket.messages) ? ticket.messages : [];
    replace(messagesList, msgs.length ? msgs.map((m) => h('li', { class: `msg from-${m.from === 'agent' ? 'agent' : 'customer'}` },
      h('article', null,
        h('header', null,
          h('span', { class: 'who', text: m.author || (m.from === 'agent' ? 'Agent' : 'Customer') }),
          h('span', { class: 'badge', text: m.from === 'agent' ? 'Reply sent' : 'From customer' }),
          timeEl(m.created_at)),
        m.from === 'agent'
          ? h('p', { class: 'body', text: m.body || '' })
          : customerBody(m.body, Array.isArray(m.links) ? m.links : []),
        redactedNote(m),
        m.from === 'agent' ? null : linkList(Array.isArray(m.links) ? m.links : [])))) : h('li', { class: 'empty', text: 'No messages yet.' }));

    const notes = Array.isArray(ticket.notes) ? ticket.notes : [];
    replace(notesList, notes.length ? notes.map((n) => h('li', { class: 'note' },
      h('article', null,
        h('header', null,
          h('span', { class: 'who', text: n.author || 'Staff' }),
          timeEl(n.created_at)),
        h('p', { class: 'body', text: n.body || '' })))) : h('li', { class: 'empty', text: 'No internal notes.' }));
    return true;
  }

  assignBtn.addEventListener('click', async () => {
    hideError(actionsErr);
    assignBtn.disabled = true;
    try {
      await api.post(`${API}/tickets/${encodeURIComponent(id)}/assign`, { staff_id: state.me.id });
      announce('The ticket is assigned to you.');
      await refresh();
    } catch (e) {
      showError(actionsErr, e);
    } finally {
      assignBtn.disabled = false;
    }
  });

  statusBtn.addEventListener('click', async () => {
    hideError(actionsErr);
    statusBtn.disabled = true;
    try {
      await api.post(`${API}/tickets/${encodeURIComponent(id)}/status`, { status: statusSel.input.value });
      announce(`Status changed to ${statusLabel(statusSel.input.value)}.`);
      await refresh();
    } catch (e) {
      showError(actionsErr, e);
    } finally {
      statusBtn.disabled = false;
    }
  });

  function clearBlock() {
    replace(replyErr);
    replyErr.hidden = true;
    reply.input.classList.remove('has-block');
    reply.input.removeAttribute('aria-invalid');
    reply.input.setAttribute('aria-describedby', reply.input.id + '-hint');
  }

  function showBlock(e, draft) {
    clearStatus();
    replace(replyErr);
    reply.input.classList.add('has-block');
    reply.input.setAttribute('aria-invalid', 'true');
    reply.input.setAttribute('aria-describedby', `${reply.input.id}-hint reply-block`);
    replyErr.appendChild(h('h3', { text: 'Reply not sent — blocked by the outbound filter' }));
    replyErr.appendChild(h('p', { text: e.message }));
    const findings = Array.isArray(e.data.findings) ? e.data.findings : [];
    if (!findings.length) {
      replyErr.hidden = false;
      return;
    }
    const cps = Array.from(draft).length;
    const spans = findings
      .map((f) => ({ f, a: Math.max(0, Math.min(cps, Number(f.cstart) || 0)), b: Math.max(0, Math.min(cps, Number(f.cend) || 0)) }))
      .filter((s) => s.b > s.a);
    replyErr.appendChild(h('ul', { class: 'findings' }, findings.map((f, i) => {
      const a = cpToUtf16(draft, Number(f.cstart) || 0);
      const b = cpToUtf16(draft, Number(f.cend) || 0);
      const sel = h('button', {
        type: 'button', text: 'Select in draft',
        'aria-label': `Select blocked text ${i + 1} in your draft`,
      });
      sel.addEventListener('click', () => {
        reply.input.focus();
        reply.input.setSelectionRange(a, b);
      });
      return h('li', { dataset: { type: f.type || '' } },
        h('span', { class: 'reason', text: reasonFor(f) }),
        b > a ? sel : null);
    })));
    // The draft with the blocked spans marked (built from text nodes).
    if (spans.length) {
      spans.sort((x, y) => x.a - y.a);
      const chars = Array.from(draft);
      const pre = h('p', { class: 'preview', id: 'reply-preview' });
      let at = 0;
      for (const s of spans) {
        const from = Math.max(at, s.a);
        if (s.a > at) pre.appendChild(document.createTextNode(chars.slice(at, s.a).join('')));
        if (s.b > from) pre.appendChild(h('mark', { title: reasonFor(s.f), text: chars.slice(from, s.b).join('') }));
        at = Math.max(at, s.b);
      }
      if (at < chars.length) pre.appendChild(document.createTextNode(chars.slice(at).join('')));
      replyErr.appendChild(h('p', { class: 'preview-label', text: 'Your draft, with the blocked text marked:' }));
      replyErr.appendChild(pre);
    }
    replyErr.appendChild(h('p', { class: 'hint', text: 'Your draft is kept below. Remove or rewrite the marked text, then send again.' }));
    if (spans.length) {
      // Apply redaction: the marked spans become "[redacted]" in the
      // draft, which the agent reviews and sends again (it is checked
      // again like any reply).
      const redact = h('button', { type: 'button', class: 'redact', text: 'Redact the marked text' });
      redact.addEventListener('click', () => {
        if (reply.input.value !== draft) {
          announce('The draft has changed since the check; send it again to re-check.');
          return;
        }
        const chars = Array.from(draft);
        const merged = [];
        for (const sp of spans) {
          const last = merged[merged.length - 1];
          if (last && sp.a <= last.b) last.b = Math.max(last.b, sp.b);
          else merged.push({ a: sp.a, b: sp.b });
        }
        let out = '';
        let at = 0;
        for (const m of merged) {
          out += chars.slice(at, m.a).join('') + '[redacted]';
          at = m.b;
        }
        out += chars.slice(at).join('');
        reply.input.value = out;
        clearBlock();
        reply.input.focus();
        announce('The marked text was replaced with [redacted]. Review the reply and send it again.');
      });
      replyErr.appendChild(redact);
    }
    replyErr.hidden = false;
    // Select the first blocked span so it is visible in the composer too.
    const first = spans[0];
    if (first) {
      reply.input.focus();
      reply.input.setSelectionRange(cpToUtf16(draft, first.a), cpToUtf16(draft, first.b));
    }
  }

  reply.input.addEventListener('input', () => {
    const pv = replyErr.querySelector('.preview');
    if (pv && !replyErr.querySelector('.stale')) {
      pv.before(h('p', { class: 'hint stale', text: 'The draft has changed since this check.' }));
    }
  });

  replyForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const draft = reply.input.value;
    clearBlock();
    if (!draft.trim() || textTooLong(draft, 'The reply')) {
      replyErr.appendChild(h('p', { text: textTooLong(draft, 'The reply') || 'Write the reply first.' }));
      replyErr.hidden = false;
      reply.input.focus();
      return;
    }
    busy(replyForm, async () => {
      try {
        await api.post(`${API}/tickets/${encodeURIComponent(id)}/replies`, { body: draft });
        reply.input.value = '';
        announce('Reply sent to the customer.');
        await refresh();
      } catch (e) {
        if (e instanceof ApiError && e.code === 'dlp_blocked') {
          showBlock(e, draft);
        } else {
          clearStatus();
          replyErr.appendChild(h('h3', { text: 'Reply not sent' }));
          replyErr.appendChild(h('p', { text: e.message }));
          replyErr.hidden = false;
        }
      }
    });
  });

  noteForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(noteErr);
    const text = note.input.value;
    if (!text.trim() || textTooLong(text, 'The note')) {
      showError(noteErr, textTooLong(text, 'The note') || 'Write the note first.');
      note.input.focus();
      return;
    }
    busy(noteForm, async () => {
      try {
        await api.post(`${API}/tickets/${encodeURIComponent(id)}/notes`, { body: text });
        note.input.value = '';
        announce('Internal note saved.');
        await refresh();
      } catch (e) {
        showError(noteErr, e);
      }
    });
  });

  await refresh();
}

// -------------------------------------------------------------- router

async function loadSession() {
  try {
    const s = await api.get(`${API}/staff/session`, { expect401: true });
    api.setCsrf(s.csrf_token);
    state.me = { id: s.id, role: s.role, name: s.name || '' };
  } catch (e) {
    state.me = null;
    if (e.status !== 401) state.loginNotice = e.message;
    api.setCsrf('');
  }
}

async function render() {
  document.title = 'Gatehouse — Agent console';
  if (!state.me) return showLogin();
  const { parts, query } = route();
  try {
    switch (parts[0]) {
      case 'queue': return await showQueue(query);
      case 'tickets':
        if (parts[1] && /^[0-9]+$/.test(parts[1])) return await showTicket(parts[1]);
        return go('#/queue');
      default:
        return go('#/queue');
    }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api.del(`${API}/staff/session`, { expect401: true });
  } catch (e) {
    /* the session is gone either way */
  }
  signedOut('You have logged out.');
});

initSkipLink();
window.addEventListener('hashchange', () => { if (isRouteHash()) render(); });

(async () => {
  await loadSession();
  await render();
})();
