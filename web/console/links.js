// Gatehouse agent console: links in customers' messages. They arrive
// analysed and defanged ("hxxps://evil[.]example/x") with byte offsets into
// the stored body. They are shown as text, never as <a>; opening one takes
// an explicit step and a confirmation that shows the real address and the
// warnings, and goes through the server (audited; a phishing drill's link
// answers its lesson instead of an address).
import { h, listOf, replace } from './lib.js';
import { API, api } from './shell.js';

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
  model_score: 'The link model rates this address as likely phishing.',
};
const VERDICTS = { ok: 'No warning signs', suspicious: 'Suspicious', dangerous: 'Dangerous' };

// The badge of link l: its verdict, except that an "ok" link with warning
// signs listed under it (signs too weak for "Suspicious") says how many,
// never "No warning signs". "own_domain" is not a warning sign.
function verdictOf(l) {
  const n = listOf(l.reasons).filter((c) => c !== 'own_domain').length;
  if (l.verdict === 'ok' && n > 0) return { kind: 'low', text: `${n} warning sign${n === 1 ? '' : 's'}` };
  return { kind: l.verdict, text: VERDICTS[l.verdict] || String(l.verdict) };
}

function linkReason(code) {
  return LINK_REASONS[code] || `Warning sign: ${code}.`;
}

// The real address back from its defanged form (scheme and host only were
// changed by the server).
function refang(d) {
  return String(d || '').replace(/^hxxp/i, 'http').replace(/\[\.\]/g, '.').replace(/\[@\]/g, '@');
}

// The short lesson of a phishing drill, shown the moment its link (or
// file) was opened.
export function lessonPanel(lesson) {
  const l = lesson || {};
  return h('section', { class: 'drill-lesson', role: 'alert', 'aria-label': 'Phishing drill lesson' },
    h('h3', { tabindex: '-1', text: l.title || 'This was a phishing drill' }),
    h('p', { text: l.text || '' }),
    listOf(l.red_flags).length ? h('p', { class: 'flags-h', text: 'The warning signs in this message:' }) : null,
    listOf(l.red_flags).length ? h('ul', null, listOf(l.red_flags).map((f) => h('li', { text: f }))) : null,
    h('p', { class: 'hint', text: 'A short training module was added to your Training list. Next time, use “Report phishing” instead.' }));
}

// Opens link l (number n of message ctx.messageId) after the warning:
// always through the server, which audits it and answers the address, or,
// for a phishing drill, the lesson (drawn into `out` at once). A message
// reported as phishing has its links blocked (403 quarantined).
async function openLink(l, n, ctx, out) {
  const url = refang(l.url_defanged);
  const reasons = listOf(l.reasons).map((c) => `• ${linkReason(c)}`).join('\n');
  const msg = 'This link was sent by a customer. Opening it can expose you and the company to phishing or malware.\n\n'
    + `It really goes to:\n${url}\n\n`
    + `Verdict: ${verdictOf(l).text}${reasons ? `\n${reasons}` : ''}\n\n`
    + 'Never enter a password or code on a page you reached this way. Open it in a new tab?';
  if (!window.confirm(msg)) return;
  const path = `${API}/tickets/${encodeURIComponent(ctx.ticketId)}/messages/${encodeURIComponent(ctx.messageId)}/links/${n}/open`;
  try {
    const res = await api.post(path, {});
    if (res.drill) {
      replace(out, lessonPanel(res.lesson));
      out.querySelector('h3').focus();
      return;
    }
    if (res.url) window.open(res.url, '_blank', 'noopener,noreferrer');
  } catch (e) {
    replace(out, h('p', { class: 'error', role: 'alert', text: e.code === 'quarantined'
      ? 'This message was reported as phishing: its links are blocked.' : e.message }));
  }
}

// A customer message body with each analysed link replaced by its defanged
// text (offsets are UTF-8 bytes of the stored body).
export function customerBody(body, links) {
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

// One link (number n) under a message: verdict, defanged address, the
// open step (never for data: or javascript: links, nor once the message
// was reported) and the warning signs.
function linkItem(l, n, ctx) {
  const url = refang(l.url_defanged);
  const codes = listOf(l.reasons);
  const openable = /^https?:\/\//i.test(url) && !codes.includes('javascript_url') && !codes.includes('data_url');
  const out = h('div', { class: 'link-out' });
  let action;
  if (ctx.reported) action = h('span', { class: 'hint', text: 'Blocked: this message was reported as phishing.' });
  else if (openable) action = h('button', { type: 'button', class: 'open-link', text: 'Open link…', on: { click: () => openLink(l, n, ctx, out) } });
  else action = h('span', { class: 'hint', text: 'This kind of link is never opened from the console.' });
  const verdict = verdictOf(l);
  return h('li', { class: `link verdict-${l.verdict}` },
    h('div', { class: 'link-head' },
      h('span', { class: `badge verdict verdict-${verdict.kind}`, text: verdict.text }),
      h('code', { class: 'defanged', text: l.url_defanged || '' }),
      action),
    l.text_defanged ? h('p', { class: 'hint', text: `Shown to the reader as: ${l.text_defanged}` }) : null,
    typeof l.model_score === 'number' ? h('p', { class: 'hint risk-score', text: `Risk score: ${Math.round(l.model_score * 100)}%` }) : null,
    codes.length ? h('ul', { class: 'reasons' }, codes.map((c) => h('li', { text: linkReason(c) }))) : null,
    out);
}

// The list of links under a customer message (null when there are none).
// ctx: {ticketId, messageId, reported}; links are numbered from 1 in the
// order the server stored them.
export function linkList(links, ctx) {
  if (!links.length) return null;
  return h('ul', { class: 'links', 'aria-label': 'Links in this message' }, links.map((l, i) => linkItem(l, i + 1, ctx || {})));
}
