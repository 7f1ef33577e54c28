// Gatehouse agent console: a reply the outbound filter refused (422
// dlp_blocked). The reply is not sent and the draft is kept. The red box
// above the composer says why, one line per finding with a "Select in
// draft" button, shows the draft with the blocked spans marked and offers
// to redact them; the first span is selected in the composer. Findings
// give code points (cstart, cend); the draft is indexed in UTF-16.
import { h, replace, announce, clearStatus, cpToUtf16, listOf } from './lib.js';

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

// The plain-words reason of finding f.
export function reasonFor(f) {
  return REASONS[f.type] || `Blocked by the outbound filter (${f.type || 'unknown'}).`;
}

// Empties and hides the box and takes the block off the composer input.
export function clearBlock(box, input) {
  replace(box);
  box.hidden = true;
  input.classList.remove('has-block');
  input.removeAttribute('aria-invalid');
  input.setAttribute('aria-describedby', input.id + '-hint');
}

// The findings' non-empty spans in draft (code points, clamped), by start.
function blockedSpans(findings, draft) {
  const cps = Array.from(draft).length;
  const clamp = (v) => Math.max(0, Math.min(cps, Number(v) || 0));
  return findings
    .map((f) => ({ f, a: clamp(f.cstart), b: clamp(f.cend) }))
    .filter((s) => s.b > s.a)
    .sort((x, y) => x.a - y.a);
}

// One line per finding: its reason, and a button that selects it in input.
function findingList(findings, draft, input) {
  return h('ul', { class: 'findings' }, findings.map((f, i) => {
    const a = cpToUtf16(draft, Number(f.cstart) || 0);
    const b = cpToUtf16(draft, Number(f.cend) || 0);
    const sel = h('button', {
      type: 'button', text: 'Select in draft',
      'aria-label': `Select blocked text ${i + 1} in your draft`,
    });
    sel.addEventListener('click', () => {
      input.focus();
      input.setSelectionRange(a, b);
    });
    return h('li', { dataset: { type: f.type || '' } },
      h('span', { class: 'reason', text: reasonFor(f) }),
      b > a ? sel : null);
  }));
}

// The draft with the blocked spans marked (built from text nodes).
function draftPreview(draft, spans) {
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
  return pre;
}

// The draft with each span (overlapping ones merged) replaced by "[redacted]".
function redactSpans(draft, spans) {
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
  return out + chars.slice(at).join('');
}

// "Redact the marked text": the marked spans become "[redacted]" in the
// draft, which the agent reviews and sends again (it is checked again like
// any reply). Refused when the draft changed since the check.
function redactButton(box, input, draft, spans) {
  const redact = h('button', { type: 'button', class: 'redact', text: 'Redact the marked text' });
  redact.addEventListener('click', () => {
    if (input.value !== draft) {
      announce('The draft has changed since the check; send it again to re-check.');
      return;
    }
    input.value = redactSpans(draft, spans);
    clearBlock(box, input);
    input.focus();
    announce('The marked text was replaced with [redacted]. Review the reply and send it again.');
  });
  return redact;
}

// Marks input as blocked and points its description at the box.
function markBlocked(box, input) {
  input.classList.add('has-block');
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', `${input.id}-hint ${box.id}`);
}

// Shows the refusal e (an ApiError with data.findings) of draft in box.
export function showBlock(box, input, e, draft) {
  clearStatus();
  replace(box);
  markBlocked(box, input);
  box.appendChild(h('h3', { text: 'Reply not sent — blocked by the outbound filter' }));
  box.appendChild(h('p', { text: e.message }));
  const findings = listOf(e.data.findings);
  if (!findings.length) {
    box.hidden = false;
    return;
  }
  const spans = blockedSpans(findings, draft);
  box.appendChild(findingList(findings, draft, input));
  if (spans.length) {
    box.appendChild(h('p', { class: 'preview-label', text: 'Your draft, with the blocked text marked:' }));
    box.appendChild(draftPreview(draft, spans));
  }
  box.appendChild(h('p', { class: 'hint', text: 'Your draft is kept below. Remove or rewrite the marked text, then send again.' }));
  if (spans.length) box.appendChild(redactButton(box, input, draft, spans));
  box.hidden = false;
  // Select the first blocked span so it is visible in the composer too.
  const first = spans[0];
  if (first) {
    input.focus();
    input.setSelectionRange(cpToUtf16(draft, first.a), cpToUtf16(draft, first.b));
  }
}

// Notes above the preview that the draft changed since the check.
export function markStale(box) {
  const pv = box.querySelector('.preview');
  if (pv && !box.querySelector('.stale')) {
    pv.before(h('p', { class: 'hint stale', text: 'The draft has changed since this check.' }));
  }
}
