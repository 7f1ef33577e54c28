// Gatehouse agent console: a button that opens a small form asking for a
// reason before an audited action (reveal a field, approve or reject a
// change, clear a lock). The reason is checked in the form like the
// server checks it (3..500 characters on one line, no control or
// bidirectional-override characters: reasonProblem in held.js), with the
// message next to the field and the focus back in it; the button says
// whether its form is open (aria-expanded). Buttons of one item can be
// made exclusive: opening one closes the others.
import { h, showError, hideError, field, busy, alertBox, submitRow } from './lib.js';
import { reasonProblem } from './held.js';

// opts: open (button text), openLabel (its accessible name, optional),
// describedBy (id, optional), label, hint, submit (submit button text),
// id (the reason input's id), kind (form class), check() (a problem
// found before the reason, or ''), send(reason) (async; throws to refuse),
// error(e) (the words for a refusal; default: the server's), notice(el,
// e) (optional: shows a refusal in el itself and returns true, e.g. the
// training gate's).
// Returns {open, form, close(), err}.
export function reasonToggle(opts) {
  const ferr = alertBox();
  const reason = field(opts.label, {
    type: 'text', name: 'reason', required: true, minlength: '3', maxlength: '500', autocomplete: 'off', id: opts.id,
  }, opts.hint);
  const form = h('form', { class: `decide ${opts.kind || ''}`, novalidate: true, hidden: true },
    ferr, reason.wrap, submitRow(opts.submit));
  const open = h('button', {
    type: 'button', text: opts.open, 'aria-expanded': 'false',
    'aria-label': opts.openLabel, 'aria-describedby': opts.describedBy,
  });
  const t = {
    open, form, err: ferr, others: [],
    close() {
      form.hidden = true;
      open.setAttribute('aria-expanded', 'false');
    },
  };
  open.addEventListener('click', () => {
    const show = form.hidden;
    for (const o of t.others) o.close();
    form.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    if (show) reason.input.focus();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    hideError(ferr);
    const text = reason.input.value.trim();
    const problem = (opts.check && opts.check()) || reasonProblem(text);
    if (problem) {
      showError(ferr, problem);
      reason.input.focus();
      return;
    }
    busy(form, async () => {
      try {
        await opts.send(text);
        reason.input.value = '';
        t.close();
      } catch (e) {
        if (!(opts.notice && opts.notice(ferr, e))) showError(ferr, opts.error ? opts.error(e) : e);
        if (form.isConnected) reason.input.focus();
      }
    });
  });
  return t;
}

// Makes the toggles exclusive: opening one closes the others.
export function exclusive(...toggles) {
  for (const t of toggles) t.others = toggles.filter((o) => o !== t);
  return toggles;
}
