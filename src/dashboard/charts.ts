/**
 * Server-rendered SVG charts (no chart library, no script): stacked bars over time and
 * horizontal bars for totals. Labels go through html``, so a hostile rule or label is text.
 */
import { html, type Html } from './html.js';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
}

export function stackedBars(title: string, labels: readonly string[], series: readonly Series[], width = 640, height = 200): Html {
  const left = 36;
  const bottom = 18;
  const n = labels.length;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plotH = height - bottom - 6;
  const slot = (width - left) / Math.max(1, n);
  const barW = Math.max(1, slot * 0.8);
  const bars: Html[] = [];
  labels.forEach((label, i) => {
    let y = height - bottom;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const h = (v / max) * plotH;
      y -= h;
      bars.push(html`<rect x="${(left + i * slot).toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${label}: ${s.label} ${v}</title></rect>`);
    }
  });
  const every = Math.ceil(n / 8);
  const ticks = labels.map((l, i) => (i % every === 0 ? html`<text x="${(left + i * slot).toFixed(1)}" y="${height - 4}">${l}</text>` : ''));
  return html`<figure><figcaption>${title}</figcaption>
<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${title}">
<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#b8c2cc"/>
<text x="0" y="12">${max}</text><text x="0" y="${height - bottom}">0</text>
${bars}${ticks}
</svg>
<div class="legend">${series.map((s) => html`<span><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${s.color}"/></svg> ${s.label} ${s.values.reduce((a, b) => a + b, 0)}</span>`)}</div>
</figure>`;
}

export function horizontalBars(title: string, items: readonly { label: string; value: number }[], color = '#1f5fa8', width = 640): Html {
  const rowH = 20;
  const labelW = 200;
  const max = Math.max(1, ...items.map((i) => i.value));
  const height = Math.max(1, items.length) * rowH + 4;
  return html`<figure><figcaption>${title}</figcaption>
${items.length === 0
    ? html`<p class="muted">Nothing yet.</p>`
    : html`<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${title}">
${items.map((it, i) => {
  const w = ((width - labelW - 50) * it.value) / max;
  return html`<text x="0" y="${i * rowH + 14}">${it.label}</text><rect x="${labelW}" y="${i * rowH + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color}"><title>${it.label}: ${it.value}</title></rect><text x="${(labelW + w + 4).toFixed(1)}" y="${i * rowH + 14}">${it.value}</text>`;
})}
</svg>`}
</figure>`;
}
