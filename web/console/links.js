// Gatehouse agent console: links in customers' messages. They arrive
// analysed and defanged ("hxxps://evil[.]example/x") with byte offsets into
// the stored body. They are shown as text, never as <a>; opening one takes
// an explicit step and a confirmation that shows the real address and the
// warnings.
import { h, listOf } from './lib.js';

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
  const reasons = listOf(l.reasons).map((c) => `• ${linkReason(c)}`).join('\n');
  const msg = 'This link was sent by a customer. Opening it can expose you and the company to phishing or malware.\n\n'
    + `It really goes to:\n${url}\n\n`
    + `Verdict: ${VERDICTS[l.verdict] || l.verdict}${reasons ? `\n${reasons}` : ''}\n\n`
    + 'Never enter a password or code on a page you reached this way. Open it in a new tab?';
  if (!window.confirm(msg)) return;
  window.open(url, '_blank', 'noopener,noreferrer');
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

// One link under a message: verdict, defanged address, the open step
// (never for data: or javascript: links) and the warning signs.
function linkItem(l) {
  const url = refang(l.url_defanged);
  const codes = listOf(l.reasons);
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
}

// The list of links under a customer message (null when there are none).
export function linkList(links) {
  if (!links.length) return null;
  return h('ul', { class: 'links', 'aria-label': 'Links in this message' }, links.map(linkItem));
}
