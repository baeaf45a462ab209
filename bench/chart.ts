/** One line of a panel: a name, a colour, a dash pattern, and its value at each x. */
export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number]>;
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
  /** Horizontal reference lines (a target, the model's own time). */
  marks?: Array<{ label: string; value: number }>;
}

const W = 420;
const H = 300;
const PAD = { left: 56, right: 28, top: 40, bottom: 64 };

/**
 * A small dependency-free SVG: panels side by side, each a line chart against the same x values (teammates at
 * once). Text is ours (names, numbers), so nothing needs escaping beyond the usual five characters.
 */
export function lineChart(options: { title: string; subtitle: string; xLabel: string; panels: Panel[] }): string {
  const width = W * options.panels.length;
  const height = H + 44;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" font-size="15" font-weight="600">${esc(options.title)}</text>`,
    `<text x="12" y="38" fill="#555">${esc(options.subtitle)}</text>`,
  ];
  options.panels.forEach((panel, i) => {
    parts.push(`<g transform="translate(${i * W},44)">${renderPanel(panel, options.xLabel)}</g>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function renderPanel(panel: Panel, xLabel: string): string {
  const xs = [...new Set(panel.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const values = [
    ...panel.series.flatMap((s) => s.points.map(([, y]) => y)),
    ...(panel.marks ?? []).map((m) => m.value),
  ].filter(Number.isFinite);
  const step = niceStep((Math.max(1, ...values) * 1.1) / 4);
  const yMax = step * Math.ceil((Math.max(1, ...values) * 1.1) / step);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const xAt = (x: number) => PAD.left + (xs.length < 2 ? plotW / 2 : (xs.indexOf(x) / (xs.length - 1)) * plotW);
  const yAt = (y: number) => PAD.top + plotH - (y / yMax) * plotH;
  const out = [`<text x="${PAD.left}" y="${PAD.top - 14}" font-weight="600">${esc(panel.title)}</text>`];
  for (let v = 0; v <= yMax + step / 2; v += step) {
    const y = yAt(v);
    out.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`,
    );
  }
  for (const x of xs) {
    out.push(`<text x="${xAt(x)}" y="${PAD.top + plotH + 16}" text-anchor="middle" fill="#555">${x}</text>`);
  }
  out.push(
    `<text x="${PAD.left + plotW / 2}" y="${PAD.top + plotH + 32}" text-anchor="middle" fill="#555">${esc(xLabel)}</text>`,
    `<text transform="translate(14,${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#555">${esc(panel.unit)}</text>`,
  );
  (panel.marks ?? []).forEach((mark, i) => {
    const y = yAt(mark.value);
    // Alternately under and over their lines, so two close marks keep readable labels.
    const labelY = i % 2 === 0 ? y + 13 : y - 4;
    out.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="#999" stroke-dasharray="2 3"/>`,
      `<text x="${PAD.left + plotW}" y="${labelY}" text-anchor="end" fill="#777" font-size="11">${esc(mark.label)}</text>`,
    );
  });
  panel.series.forEach((series, i) => {
    const pts = series.points.filter(([, y]) => Number.isFinite(y));
    const path = pts.map(([x, y]) => `${xAt(x)},${yAt(y)}`).join(' ');
    out.push(
      `<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      ...pts.map(([x, y]) => `<circle cx="${xAt(x)}" cy="${yAt(y)}" r="3" fill="${series.color}"/>`),
    );
    const ly = PAD.top + plotH + 46 + 0;
    const lx = PAD.left + i * 130;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 22}" y="${ly}">${esc(series.name)}</text>`,
    );
  });
  return out.join('\n');
}

/** A round grid step at least `value`: 1, 2 or 5 times a power of ten. */
function niceStep(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((s) => s * power >= value) ?? 10) * power;
}

function fmt(value: number): string {
  return value >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
