/** Small SVG line charts of the history series (no chart library: a few polylines). */
const WIDTH = 520;
const HEIGHT = 160;
const PAD = 28;

export interface Series {
  label: string;
  color: string;
  values: number[];
}

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c] ?? c);
}

/** An SVG with one polyline per series over shared x positions, scaled to the largest value. */
export function lineChart(title: string, labels: string[], series: Series[]): string {
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const n = Math.max(1, labels.length - 1);
  const x = (i: number) => PAD + (i * (WIDTH - 2 * PAD)) / n;
  const y = (v: number) => HEIGHT - PAD - (v / max) * (HEIGHT - 2 * PAD);
  const lines = series
    .map((s) => {
      const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points}"/>`;
    })
    .join("");
  const legend = series
    .map(
      (s, i) =>
        `<text x="${PAD + i * 170}" y="14" fill="${s.color}" font-size="12">${escapeText(s.label)}</text>`,
    )
    .join("");
  const axis = `<line x1="${PAD}" y1="${HEIGHT - PAD}" x2="${WIDTH - PAD}" y2="${HEIGHT - PAD}" stroke="#999"/>`;
  const range =
    labels.length > 0
      ? `<text x="${PAD}" y="${HEIGHT - 8}" font-size="10" fill="#666">${escapeText(labels[0])}</text>` +
        `<text x="${WIDTH - PAD}" y="${HEIGHT - 8}" font-size="10" fill="#666" text-anchor="end">${escapeText(labels[labels.length - 1])}</text>` +
        `<text x="${WIDTH - PAD}" y="${PAD - 6}" font-size="10" fill="#666" text-anchor="end">max ${max.toLocaleString("en-US", { maximumFractionDigits: 2 })}</text>`
      : "";
  return `<figure><figcaption>${escapeText(title)}</figcaption><svg role="img" aria-label="${escapeText(title)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%">${axis}${lines}${legend}${range}</svg></figure>`;
}
