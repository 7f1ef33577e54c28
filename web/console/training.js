// Gatehouse agent console: staff training (issue 11). The "Training"
// screen lists the modules with their status and expiry; opening one
// shows its content and its quiz, and a submitted quiz shows the score
// and whether it passed (the server keeps the answers; they never reach
// the browser). Supervisors get a "Training status" table of every staff
// member. The gate's refusal (403 training_required) is shown in the
// verification and reveal panels by trainingNotice(), with the modules
// and a link here.
//
// Module content is HTML the server rendered from Markdown (cmark's safe
// mode, links checked at import). It is still never put into the page as
// HTML: it is parsed into an inert document and rebuilt here from an
// allow-list of elements and attributes, as text otherwise.
import { ApiError, h, replace, timeEl, announce, showError, hideError, alertBox, listOf, busy, submitRow } from './lib.js';
import { API, api, screen, render } from './shell.js';

const STATUS = {
  current: ['Current', 'ok'],
  expired: ['Expired', 'bad'],
  missing: ['Not taken', 'bad'],
  assigned: ['Assigned', 'bad'],
};

// The badge of a module status; an optional module that is not current
// is shown neutral (nothing is missing).
export function trainingBadge(status, optional) {
  const [text, tone] = STATUS[status] || [String(status || '?'), 'bad'];
  const t = optional && tone === 'bad' && status !== 'assigned' ? 'optional' : tone;
  return h('span', { class: `badge training-${t} training-${status}`, text });
}

// The date of a Unix time, or "—".
function dateOf(unix) {
  if (typeof unix !== 'number') return h('span', { class: 'muted', text: '—' });
  const d = new Date(unix * 1000);
  return h('time', { datetime: d.toISOString() }, d.toLocaleDateString(undefined, { dateStyle: 'medium' }));
}

// --------------------------------------------------------- safe content

const ALLOWED = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'em', 'strong',
  'code', 'pre', 'blockquote', 'hr', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'img']);

// An href the content may keep: https:, mailto: or relative.
function safeHref(v) {
  const s = String(v || '').trim();
  if (/^(https:|mailto:)/i.test(s)) return s;
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) || s.startsWith('//') || s.startsWith('\\')) return null;
  return s;
}

// Copies node's children into parent, keeping only allowed elements.
function copySafe(node, parent) {
  for (const c of node.childNodes) {
    if (c.nodeType === Node.TEXT_NODE) {
      parent.appendChild(document.createTextNode(c.textContent));
      continue;
    }
    if (c.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = c.tagName.toLowerCase();
    if (!ALLOWED.has(tag)) {
      copySafe(c, parent);
      continue;
    }
    if (tag === 'img') {
      // Images from elsewhere are refused at import; show the text only.
      parent.appendChild(document.createTextNode(c.getAttribute('alt') || ''));
      continue;
    }
    const el = document.createElement(tag);
    if (tag === 'a') {
      const href = safeHref(c.getAttribute('href'));
      if (href) {
        el.setAttribute('href', href);
        el.setAttribute('rel', 'noopener noreferrer');
        el.setAttribute('target', '_blank');
      }
    }
    copySafe(c, el);
    parent.appendChild(el);
  }
}

// The module content html as a DOM fragment built from the allow-list;
// a first heading that repeats the title is left out.
export function safeContent(html, title) {
  const doc = new DOMParser().parseFromString(`<body>${String(html || '')}</body>`, 'text/html');
  const first = doc.body.firstElementChild;
  if (first && first.tagName === 'H1' && first.textContent.trim() === String(title || '').trim()) first.remove();
  const out = h('div', { class: 'training-content' });
  copySafe(doc.body, out);
  return out;
}

// ---------------------------------------------------------- the gate

// Shows the gate's refusal e (403 training_required) in the alert element
// el: which modules, and a link to the Training screen. True when e was
// that refusal.
export function trainingNotice(el, e) {
  if (!el || !(e instanceof ApiError) || e.code !== 'training_required') return false;
  const mods = listOf(e.data.modules);
  replace(el, h('span', { class: 'training-gate training-notice' },
    h('strong', { text: 'Training required. ' }),
    'You cannot verify callers or reveal customer data until these modules are current:',
    h('ul', { class: 'training-needed' }, mods.map((m) => h('li', null,
      h('a', { href: `#/training/${encodeURIComponent(m.id)}`, text: m.title || m.id }), ' ',
      trainingBadge(m.status)))),
    h('a', { href: '#/training', text: 'Open the Training screen' }),
    ' — reading and answering tickets still works.'));
  el.hidden = false;
  return true;
}

// ------------------------------------------------------- the list screen

function gateBanner(res) {
  if (res.gate_open) {
    return h('p', { class: 'notice training-open', text: 'Your required training is current: you may verify callers and reveal customer data.' });
  }
  const mods = listOf(res.missing);
  return h('div', { class: 'training-gate', role: 'note' },
    h('p', null, h('strong', { text: 'Training required. ' }),
      `Complete ${mods.length === 1 ? 'this module' : `these ${mods.length} modules`} to verify callers and reveal customer data again:`),
    h('ul', { class: 'training-needed' }, mods.map((m) => h('li', null,
      h('a', { href: `#/training/${encodeURIComponent(m.id)}`, text: m.title || m.id }), ' ', trainingBadge(m.status)))));
}

function moduleRow(m) {
  return h('tr', { class: `training-row training-${m.status}`, dataset: { module: m.id } },
    h('th', { scope: 'row' }, h('a', { href: `#/training/${encodeURIComponent(m.id)}`, text: m.title || m.id }),
      m.assigned ? h('p', { class: 'hint', text: `Assigned again (${m.assigned.reason === 'drill_click' ? 'a phishing drill was clicked' : m.assigned.reason}).` }) : null),
    h('td', null, trainingBadge(m.status, !m.required)),
    h('td', null, m.required ? 'Required' : h('span', { class: 'muted', text: 'Optional' })),
    h('td', null, dateOf(m.completed_at)),
    h('td', null, dateOf(m.expires_at)));
}

function modulesTable(mods) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'reveals training' },
      h('caption', { text: 'Your training modules' }),
      h('thead', null, h('tr', null,
        ['Module', 'Status', 'Required', 'Passed', 'Current until'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', null, mods.map(moduleRow))));
}

// The "Training" screen, or one module (#/training/ID).
export async function showTraining(parts) {
  if (parts[1]) return showModule(decodeURIComponent(parts[1]));
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading your training…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Training' })),
    h('p', { class: 'hint', text: 'Each module is a short read and a quiz. Passing keeps it current for its validity period; verifying callers and revealing customer data need every required module current.' }),
    err, body);
  try {
    const res = await api.get(`${API}/me/training`);
    replace(body, gateBanner(res), modulesTable(listOf(res.modules)));
  } catch (e) {
    replace(body);
    showError(err, e);
  }
}

// ------------------------------------------------------- one module

// One question as a fieldset of radio buttons or checkboxes.
function questionSet(q, i) {
  const multiple = q.kind === 'multiple';
  return h('fieldset', { class: 'quiz-q', dataset: { qid: q.id } },
    h('legend', null, h('span', { class: 'quiz-n', text: `${i + 1}. ` }), q.text,
      multiple && !/choose all/i.test(q.text) ? h('span', { class: 'hint', text: ' (choose all that apply)' }) : null),
    listOf(q.options).map((o, k) => {
      const id = `q-${q.id}-${k}`;
      return h('div', { class: 'quiz-opt' },
        h('input', { type: multiple ? 'checkbox' : 'radio', name: `q-${q.id}`, id, value: String(k) }),
        h('label', { for: id, text: o }));
    }));
}

// The answers of form as {qid: [indexes]}; null (with the first
// unanswered fieldset) when a question has no answer.
function answersOf(form) {
  const out = {};
  for (const fs of form.querySelectorAll('fieldset.quiz-q')) {
    const picked = [...fs.querySelectorAll('input:checked')].map((i) => Number(i.value));
    if (!picked.length) return { missing: fs };
    out[fs.dataset.qid] = picked;
  }
  return { answers: out };
}

function resultBox(res) {
  const pass = !!res.passed;
  return h('div', { class: `quiz-result ${pass ? 'passed' : 'failed'}`, role: 'status', tabindex: '-1' },
    h('h3', { text: pass ? 'Passed' : 'Not passed yet' }),
    h('p', { text: `Your score: ${res.score}% (pass mark ${res.pass_mark}%).` }),
    pass
      ? h('p', null, 'This module is current until ', dateOf(res.expires_at), '.')
      : h('p', { text: 'Read the module again and retry. Attempts are limited to 10 an hour per module.' }),
    h('p', null, h('a', { href: '#/training', text: 'Back to your training' })));
}

function quizForm(m, statusEl) {
  const err = alertBox();
  const out = h('div', { class: 'quiz-out' });
  const form = h('form', { class: 'quiz card', 'aria-labelledby': 'quiz-h', novalidate: true },
    h('h2', { id: 'quiz-h', text: 'Quiz' }),
    h('p', { class: 'hint', text: `Answer every question. Pass mark: ${m.pass_mark}%.` }),
    listOf(m.questions).map(questionSet), err, submitRow('Submit answers'), out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(err);
    const a = answersOf(form);
    if (a.missing) {
      showError(err, 'Answer every question first.');
      a.missing.querySelector('input').focus();
      return;
    }
    busy(form, async () => {
      try {
        const res = await api.post(`${API}/training/${encodeURIComponent(m.id)}/attempts`, { answers: a.answers });
        replace(out, resultBox(res));
        if (res.passed) replace(statusEl, trainingBadge('current'));
        announce(res.passed ? `Passed with ${res.score}%.` : `Not passed: ${res.score}%.`);
        out.firstChild.focus();
      } catch (e) {
        showError(err, e);
      }
    });
  });
  return form;
}

async function showModule(id) {
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading the module…' }));
  screen(h('p', { class: 'crumbs' }, h('a', { href: '#/training', text: '← Training' })),
    h('h1', { id: 'module-h', text: 'Training module' }), err, body);
  try {
    const m = await api.get(`${API}/training/${encodeURIComponent(id)}`);
    document.getElementById('module-h').textContent = m.title || m.id;
    const statusEl = h('span', null, trainingBadge(m.status, !m.required));
    replace(body,
      h('p', { class: 'module-meta' }, 'Status: ', statusEl,
        typeof m.expires_at === 'number' ? [' · current until ', dateOf(m.expires_at)] : null,
        m.required ? ' · required' : ' · optional'),
      h('article', { class: 'card training-article', 'aria-labelledby': 'module-h' }, safeContent(m.html, m.title)),
      quizForm(m, statusEl));
  } catch (e) {
    replace(body);
    if (e instanceof ApiError && e.status === 404) showError(err, 'There is no such training module.');
    else showError(err, e);
  }
}

// ---------------------------------------- supervisors: every staff member

function staffRow(s, ids) {
  const by = Object.fromEntries(listOf(s.modules).map((m) => [m.id, m]));
  return h('tr', { class: s.gate_open ? null : 'is-locked', dataset: { staff: String(s.id) } },
    h('th', { scope: 'row' }, h('span', { text: s.name || `staff #${s.id}` }),
      h('span', { class: 'muted', text: ` ${s.role || ''}` }),
      h('p', { class: s.gate_open ? 'hint' : 'locked', text: s.gate_open ? 'May verify and reveal' : 'Blocked by training' })),
    ids.map(([id, title]) => {
      const m = by[id];
      if (!m) return h('td', { 'data-label': title }, '—');
      return h('td', { dataset: { module: id }, 'data-label': title }, trainingBadge(m.status, !m.required),
        h('span', { class: 'until' }, m.expires_at ? ['until ', dateOf(m.expires_at)] : h('span', { class: 'muted', text: 'no date' })));
    }));
}

function statusTable(staff) {
  const first = listOf(staff[0] && staff[0].modules);
  const ids = first.map((m) => [m.id, m.title || m.id]);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'reveals training-status' },
      h('caption', { text: 'Training status per staff member' }),
      h('thead', null, h('tr', null, h('th', { scope: 'col', text: 'Staff member' }),
        first.map((m) => h('th', { scope: 'col', text: m.title || m.id })))),
      h('tbody', null, staff.map((s) => staffRow(s, ids)))));
}

// The supervisors' "Training status" screen.
export async function showTrainingStatus() {
  const err = alertBox();
  const body = h('div', null, h('p', { class: 'loading', text: 'Loading the training status…' }));
  screen(h('div', { class: 'page-head' }, h('h1', { text: 'Training status' }),
    h('button', { type: 'button', on: { click: () => render() }, text: 'Refresh' })),
  h('p', { class: 'hint', text: 'Every staff member’s modules with their status and the date each stays current until. A member with a required module missing, expired or assigned cannot verify callers or reveal data.' }),
  err, body);
  try {
    const res = await api.get(`${API}/supervisor/training`);
    const staff = listOf(res.staff);
    replace(body, staff.length && listOf(staff[0].modules).length
      ? statusTable(staff) : h('p', { class: 'empty', text: 'No training modules are imported.' }));
  } catch (e) {
    replace(body);
    showError(err, e);
  }
}
