// Gatehouse agent console: a small line chart of phishing-drill results
// over time, drawn as inline SVG (no chart library). Two lines over the
// weeks: the report rate (higher is better) and the click rate (lower is
// better), 0–100 %, with axes, week labels, a legend and a text summary
// for screen readers. Every value is set as an attribute or text node.
const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 260;
const PAD = { l: 48, r: 16, t: 16, b: 48 };

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function pct(v) {
  return v === null || v === undefined ? null : Math.round(Number(v) * 100);
}

function weekLabel(unix) {
  const d = new Date(Number(unix) * 1000);
  return `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })}`;
}

// x of week i of n, y of a percentage.
function xAt(i, n) {
  const w = W - PAD.l - PAD.r;
  return PAD.l + (n <= 1 ? w / 2 : (w * i) / (n - 1));
}
function yAt(p) {
  return PAD.t + ((H - PAD.t - PAD.b) * (100 - p)) / 100;
}

function axes(svg, weeks) {
  for (const p of [0, 25, 50, 75, 100]) {
    svg.append(el('line', { x1: PAD.l, x2: W - PAD.r, y1: yAt(p), y2: yAt(p), class: 'grid' }));
    svg.append(el('text', { x: PAD.l - 8, y: yAt(p) + 4, 'text-anchor': 'end', class: 'tick' }, `${p}%`));
  }
  const step = Math.max(1, Math.ceil(weeks.length / 8));
  weeks.forEach((wk, i) => {
    if (i % step) return;
    svg.append(el('text', { x: xAt(i, weeks.length), y: H - PAD.b + 18, 'text-anchor': 'middle', class: 'tick' }, weekLabel(wk.week_start)));
  });
  svg.append(el('text', { x: W / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-label' }, 'Week of delivery'));
}

// The report dots are drawn larger, so a click dot of the same value
// on top of one leaves it visible.
function series(svg, weeks, key, cls, r) {
  const pts = weeks.map((wk, i) => [xAt(i, weeks.length), pct(wk[key])]).filter(([, p]) => p !== null);
  if (pts.length > 1) svg.append(el('polyline', { points: pts.map(([x, p]) => `${x},${yAt(p)}`).join(' '), class: `line ${cls}` }));
  for (const [x, p] of pts) svg.append(el('circle', { cx: x, cy: yAt(p), r, class: `dot ${cls}` }));
}

function legend(svg) {
  const items = [['report', 'Report rate (higher is better)'], ['click', 'Click rate (lower is better)']];
  items.forEach(([cls, text], i) => {
    const x = PAD.l + 8 + i * 250;
    svg.append(el('rect', { x, y: PAD.t - 12, width: 14, height: 4, class: `key ${cls}` }));
    svg.append(el('text', { x: x + 20, y: PAD.t - 7, class: 'legend' }, text));
  });
}

// The chart of weeks [{week_start, report_rate, click_rate, delivered}].
export function rateChart(weeks) {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'drill-chart', role: 'img', preserveAspectRatio: 'xMidYMid meet' });
  const last = weeks[weeks.length - 1] || {};
  const summary = weeks.length
    ? `Report rate and click rate over ${weeks.length} week(s). Latest week: reported ${pct(last.report_rate) ?? 0}%, clicked ${pct(last.click_rate) ?? 0}% of ${last.delivered} drill(s).`
    : 'No drills delivered yet.';
  svg.append(el('title', {}, summary));
  svg.setAttribute('aria-label', summary);
  axes(svg, weeks);
  legend(svg);
  series(svg, weeks, 'report_rate', 'report', 7);
  series(svg, weeks, 'click_rate', 'click', 4);
  return svg;
}
