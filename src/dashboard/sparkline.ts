import { html, type SafeHtml, trusted } from './html.js';

export interface SparklineOptions {
  label: string;
  width?: number;
  height?: number;
}

/**
 * A small inline SVG line chart of `values` (oldest first), scaled to its own maximum: a trend at
 * a glance, no chart library and nothing for the reader to build. Numbers only go into the SVG.
 */
export function sparkline(values: readonly number[], options: SparklineOptions): SafeHtml {
  const width = options.width ?? 240;
  const height = options.height ?? 48;
  const pad = 2;
  const max = Math.max(1, ...values.filter(Number.isFinite));
  const step = values.length > 1 ? (width - pad * 2) / (values.length - 1) : 0;
  const points = values.map((value, i) => {
    const x = pad + i * step;
    const y = height - pad - ((Number.isFinite(value) ? value : 0) / max) * (height - pad * 2);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  // Fewer than two points is no trend yet: draw the baseline, so the chart reads as "nothing so far".
  if (points.length < 2)
    points.splice(0, points.length, `${pad},${height - pad}`, `${width - pad},${height - pad}`);
  const line = `M${points.join(' L')}`;
  const area = `${line} L${(width - pad).toFixed(1)},${height - pad} L${pad},${height - pad} Z`;
  const last = values.at(-1) ?? 0;
  return html`<svg class="spark" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" width="${width}" height="${height}" role="img" aria-label="${options.label}: latest ${last}, peak ${max}"><title>${options.label}: peak ${max}</title>${trusted(
    `<path class="spark-area" d="${area}"/><path class="spark-line" d="${line}"/>`,
  )}</svg>`;
}

/** A horizontal bar for a table cell, `value` of `max`. */
export function bar(value: number, max: number, width = 120): SafeHtml {
  const filled = max > 0 ? Math.max(value > 0 ? 2 : 0, Math.round((value / max) * width)) : 0;
  return html`<svg class="bar" viewBox="0 0 ${width} 10" width="${width}" height="10" aria-hidden="true"><rect class="bar-track" x="0" y="0" width="${width}" height="10" rx="2"/><rect class="bar-fill" x="0" y="0" width="${filled}" height="10" rx="2"/></svg>`;
}
