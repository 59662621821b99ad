/**
 * The reliability chart of a walk-forward (`evaluate --bars … --chart FILE`), pure: one small panel per
 * horizon, forecast probability (bin mean) against observed frequency for every forecaster, the diagonal
 * (perfect calibration) for reference, each panel titled with the horizon and the forecasters' log loss;
 * dots sized by the bin's count, hollow (and off the line) below 20 points.
 * Hand-written SVG (no dependency): a self-contained file any browser shows.
 */
import type { Calibration } from './scores.ts';
import type { WalkForwardReport } from './walk-forward.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const PANEL = 220;
const PAD = 34;
const COLS = 4;
/** Bins with fewer points are drawn hollow and left out of the line. */
const MIN_LINE_COUNT = 20;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n2 = (x: number) => (Math.round(x * 10) / 10).toString();

function panel(x0: number, y0: number, title: string, scores: Record<string, Calibration>, names: string[]): string {
  const w = PANEL - 2 * PAD + 10;
  const px = (p: number) => x0 + PAD + p * w;
  const py = (q: number) => y0 + PAD + (1 - q) * w;
  const parts: string[] = [];
  parts.push(`<rect x="${n2(px(0))}" y="${n2(py(1))}" width="${n2(w)}" height="${n2(w)}" fill="#fff" stroke="#999"/>`);
  for (const t of [0.25, 0.5, 0.75]) {
    parts.push(`<line x1="${n2(px(t))}" y1="${n2(py(0))}" x2="${n2(px(t))}" y2="${n2(py(1))}" stroke="#eee"/>`);
    parts.push(`<line x1="${n2(px(0))}" y1="${n2(py(t))}" x2="${n2(px(1))}" y2="${n2(py(t))}" stroke="#eee"/>`);
  }
  parts.push(`<line x1="${n2(px(0))}" y1="${n2(py(0))}" x2="${n2(px(1))}" y2="${n2(py(1))}" stroke="#bbb" stroke-dasharray="4 3"/>`);
  for (const t of [0, 0.5, 1]) {
    parts.push(`<text x="${n2(px(t))}" y="${n2(py(0) + 12)}" font-size="9" text-anchor="middle">${t}</text>`);
    parts.push(`<text x="${n2(px(0) - 4)}" y="${n2(py(t) + 3)}" font-size="9" text-anchor="end">${t}</text>`);
  }
  parts.push(`<text x="${n2(x0 + PANEL / 2)}" y="${n2(y0 + 14)}" font-size="11" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  names.forEach((name, i) => {
    const c = scores[name];
    if (!c) return;
    const bins = c.reliability.filter((b) => b.count > 0 && b.mean_forecast !== null && b.observed_freq !== null);
    const colour = COLOURS[i % COLOURS.length]!;
    // the line joins the bins that hold enough points to mean something; every bin is a dot sized by its count
    const solid = bins.filter((b) => b.count >= MIN_LINE_COUNT);
    if (solid.length > 1) parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${solid.map((b) => `${n2(px(b.mean_forecast!))},${n2(py(b.observed_freq!))}`).join(' ')}"/>`);
    const most = Math.max(...bins.map((b) => b.count), 1);
    for (const b of bins) {
      const r = 1.2 + 2.3 * Math.sqrt(b.count / most);
      const fill = b.count >= MIN_LINE_COUNT ? colour : 'none';
      parts.push(`<circle cx="${n2(px(b.mean_forecast!))}" cy="${n2(py(b.observed_freq!))}" r="${n2(r)}" fill="${fill}" stroke="${colour}"><title>${esc(name)}: ${b.count} points, forecast ${b.mean_forecast!.toFixed(3)}, observed ${b.observed_freq!.toFixed(3)}</title></circle>`);
    }
    const ll = c.log_loss === null ? '-' : c.log_loss.toFixed(4);
    parts.push(`<text x="${n2(px(0) + 4)}" y="${n2(py(1) + 11 + 10 * i)}" font-size="8.5" fill="${colour}">${esc(name)} ${ll}</text>`);
  });
  return parts.join('\n');
}

export function reliabilitySvg(r: WalkForwardReport, title: string): string {
  const names = r.forecasters.map((f) => f.name);
  const panels: { title: string; scores: Record<string, Calibration> }[] = [
    ...r.by_horizon.map((h) => ({ title: `${h.minutes} min (${h.points} points)`, scores: h.scores })),
    { title: `all horizons (${r.total.points})`, scores: r.total.scores },
  ];
  const rows = Math.ceil(panels.length / COLS);
  const width = COLS * PANEL;
  const legendY = 30 + rows * PANEL;
  const height = legendY + 18 * names.length + 10;
  const body = panels.map((p, i) => panel((i % COLS) * PANEL, 24 + Math.floor(i / COLS) * PANEL, p.title, p.scores, names));
  const legend = r.forecasters.map((f, i) => {
    const y = legendY + 18 * i;
    return `<rect x="12" y="${y - 8}" width="14" height="4" fill="${COLOURS[i % COLOURS.length]}"/><text x="32" y="${y}" font-size="11">${esc(f.name)}: ${esc(f.label)}</text>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fafafa"/>`,
    `<text x="${width / 2}" y="16" font-size="13" text-anchor="middle">${esc(title)} — observed frequency of S_T ≥ K against the forecast (10 bins; log loss per panel)</text>`,
    ...body,
    ...legend,
    `</svg>`,
    '',
  ].join('\n');
}
