// Gatehouse agent console: a ticket's attachments. Each file shows the
// scanner's verdict and reasons (and the flagged entries of an archive);
// a file that is not quarantined can be downloaded, a quarantined one can
// be released by an administrator, with a reason that is audited.
import { ApiError, h, replace, timeEl, announce, showError, hideError, field, busy, listOf, alertBox, submitRow } from './lib.js';
import { API, api, isAdmin } from './shell.js';
import { lessonPanel } from './links.js';

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
  inconsistent_archive: 'inconsistent archive (entries disagree)',
  active_html: 'web page with a form, script or redirect',
};

function reasonText(codes) {
  return listOf(codes).map((r) => ATTACH_REASON[r] || r).join('; ');
}

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

// The hidden release form of quarantined file a; reload() runs after it.
function releaseForm(a, reload) {
  const rerr = alertBox();
  const reason = field('Reason for releasing this file', {
    name: 'reason', required: true, minlength: '3', maxlength: '500',
  }, 'Recorded in the audit log. Release only after checking the file outside the console.');
  const form = h('form', { class: 'release', novalidate: true, hidden: true },
    rerr, reason.wrap, submitRow('Release file'));
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
        await reload();
      } catch (e) {
        showError(rerr, e);
      }
    });
  });
  return form;
}

// The quarantine notice, and for an admin "Release…" opening the form.
function quarantineControl(rform) {
  const children = [h('p', { class: 'quarantined', text: 'Quarantined — an administrator must release it' })];
  if (rform) {
    const open = h('button', { type: 'button', text: 'Release…', 'aria-expanded': 'false' });
    open.addEventListener('click', () => {
      rform.hidden = !rform.hidden;
      open.setAttribute('aria-expanded', String(!rform.hidden));
      if (!rform.hidden) rform.querySelector('input').focus();
    });
    children.push(open);
  }
  return h('div', null, children);
}

// "Download" for file a; a failure shows in ierr. Every download first
// asks the server to open the file (POST .../open): a phishing drill's
// file answers its lesson, drawn into out at once, instead of the file.
function downloadButton(a, ierr, out) {
  const btn = h('button', { type: 'button', text: 'Download', 'aria-label': `Download ${a.filename}` });
  btn.addEventListener('click', async () => {
    hideError(ierr);
    btn.disabled = true;
    try {
      const opened = await api.post(`${API}/attachments/${encodeURIComponent(a.id)}/open`, {});
      if (opened.drill) {
        replace(out, lessonPanel(opened.lesson));
        out.querySelector('h3').focus();
        return;
      }
      await downloadAttachment(a);
    } catch (e) {
      showError(ierr, e);
    } finally {
      btn.disabled = false;
    }
  });
  return btn;
}

// What the scanner said about file a: reasons, flagged archive entries,
// what was removed, when it is deleted, who released it.
function attachmentFindings(a) {
  const reasons = listOf(a.reasons);
  const redacted = listOf(a.redacted);
  const flagged = listOf(a.flagged);
  return [
    reasons.length ? h('p', { class: 'reasons', text: `Why: ${reasonText(reasons)}` }) : null,
    flagged.length ? h('ul', { class: 'flagged', 'aria-label': 'Flagged files inside the archive' },
      flagged.map((f) => h('li', { text: `${f.entry}: ${reasonText(f.reasons)}` }))) : null,
    redacted.length ? h('p', { class: 'redacted', text: `Removed before storing: ${redacted.map((r) => `${r.count} × ${r.type}`).join(', ')}` }) : null,
    a.delete_after ? h('p', { class: 'muted' }, 'Deleted automatically on ', timeEl(a.delete_after)) : null,
    a.released ? h('p', { class: 'muted' }, `Released by staff #${a.released.by} on `, timeEl(a.released.at)) : null,
  ];
}

function attachmentItem(a, reload) {
  const ierr = alertBox();
  const out = h('div', { class: 'attachment-out' });
  const rform = a.quarantined && isAdmin() ? releaseForm(a, reload) : null;
  const control = a.quarantined ? quarantineControl(rform) : downloadButton(a, ierr, out);
  return h('li', { class: 'attachment' },
    h('div', { class: 'attachment-head' },
      h('span', { class: 'filename', text: a.filename }), ' ',
      h('span', { class: `badge verdict-${a.verdict}`, text: VERDICT_LABEL[a.verdict] || a.verdict }), ' ',
      h('span', { class: 'muted', text: `${a.type || ''} · ${a.size} bytes · ` }), timeEl(a.created_at)),
    attachmentFindings(a),
    ierr, control, out, rform);
}

// The attachments panel of ticket id (it loads its list itself).
export function attachmentsPanel(id) {
  const list = h('ul', { class: 'attachments', 'aria-label': 'Attachments' });
  const err = alertBox();
  const panel = h('section', { class: 'panel attachments-panel', 'aria-labelledby': 'att-h' },
    h('h2', { class: 'panel-label', id: 'att-h', text: 'Attachments' }), err, list);

  async function load() {
    try {
      const data = await api.get(`${API}/tickets/${encodeURIComponent(id)}/attachments`);
      const items = listOf(data.attachments);
      hideError(err);
      replace(list, items.length ? items.map((a) => attachmentItem(a, load)) : h('li', { class: 'empty', text: 'No attachments.' }));
    } catch (e) {
      showError(err, e);
    }
  }
  load();
  // A report of phishing quarantines files (report.js reloads the list).
  panel.reload = load;
  return panel;
}
