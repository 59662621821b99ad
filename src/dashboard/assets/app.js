// kalshi-alpha dashboard page: plain browser JavaScript, no framework, no build step.
// One EventSource to /events; each `update` carries the sections of the view that changed.
/* global uPlot */
'use strict';

(function () {
  const token = new URLSearchParams(location.search).get('token');
  const qs = token ? '?token=' + encodeURIComponent(token) : '';
  const $ = (sel) => document.querySelector(sel);
  const state = {};

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'class') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const ms = (v) => (v === null || v === undefined ? '—' : v >= 10000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v) + ' ms');
  const usd = (v) => (v === null || v === undefined ? '—' : (v < 0 ? '-$' : '$') + Math.abs(v).toFixed(4));
  const price = (v) => (v === null || v === undefined ? '—' : v.toFixed(4));
  const timeOf = (et) => { const m = /T(\d{2}:\d{2}:\d{2})/.exec(et || ''); return m ? m[1] : (et || '—'); };
  const stateBadge = (s) => el('span', { class: 'state st-' + s }, s.replace('_', '-').toUpperCase());

  // ---- sections ----

  function renderSupervisor(s) {
    const b = $('#supervisor');
    b.dataset.running = String(s.running);
    b.dataset.code = s.code;
    b.className = 'banner ' + (s.running ? 'running' : 'down');
    if (s.running) {
      b.textContent = `Supervisor running — pid ${s.pid}, ${s.source} / ${s.mode}, snapshot ${ms(s.snapshot_age_ms)} old`;
    } else {
      b.textContent = `SUPERVISOR NOT RUNNING — ${s.reason}` + (s.captured_et ? ` (last snapshot ${s.captured_et})` : '');
    }
  }

  function renderMeta(m) {
    $('#footer').textContent = `home ${m.home} · updated ${m.generated_et}`;
  }

  function renderSafety(s) {
    const ks = $('#kill-switch');
    const k = s.kill_switch;
    ks.dataset.engaged = k.engaged === null ? 'unknown' : String(k.engaged);
    ks.className = 'ks ' + (k.engaged === null ? 'unknown' : k.engaged ? 'engaged' : 'disengaged');
    if (k.error) ks.textContent = `kill switch: UNKNOWN (${k.error})`;
    else if (k.engaged) ks.textContent = `KILL SWITCH ENGAGED${k.armed_at ? ' since ' + k.armed_at : ''}${k.reason ? ' — ' + k.reason : ''}`;
    else ks.textContent = 'kill switch: disengaged';
    if (s.supervisor_saw_kill_switch !== null && s.supervisor_saw_kill_switch !== k.engaged) {
      ks.append(el('div', { class: 'sub' }, `(supervisor's last snapshot: ${s.supervisor_saw_kill_switch ? 'engaged' : 'disengaged'})`));
    }
    const mt = $('#maintenance');
    mt.dataset.active = s.maintenance ? String(s.maintenance.active) : 'false';
    mt.textContent = s.maintenance ? `maintenance ${s.maintenance.active ? 'NOW' : 'next'}: ${s.maintenance.start_et} → ${s.maintenance.end_et}` : 'maintenance: none scheduled now';
    const ca = $('#cancel-all');
    ca.dataset.pending = String(s.cancel_all.length > 0);
    ca.textContent = s.cancel_all.length ? 'cancel-all PENDING: ' + s.cancel_all.map((c) => `${c.mode} (${c.reason}, since ${c.at_et})`).join('; ') : 'cancel-all: none pending';
  }

  function renderTimeline(t) {
    $('#timeline-day').textContent = `${t.day} · ${t.session} · ${t.source === 'snapshot' ? 'states from the supervisor' : 'from the calendar'}`;
    $('#now').textContent = `${t.clock === 'supervisor' ? 'supervisor clock' : 'now'} ${t.now_et}`;
    const bar = $('#timeline-bar');
    bar.replaceChildren();
    const tb = $('#windows tbody');
    tb.replaceChildren();
    if (t.windows.length === 0) {
      bar.append(el('div', { class: 'tl-tick', style: 'left:1%' }, `no windows (${t.session})`));
      return;
    }
    const lo = Math.min(...t.windows.map((w) => w.start_ms)) - 10 * 60000;
    const hi = Math.max(...t.windows.map((w) => w.target_ms)) + 10 * 60000;
    const pct = (x) => ((x - lo) / (hi - lo)) * 100;
    for (let h = Math.ceil(lo / 3600000) * 3600000; h < hi; h += 3600000) {
      const label = new Date(h).toLocaleTimeString('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hour12: false });
      bar.append(el('div', { class: 'tl-tick', style: `left:${pct(h)}%` }, label));
    }
    for (const w of t.windows) {
      const left = pct(w.start_ms);
      const width = Math.max(0.6, pct(w.target_ms) - left);
      bar.append(el('div', { class: 'tl-win st-' + w.state, style: `left:${left}%;width:${width}%`, title: `${w.label}: ${w.state}`, dataset: { windowId: w.id, state: w.state } }, w.label.replace('hourly-', 'h').replace('close-', 'c')));
    }
    if (t.now_ms >= lo && t.now_ms <= hi) bar.append(el('div', { class: 'tl-now', style: `left:${pct(t.now_ms)}%`, title: t.now_et }));
    for (const w of t.windows) {
      const note = [w.reasons.join(', '), w.note].filter(Boolean).join(' — ');
      tb.append(
        el('tr', { class: w.id === t.active_id ? 'active-window' : '', dataset: { windowId: w.id, label: w.label, state: w.state } },
          el('td', {}, w.label), el('td', {}, w.start_et), el('td', {}, w.target_et), el('td', {}, w.series.join(' ')),
          el('td', {}, stateBadge(w.state)), el('td', {}, w.quotes ?? '—'), el('td', {}, w.fills ?? '—'),
          el('td', { class: w.pnl_usd < 0 ? 'neg' : '' }, w.pnl_usd === null ? '—' : usd(w.pnl_usd)), el('td', { class: 'wrap' }, note)),
      );
    }
  }

  function renderFeeds(f) {
    const af = $('#active-feed');
    if (!f) {
      af.textContent = '—';
      af.dataset.feed = '';
      $('#feed-switches').textContent = '(no feed data in the snapshot)';
      for (const k of ['polygon', 'massive']) for (const c of ['age', 'lag', 'stale']) $(`#feed-${c}-${k}`).textContent = '—';
      $('#feed-threshold').textContent = '';
      return;
    }
    af.textContent = f.active + (f.live ? '' : ' (last known)');
    af.dataset.feed = f.active;
    $('#feed-switches').textContent = `${f.switches} switch(es)${f.last_switch_et ? ', last ' + timeOf(f.last_switch_et) : ''}`;
    for (const k of ['polygon', 'massive']) {
      const v = f[k];
      const age = $(`#feed-age-${k}`);
      age.textContent = ms(v.age_ms) + (f.live ? '' : ' (stale data)');
      age.dataset.ageMs = v.age_ms === null ? '' : String(v.age_ms);
      $(`#feed-lag-${k}`).textContent = ms(v.lag_ms);
      const st = $(`#feed-stale-${k}`);
      st.textContent = v.stale ? 'STALE' : 'fresh';
      st.className = v.stale ? 'stale-yes' : 'stale-no';
    }
    $('#feed-threshold').textContent = `threshold ${f.threshold_ms} ms (${f.strict ? 'strict' : 'soft'})`;
  }

  function renderMonitors(m) {
    const fr = m.freshness;
    $('#monitor-freshness').textContent = fr ? `freshness monitor (${fr.window ?? 'between windows'}, ${fr.generated_at}): feeds ${fr.required_feeds_ok ? 'ok' : 'NOT ok'}, active ${fr.active}, ${fr.consecutive_windows} flagged window(s)${fr.alert ? ' — ALERT' : ''}` : 'freshness monitor: not written yet';
    const eg = m.ev_gap;
    $('#monitor-evgap').textContent = eg ? `ΔEV parity (${eg.window ?? '—'}): max ${eg.max_abs_gap_cents.toFixed(2)}¢, mean ${eg.mean_abs_gap_cents.toFixed(2)}¢ over ${eg.markets} market(s)` : 'ev_gap monitor: not written yet';
  }

  function renderOrders(o) {
    $('#orders-count').textContent = `${o.count} in orders.json${o.updated_et ? ' (updated ' + timeOf(o.updated_et) + ')' : ''}${o.snapshot_count !== null ? ` · supervisor: ${o.snapshot_count}` : ''}`;
    const err = $('#orders-error');
    err.hidden = !o.error;
    err.textContent = o.error ? 'orders.json unreadable: ' + o.error : '';
    const tb = $('#orders tbody');
    tb.replaceChildren(
      ...o.items.map((x) =>
        el('tr', { dataset: { coid: x.client_order_id, mode: x.mode } },
          el('td', {}, x.mode), el('td', {}, x.client_order_id), el('td', {}, x.market), el('td', {}, x.side), el('td', {}, price(x.price)),
          el('td', {}, x.size), el('td', {}, x.filled), el('td', {}, x.status), el('td', {}, timeOf(x.submitted_et))),
      ),
    );
    if (o.items.length === 0) tb.append(el('tr', {}, el('td', { colspan: '9', class: 'sub' }, 'no outstanding orders')));
  }

  function renderLedger(l) {
    const c = l.day_counts;
    $('#ledger-summary').textContent = l.exists
      ? `today: ${c.quote} quotes, ${c.cancel} cancels, ${c.paper_fill} fills, ${c.settlement} settlements${l.skipped.count ? ` · ${l.skipped.count} invalid line(s) skipped` : ''}${l.behind ? ' · catching up…' : ''}`
      : `no ledger yet (${l.file})`;
    const tb = $('#ledger tbody');
    tb.replaceChildren(
      ...l.records.map((r) =>
        el('tr', { dataset: { seq: String(r.seq), type: r.type, window: r.window } },
          el('td', {}, r.seq), el('td', {}, r.time_et), el('td', {}, r.type), el('td', {}, r.series), el('td', {}, r.window),
          el('td', {}, r.market), el('td', {}, r.side), el('td', {}, price(r.price)), el('td', {}, r.size), el('td', { class: 'wrap' }, r.detail)),
      ),
    );
  }

  function renderIncidents(i) {
    $('#incidents-count').textContent = `${i.total} total`;
    const ul = $('#incidents ul');
    ul.replaceChildren(...i.items.map((x) => el('li', { dataset: { kind: x.kind } }, `${timeOf(x.at_et)} [${x.kind}] ${x.text}`)));
    if (i.items.length === 0) ul.append(el('li', { class: 'sub' }, 'none'));
  }

  function renderErrors(errs) {
    const ul = $('#errors ul');
    ul.replaceChildren(...errs.map((e) => el('li', { class: 'error-line', dataset: { source: e.source } }, `${e.source}: ${e.message}`)));
    if (errs.length === 0) ul.append(el('li', { class: 'sub' }, 'none'));
  }

  // ---- charts (uPlot) ----

  let pnlPlot = null;
  let relPlot = null;
  const chartWidth = (node) => Math.max(300, node.clientWidth - 4);

  function renderPnl(p) {
    $('#pnl-day').textContent = p.day;
    const total = $('#pnl-total');
    total.textContent = usd(p.total_usd);
    total.className = 'big ' + (p.total_usd < 0 ? 'neg' : p.total_usd > 0 ? 'pos' : '');
    const node = $('#pnl-chart');
    node.dataset.points = String(p.points.length);
    const data = [p.points.map((x) => x[0]), p.points.map((x) => x[1])];
    if (typeof uPlot === 'undefined') return;
    if (!pnlPlot) {
      pnlPlot = new uPlot({
        width: chartWidth(node), height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'America/New_York'),
        scales: { x: { time: true } },
        // Realised PnL moves only at settlements: a step line, never an interpolation between them.
        series: [{}, { label: 'realised PnL', stroke: '#1f6fd0', width: 2, fill: 'rgba(31,111,208,0.08)', paths: uPlot.paths.stepped({ align: 1 }), value: (u, v) => usd(v) }],
        axes: [{}, { values: (u, vals) => vals.map((v) => '$' + v.toFixed(2)), size: 60 }],
      }, data, node);
    } else pnlPlot.setData(data);
  }

  function renderReliability(r) {
    $('#reliability-summary').textContent = r.n ? `${r.day}: ${r.n} market forecast(s), Brier ${r.brier.toFixed(4)}, log loss ${r.log_loss.toFixed(4)}` : `${r.day}: no settled forecasts yet`;
    const node = $('#reliability-chart');
    node.dataset.bins = String(r.bins.filter((b) => b.count > 0).length);
    // x: 0, the ten bin centres, 1 (the ends only carry the diagonal).
    const xs = [0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1];
    const bin = (i) => (i >= 1 && i <= 10 && r.bins[i - 1] && r.bins[i - 1].count > 0 ? r.bins[i - 1] : null);
    const obs = xs.map((_, i) => (bin(i) ? bin(i).observed_freq : null));
    const mean = xs.map((_, i) => (bin(i) ? bin(i).mean_forecast : null));
    const data = [xs, obs, mean, xs];
    if (typeof uPlot === 'undefined') return;
    if (!relPlot) {
      relPlot = new uPlot({
        width: chartWidth(node), height: 220,
        scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
        series: [
          { label: 'bin' },
          { label: 'observed frequency', stroke: '#d0342c', width: 0, paths: () => null, points: { show: true, size: 9, fill: '#d0342c' } },
          { label: 'mean forecast', stroke: '#1f6fd0', width: 0, paths: () => null, points: { show: true, size: 6, fill: '#1f6fd0' } },
          { label: 'perfect', stroke: '#9aa3ad', width: 1, dash: [4, 4], points: { show: false } },
        ],
        axes: [{ values: (u, v) => v.map((x) => x.toFixed(1)) }, { values: (u, v) => v.map((x) => x.toFixed(1)) }],
      }, data, node);
    } else relPlot.setData(data);
  }

  window.addEventListener('resize', () => {
    for (const [plot, sel] of [[pnlPlot, '#pnl-chart'], [relPlot, '#reliability-chart']]) if (plot) plot.setSize({ width: chartWidth($(sel)), height: 220 });
  });

  const RENDER = {
    meta: renderMeta, supervisor: renderSupervisor, timeline: renderTimeline, feeds: renderFeeds, safety: renderSafety, orders: renderOrders,
    ledger: renderLedger, pnl: renderPnl, reliability: renderReliability, incidents: renderIncidents, monitors: renderMonitors, errors: renderErrors,
  };

  function apply(update) {
    for (const [name, value] of Object.entries(update)) {
      state[name] = value;
      const fn = RENDER[name];
      if (!fn) continue;
      try {
        fn(value);
      } catch (e) {
        console.error('render ' + name, e);
      }
    }
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  }

  // ---- live updates ----
  const conn = $('#conn');
  const es = new EventSource('/events' + qs);
  es.addEventListener('open', () => { conn.dataset.state = 'open'; conn.textContent = 'live'; });
  es.addEventListener('error', () => { conn.dataset.state = 'error'; conn.textContent = 'connection lost — reconnecting'; });
  es.addEventListener('update', (ev) => {
    conn.dataset.state = 'open';
    conn.textContent = 'live';
    apply(JSON.parse(ev.data));
  });
})();
