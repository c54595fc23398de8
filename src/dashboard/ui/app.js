// flashfirst dashboard: plain JavaScript, no libraries. The key lives in this
// tab's session storage and goes only into the Authorization header.
'use strict';

const API = '/v1/flashfirst/';
const KEY = 'flashfirst-key';
const $ = (id) => document.getElementById(id);
const state = { viewer: null, before: null, page: null, refreshing: false, pending: false, lastRefresh: 0 };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

// Exact decimal strings, shown rounded half up: to the cent from 1 up, else to 6
// decimals (the exact value is in data-exact and the tooltip).
function money(s, currency) {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const femto = BigInt(i + f.padEnd(15, '0').slice(0, 15));
  const places = femto >= 1000000000000000n ? 2 : 6;
  const unit = 10n ** BigInt(15 - places);
  const v = (femto + unit / 2n) / unit;
  const scale = 10n ** BigInt(places);
  const units = (v / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (v % scale).toString().padStart(places, '0');
  const sym = currency === 'USD' ? '$' : currency === 'CNY' ? '¥' : '';
  return (neg ? '-' : '') + sym + units + '.' + frac + (sym ? '' : ' ' + currency);
}
function moneyEl(tag, s, currency, cls) {
  return el(tag, { class: cls, 'data-exact': s, title: s + ' ' + currency, text: money(s, currency) });
}
const pct = (x) => (x === null || x === undefined ? '–' : (x * 100).toFixed(1) + '%');
const int = (n) => Number(n).toLocaleString('en-US');

function key() { return sessionStorage.getItem(KEY); }

async function get(path) {
  const res = await fetch(API + path, { headers: { Authorization: 'Bearer ' + key() }, cache: 'no-store' });
  if (res.status === 401) { signOut('That key is not known to this gateway.'); throw new Error('unauthorized'); }
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
  return body;
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  state.viewer = null;
  show('login');
  $('login-error').textContent = message || '';
}

function show(page) {
  for (const id of ['login', 'overview', 'requests', 'evals']) $(id).hidden = id !== page;
  for (const id of ['overview', 'requests', 'evals']) {
    const a = $('nav-' + id);
    if (id === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  state.page = page;
}

// ---- dates -----------------------------------------------------------------
const dayMs = 86400000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const todayStart = () => Math.floor(Date.now() / dayMs) * dayMs;
function monthStart() { const d = new Date(); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); }

function rangeQuery() {
  const from = $('range-from').value, to = $('range-to').value;
  const q = [];
  if (from) q.push('from=' + from + 'T00:00:00Z');
  if (to) q.push('to=' + isoDay(Date.parse(to + 'T00:00:00Z') + dayMs) + 'T00:00:00Z');
  return q.join('&');
}

// ---- overview ---------------------------------------------------------------
function card(label, s, id) {
  const c = s.cost;
  const save = c.savings_vs_all_pro_percent === null ? '' : ' (' + c.savings_vs_all_pro_percent + '%)';
  return el('div', { class: 'card', id },
    el('div', { class: 'label', text: label }),
    moneyEl('div', c.actual, s.currency, 'big'),
    el('div', { class: 'sub' }, 'All-Pro ', moneyEl('span', c.all_pro, s.currency), ' · all-Flash ', moneyEl('span', c.all_flash, s.currency)),
    el('div', { class: 'sub' }, el('span', { class: 'save' }, 'Saved ', moneyEl('span', c.savings_vs_all_pro, s.currency), save)),
    el('div', { class: 'sub', text: int(s.calls) + ' calls · cache hits ' + pct(s.cache_hit_rate) + ' · Pro ' + pct(s.pro_share) }));
}

function table(headers, rows, numeric) {
  const t = el('table');
  const tr = el('tr');
  headers.forEach((h, i) => tr.append(el('th', { scope: 'col', class: numeric[i] ? 'num' : null, text: h })));
  t.append(el('thead', {}, tr));
  const body = el('tbody');
  for (const r of rows) {
    const row = el('tr');
    r.forEach((v, i) => row.append(v instanceof Node ? el('td', { class: numeric[i] ? 'num' : null }, v)
      : el('td', { class: numeric[i] ? 'num' : null, text: v })));
    body.append(row);
  }
  t.append(body);
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: headers.length, class: 'muted', text: 'No calls in this range.' })));
  return t;
}

function breakdown(target, spend) {
  const rows = spend.groups.map((g) => [g.values[0], int(g.calls), moneyEl('span', g.cost.actual, spend.currency),
    moneyEl('span', g.cost.all_pro, spend.currency), pct(g.cache_hit_rate)]);
  $(target).replaceChildren(table(['Name', 'Calls', 'Spend', 'If all Pro', 'Cache hits'], rows, [0, 1, 1, 1, 1]));
}

// The buckets of the selected range (every day, or every hour), so that the
// x-axis is the range, empty buckets included; at most 31 days of hours.
function rangeBuckets(step) {
  const from = $('range-from').value, to = $('range-to').value;
  if (!from || !to) return [];
  const start = Date.parse(from + 'T00:00:00Z'), end = Date.parse(to + 'T00:00:00Z') + dayMs;
  const size = step === 'hour' ? 3600000 : dayMs;
  if (!(end > start) || (end - start) / size > 744) return [];
  const out = [];
  for (let t = start; t < end; t += size) {
    out.push(step === 'hour' ? new Date(t).toISOString().slice(0, 13) + ':00Z' : isoDay(t));
  }
  return out;
}

function stackedBars(target, groups, step, currency) {
  // groups: by=<step>,tier → one bar per bucket, Flash below Pro.
  const buckets = new Map();
  for (const k of rangeBuckets(step)) buckets.set(k, { flash: 0, pro: 0, other: 0 });
  for (const g of groups) {
    const b = buckets.get(g.values[0]) || { flash: 0, pro: 0, other: 0 };
    const v = Number(g.cost.actual);
    if (g.values[1] === 'flash') b.flash += v; else if (g.values[1] === 'pro') b.pro += v; else b.other += v;
    buckets.set(g.values[0], b);
  }
  const keys = [...buckets.keys()].sort();
  const W = 900, H = 220, L = 64, B = 28, T = 10;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': 'Spend per ' + step + ', Flash and Pro stacked' });
  if (!groups.length) { $(target).replaceChildren(el('p', { class: 'muted', text: 'No spend in this range.' })); return; }
  const max = Math.max(...keys.map((k) => buckets.get(k).flash + buckets.get(k).pro + buckets.get(k).other)) || 1;
  const bw = (W - L - 10) / keys.length;
  for (let i = 0; i <= 4; i++) {
    const y = T + (H - T - B) * (1 - i / 4);
    s.append(svg('line', { x1: L, x2: W - 10, y1: y, y2: y, stroke: '#e4e9ef' }));
    const t = svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' });
    t.textContent = money(String((max * i / 4).toFixed(6)), currency);
    s.append(t);
  }
  keys.forEach((k, i) => {
    const b = buckets.get(k);
    let y = H - B;
    for (const [part, color] of [['flash', '#0b5cad'], ['pro', '#b4461b'], ['other', '#829ab1']]) {
      const h = (H - T - B) * b[part] / max;
      if (h <= 0) continue;
      y -= h;
      const r = svg('rect', { x: L + i * bw + bw * 0.15, y, width: Math.max(1, bw * 0.7), height: h, fill: color });
      const tip = svg('title', {}); tip.textContent = `${k} ${part}: ${b[part].toFixed(6)} ${currency}`;
      r.append(tip); s.append(r);
    }
    if (keys.length <= 16 || i % Math.ceil(keys.length / 12) === 0) {
      const t = svg('text', { x: L + i * bw + bw / 2, y: H - 10, 'text-anchor': 'middle' });
      // Hours across days: the day with the hour, so that the axis reads unambiguously.
      t.textContent = step === 'hour' ? (keys.length > 24 ? k.slice(5, 10) + ' ' + k.slice(11, 13) + 'h' : k.slice(11, 16)) : k.slice(5);
      s.append(t);
    }
  });
  const legend = el('div', { class: 'legend' }, el('span', {}, el('i', { class: 'flash' }), 'Flash'), el('span', {}, el('i', { class: 'pro' }), 'Pro'));
  $(target).replaceChildren(s, legend);
}

function rateLines(target, found, step) {
  const W = 440, H = 200, L = 40, B = 28, T = 10;
  if (!found.length) { $(target).replaceChildren(el('p', { class: 'muted', text: 'No calls in this range.' })); return; }
  // Every bucket of the range; those without calls have no point.
  const have = new Map(found.map((g) => [g.values[0], g]));
  const names = rangeBuckets(step);
  const groups = names.length ? names.map((k) => have.get(k) || { values: [k], cache_hit_rate: null, pro_share: null }) : found;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': 'Cache-hit rate, Pro share and escalation rate per ' + step });
  for (let i = 0; i <= 4; i++) {
    const y = T + (H - T - B) * (1 - i / 4);
    s.append(svg('line', { x1: L, x2: W - 10, y1: y, y2: y, stroke: '#e4e9ef' }));
    const t = svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }); t.textContent = (i * 25) + '%'; s.append(t);
  }
  const n = groups.length;
  const x = (i) => L + (n === 1 ? (W - L - 10) / 2 : i * (W - L - 10) / (n - 1));
  const y = (v) => T + (H - T - B) * (1 - v);
  // The escalation rate: calls escalated to Pro per call in the bucket.
  const escalation = (g) => (g.calls ? g.escalations / g.calls : null);
  for (const [field, color] of [['cache_hit_rate', '#1d7a46'], ['pro_share', '#b4461b'], [escalation, '#7b3fa0']]) {
    const value = (g) => (typeof field === 'function' ? field(g) : g[field]);
    const pts = groups.map((g, i) => [x(i), value(g) === null ? null : y(value(g))]).filter((p) => p[1] !== null);
    if (!pts.length) continue;
    s.append(svg('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
    for (const p of pts) s.append(svg('circle', { cx: p[0], cy: p[1], r: 3, fill: color }));
  }
  [0, n - 1].forEach((i) => {
    const t = svg('text', { x: x(i), y: H - 10, 'text-anchor': i === 0 ? 'start' : 'end' });
    t.textContent = step === 'hour' ? groups[i].values[0].slice(5, 16).replace('T', ' ') : groups[i].values[0];
    s.append(t);
  });
  const legend = el('div', { class: 'legend' }, el('span', {}, el('i', { class: 'hit' }), 'Cache-hit rate'),
    el('span', {}, el('i', { class: 'pro' }), 'Pro share of calls'), el('span', {}, el('i', { class: 'esc' }), 'Escalated'));
  $(target).replaceChildren(s, legend);
}

function budgets(b) {
  const rows = [];
  for (const k of b.keys) {
    for (const p of k.budgets) {
      const used = Number(p.used);
      const bar = el('div', { class: 'bar' + (used >= 1 ? ' over' : p.warning ? ' warn' : ''), role: 'img', 'aria-label': pct(used) + ' used' }, el('span'));
      bar.firstChild.style.width = Math.min(100, used * 100).toFixed(1) + '%';
      const flag = used >= 1 ? el('span', { class: 'tag bad', text: 'Spent' })
        : p.warning ? el('span', { class: 'tag warn budget-warning', text: '≥ 80% used' })
        : p.projected_over ? el('span', { class: 'tag warn', text: 'On course to pass' }) : '';
      rows.push([k.key, p.period, moneyEl('span', p.spent, b.currency), moneyEl('span', p.limit, b.currency), bar,
        pct(used), p.projected === null ? '–' : moneyEl('span', p.projected, b.currency), flag || '']);
    }
  }
  if (!rows.length) { $('budgets').replaceChildren(el('p', { class: 'muted', text: 'No key has a budget.' })); return; }
  $('budgets').replaceChildren(table(['Key', 'Period', 'Spent', 'Limit', 'Used', '', 'Projected', ''], rows, [0, 0, 1, 1, 0, 1, 1, 0]));
}

function strip(live) {
  const band = live.price_band;
  const until = band ? new Date(Date.parse(band.until)).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '';
  const bandName = band ? { peak: 'Peak', off_peak: 'Off-peak', flat: 'Flat' }[band.band] || band.band : 'unknown';
  const lat = live.latency_ms;
  $('strip').replaceChildren(
    el('span', {}, 'Price band now: ', el('b', { id: 'band', text: bandName }), band ? ' until ' + until : ''),
    el('span', {}, 'Calls/s (last minute): ', el('b', { id: 'rps', text: Number(live.per_second).toFixed(2) })),
    el('span', {}, 'Latency p50 ', el('b', { text: lat.p50 === null ? '–' : int(lat.p50) + ' ms' }), ' · p99 ', el('b', { text: lat.p99 === null ? '–' : int(lat.p99) + ' ms' })),
    el('span', {}, 'Ledger: ', el('b', { id: 'ledger-rows', text: int(live.ledger.rows) }), ' calls', live.ledger.loaded ? '' : ' (loading…)'));
}

async function overview() {
  const step = $('range-step').value;
  const range = rangeQuery();
  const amp = range ? '&' + range : '';
  const day = isoDay(todayStart()), month = isoDay(monthStart()), tomorrow = isoDay(todayStart() + dayMs);
  const [today, thisMonth, ranged, all, over, rates, tiers, keys, cats, b, live] = await Promise.all([
    get(`spend?from=${day}T00:00:00Z&to=${tomorrow}T00:00:00Z`), get(`spend?from=${month}T00:00:00Z`),
    get('spend?' + range), get('spend'), get(`spend?by=${step},tier${amp}`), get(`spend?by=${step}${amp}`),
    get('spend?by=tier' + amp), get('spend?by=key' + amp), get('spend?by=category' + amp), get('budgets'), get('live')]);
  $('cards').replaceChildren(card('Today', today, 'card-today'), card('This month', thisMonth, 'card-month'),
    card('Selected range', ranged, 'card-range'), card('All time', all, 'card-all'));
  strip(live);
  stackedBars('chart-spend', over.groups, step, over.currency);
  rateLines('chart-rates', rates.groups, step);
  breakdown('by-tier', tiers);
  breakdown('by-key', keys);
  breakdown('by-category', cats);
  $('escalations').replaceChildren(table(['Category', 'Calls', 'Escalations', 'Rate'],
    cats.groups.map((g) => [g.values[0], int(g.calls), int(g.escalations), g.calls ? pct(g.escalations / g.calls) : '–']), [0, 1, 1, 1]));
  budgets(b);
}

// ---- requests ---------------------------------------------------------------
function filterQuery() {
  const q = [];
  const add = (name, v) => { if (v) q.push(name + '=' + encodeURIComponent(v)); };
  if (state.viewer && state.viewer.admin) add('key', $('f-key').value.trim());
  add('category', $('f-category').value.trim());
  add('tier', $('f-tier').value);
  add('status', $('f-status').value);
  if ($('f-from').value) add('from', $('f-from').value + ':00Z');
  if ($('f-to').value) add('to', $('f-to').value + ':00Z');
  return q.join('&');
}

function requestRow(r) {
  const tr = el('tr', { class: 'clickable', tabindex: '0', 'data-id': r.id },
    el('td', { text: r.time.slice(0, 19).replace('T', ' ') }),
    el('td', { text: r.key }),
    el('td', { title: r.reason }, el('span', { class: 'tag ' + r.tier, text: r.tier }), ' ' + r.category),
    el('td', { text: r.model }),
    el('td', { text: r.escalated ? 'yes' : r.escalated_from ? 'fallback' : '' }),
    el('td', { class: 'num', text: int(r.tokens.cache_hit + r.tokens.cache_miss) + ' / ' + int(r.tokens.output) }),
    el('td', { class: 'num' }, moneyEl('span', r.cost, r.currency)),
    el('td', { class: 'num', text: int(r.latency_ms) + ' ms' }),
    el('td', {}, r.status === 200 ? 'OK' : el('span', { class: 'tag bad', text: String(r.status) })));
  const open = () => detail(r.id);
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
  return tr;
}

async function requests(more) {
  const q = filterQuery();
  const before = more && state.before ? (q ? '&' : '') + 'before=' + state.before : '';
  const page = await get('requests?' + q + before);
  const body = document.querySelector('#request-table tbody');
  const rows = page.requests.map(requestRow);
  if (more) body.append(...rows); else body.replaceChildren(...rows);
  if (!body.children.length) body.append(el('tr', {}, el('td', { colspan: 9, class: 'muted', text: 'No calls match.' })));
  state.before = page.next_before;
  $('more').hidden = page.next_before === null;
}

async function detail(id) {
  const d = await get('requests/' + encodeURIComponent(id));
  const box = $('detail');
  const parts = [el('h2', { text: 'Call ' + id })];
  d.calls.forEach((c, i) => {
    const title = d.calls.length > 1 ? (i === 0 ? 'First call' : c.escalated ? 'Escalated to Pro' : 'Fallback') : 'The call';
    const dl = el('dl');
    const add = (k, v) => dl.append(el('dt', { text: k }), v instanceof Node ? el('dd', {}, v) : el('dd', { text: v }));
    add('Request id', c.id); add('Time (UTC)', c.time); add('Key', c.key);
    add('Asked for', c.requested_model); add('Model', c.model + ' (' + c.tier + ')');
    add('Category', c.category); add('Reason', c.reason);
    add('Tokens', `${int(c.tokens.cache_hit)} hit · ${int(c.tokens.cache_miss)} miss · ${int(c.tokens.output)} out (${int(c.tokens.reasoning)} reasoning)`);
    add('Cost', moneyEl('span', c.cost, c.currency)); add('If on Pro', moneyEl('span', c.cost_if_pro, c.currency));
    add('Latency', int(c.latency_ms) + ' ms (first byte ' + int(c.first_byte_ms) + ' ms)');
    add('Status', String(c.status) + (c.error ? ' — ' + c.error : ''));
    parts.push(el('h3', { text: title }), dl);
  });
  parts.push(el('h3', { text: 'Feedback' }));
  parts.push(d.feedback.length ? table(['Call', 'Metric', 'Value', 'Comment'],
    d.feedback.map((f) => [f.request_id, f.metric, String(f.value), f.comment]), [0, 0, 0, 0])
    : el('p', { class: 'muted', text: 'No rating was sent for this call.' }));
  box.replaceChildren(...parts);
  box.hidden = false;
  box.focus();
}

// ---- evals ------------------------------------------------------------------
async function evals() {
  if (!state.viewer.admin) { $('eval-list').replaceChildren(el('p', { class: 'muted', text: 'Eval reports are shown to admin keys.' })); return; }
  const list = await get('evals');
  if (!list.reports.length) {
    $('eval-list').replaceChildren(el('p', { class: 'muted', text: list.dir ? 'No reports in ' + list.dir + ' yet (flashfirst eval --json DIR/NAME.json).' : 'No eval folder is configured (serve --evals-dir DIR).' }));
    return;
  }
  const ul = el('ul');
  for (const r of list.reports) {
    const b = el('button', { type: 'button', text: r.name });
    b.addEventListener('click', () => evalReport(r.name));
    ul.append(el('li', {}, b, ' ', el('span', { class: 'muted', text: r.modified.slice(0, 16).replace('T', ' ') })));
  }
  $('eval-list').replaceChildren(ul);
}

async function evalReport(name) {
  const r = await get('evals/' + encodeURIComponent(name));
  const rows = [r.overall, ...r.categories].map((g) => [g.category || 'all', int(g.cases), pct(g.flash.pass_rate), pct(g.pro.pass_rate),
    money(g.flash.cost, 'USD'), money(g.pro.cost, 'USD'), g.verdict]);
  $('eval-detail').replaceChildren(el('h2', { text: name + ' — ' + r.suite }),
    table(['Category', 'Cases', 'Flash passed', 'Pro passed', 'Flash cost', 'Pro cost', 'Verdict'], rows, [0, 1, 1, 1, 1, 1, 0]));
}

// ---- live updates -------------------------------------------------------------
async function refresh() {
  if (!state.viewer) return;
  if (state.refreshing) { state.pending = true; return; }
  state.refreshing = true;
  try {
    if (state.page === 'overview') await overview();
    else if (state.page === 'requests') await requests(false);
    else if (state.page === 'evals') await evals();
    $('status').textContent = 'Updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
  } catch (e) {
    if (e.message !== 'unauthorized') $('status').textContent = 'Could not load: ' + e.message;
  } finally {
    state.refreshing = false;
    state.lastRefresh = Date.now();
    if (state.pending) { state.pending = false; setTimeout(refresh, 300); }
  }
}

async function listen() {
  // EventSource cannot send a header: the stream is read with fetch.
  for (;;) {
    if (!key()) return;
    try {
      const res = await fetch(API + 'events', { headers: { Authorization: 'Bearer ' + key() } });
      if (!res.ok) throw new Error(String(res.status));
      $('live-dot').classList.add('on');
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '', first = true;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, cut); buf = buf.slice(cut + 2);
          if (event.startsWith('event: ledger')) {
            if (first) { first = false; continue; }  // the state the page was drawn from
            // At most one redraw a second, whatever the traffic.
            const wait = Math.max(0, 1000 - (Date.now() - state.lastRefresh));
            setTimeout(refresh, Math.min(wait, 700));
          }
        }
      }
    } catch (e) { /* reconnect below */ }
    $('live-dot').classList.remove('on');
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function start() {
  try {
    const live = await get('live');
    state.viewer = live.viewer;
  } catch (e) {
    if (e.message !== 'unauthorized') $('login-error').textContent = e.message;
    return;
  }
  $('viewer').textContent = state.viewer.admin ? 'Admin' : 'Key ' + state.viewer.key;
  $('signout').hidden = false;
  $('filter-key-wrap').hidden = !state.viewer.admin;
  route();
  listen();
}

function route() {
  if (!key()) { show('login'); return; }
  const page = (location.hash || '#overview').slice(1);
  show(['overview', 'requests', 'evals'].includes(page) ? page : 'overview');
  if (state.viewer) refresh();
}

document.addEventListener('DOMContentLoaded', () => {
  const to = todayStart();
  $('range-from').value = isoDay(to - 6 * dayMs);
  $('range-to').value = isoDay(to);
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $('key-input').value.trim());
    $('key-input').value = '';
    start();
  });
  $('signout').addEventListener('click', () => { signOut(''); $('signout').hidden = true; $('viewer').textContent = ''; });
  $('range-form').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); $('detail').hidden = true; refresh(); });
  $('more').addEventListener('click', () => requests(true));
  window.addEventListener('hashchange', route);
  if (key()) start(); else show('login');
});
