/// <reference lib="dom" />
/**
 * The history charts, drawn with uPlot (about 50 KB, canvas, tens of thousands of points without
 * effort): a time axis in UTC on a 24-hour clock with unambiguous dates, spanning exactly the
 * range asked for (a young treasury's whole life), a value axis in compact numbers, the revenue
 * split, its sources (usage settled, direct deposits) and what usage paid workers (boosts
 * included) as grouped bars (one per side, each over the bucket it covers), running totals at each
 * bucket's end, the values of the bucket under the cursor in the legend and in a readout line
 * below (exact, from the API's base units, labelled by the time the bucket covers), the theme's
 * colours (rebuilt when the system switches between light and dark), and the width of their
 * column.
 */
import uPlot from "uplot";

import { amountText } from "../../sdk/src/display";
import type { HistoryAnswer, HistoryPoint } from "./api";
import { bucketText, timeAxisLabels } from "./format";

interface SeriesSpec {
  label: string;
  /** A CSS custom property holding the colour. */
  color: string;
  value: (p: HistoryPoint) => string;
}

interface ChartSpec {
  id: string;
  title: (interval: string) => string;
  unit: "USDC" | "$ASHAO";
  decimals: number;
  series: SeriesSpec[];
  /** Grouped bars for amounts per bucket; lines for running totals and levels. */
  bars?: boolean;
}

const CHARTS: ChartSpec[] = [
  {
    id: "burned",
    title: () => "$ASHAO burned, running total",
    unit: "$ASHAO",
    decimals: 9,
    series: [{ label: "burned", color: "--chart-1", value: (p) => p.cumulativeBurned }],
  },
  {
    id: "revenue",
    title: (interval) => `Revenue split, per ${interval} (USDC)`,
    unit: "USDC",
    decimals: 6,
    bars: true,
    series: [
      { label: "to buybacks", color: "--chart-2", value: (p) => p.toBuyback },
      { label: "to stakers", color: "--chart-3", value: (p) => p.toStakers },
    ],
  },
  {
    id: "sources",
    title: (interval) => `Revenue by source, per ${interval} (USDC)`,
    unit: "USDC",
    decimals: 6,
    bars: true,
    series: [
      { label: "usage settled", color: "--chart-4", value: (p) => p.usageRevenue },
      { label: "direct deposits", color: "--chart-1", value: (p) => p.directRevenue },
    ],
  },
  {
    id: "workers",
    title: (interval) => `Usage paid to workers, per ${interval} (USDC)`,
    unit: "USDC",
    decimals: 6,
    bars: true,
    series: [
      { label: "paid, boosts included", color: "--chart-3", value: (p) => p.paidToWorkers },
      { label: "of it, boosts", color: "--chart-2", value: (p) => p.boostPaid },
    ],
  },
  {
    id: "rewards",
    title: () => "Rewards paid to stakers, running total (USDC)",
    unit: "USDC",
    decimals: 6,
    series: [{ label: "paid", color: "--chart-3", value: (p) => p.cumulativeRewardsPaid }],
  },
  {
    id: "staked",
    title: () => "Total staked ($ASHAO)",
    unit: "$ASHAO",
    decimals: 9,
    series: [{ label: "staked", color: "--chart-4", value: (p) => p.totalStaked }],
  },
];

/** The API's intervals in seconds. */
const INTERVAL_SECS: Record<string, number> = {
  "1m": 60,
  "5m": 300,
  "15m": 900,
  "1h": 3_600,
  "6h": 21_600,
  "1d": 86_400,
};

const HEIGHT = 220;
const COMPACT = new Intl.NumberFormat("en-US", {
  notation: "compact",
  maximumSignificantDigits: 3,
});
const css = (name: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";

/** The API's base units as a number to plot (the exact figure is read from the string). */
const plotted = (raw: string, decimals: number) => Number(raw) / 10 ** decimals;

export class HistoryCharts {
  private plots = new Map<string, uPlot>();
  private answer?: HistoryAnswer;
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(private readonly container: HTMLElement) {
    // Colours come from the theme: rebuild when the system's preference changes.
    window
      .matchMedia("(prefers-color-scheme: dark)")
      .addEventListener("change", () => this.rebuild());
    this.resize.observe(container);
  }

  private get points(): HistoryPoint[] {
    return this.answer?.points ?? [];
  }

  private get intervalSecs(): number {
    return INTERVAL_SECS[this.answer?.interval ?? "1h"] ?? 3_600;
  }

  /** Shows `answer` (the range chosen as `range`), creating the charts on first use. */
  render(answer: HistoryAnswer, range: string): void {
    const rebuild =
      this.plots.size === 0 ||
      answer.interval !== this.answer?.interval ||
      answer.from !== this.answer?.from;
    this.answer = answer;
    this.container.dataset.range = range;
    this.container.dataset.points = String(answer.points.length);
    if (rebuild) return this.rebuild();
    for (const spec of CHARTS) {
      this.plots.get(spec.id)?.setData(this.data(spec));
      this.readout(spec, null);
    }
  }

  /** The x range: exactly the range asked for, from the first bucket's start to now. */
  private span(): [number, number] {
    const a = this.answer;
    if (!a) return [0, 1];
    return [
      Date.parse(a.from) / 1000,
      Math.max(Date.parse(a.to) / 1000, Date.parse(a.from) / 1000 + 1),
    ];
  }

  private data(spec: ChartSpec): uPlot.AlignedData {
    const to = this.span()[1];
    // Bars stand over the middle of the bucket they count; totals are as at the bucket's end.
    const x = this.points.map((p) => {
      const start = Date.parse(p.t) / 1000;
      const end = Math.min(start + this.intervalSecs, to);
      return spec.bars ? (start + end) / 2 : end;
    });
    return [
      x,
      ...spec.series.map((s) => this.points.map((p) => plotted(s.value(p), spec.decimals))),
    ];
  }

  /** What bucket `idx` covers, as people read it. */
  private bucket(idx: number): string {
    const point = this.points[idx];
    return point ? bucketText(point.t, this.intervalSecs, this.answer!.to) : "—";
  }

  /** The exact values of bucket `idx` (the latest without a cursor), as a line of text. */
  private readout(spec: ChartSpec, idx: number | null): void {
    const out = document.getElementById(`readout-${spec.id}`);
    const at = idx ?? this.points.length - 1;
    const point = this.points[at];
    if (!out) return;
    if (!point) {
      out.textContent = "no history yet";
      return;
    }
    const values = spec.series
      .map(
        (s) =>
          `${s.label} ${amountText({ raw: s.value(point), decimals: spec.decimals }, spec.unit)}`,
      )
      .join(", ");
    out.textContent = `${idx === null ? "latest, " : ""}${this.bucket(at)}: ${values}`;
    out.dataset.index = String(at);
  }

  private rebuild(): void {
    for (const plot of this.plots.values()) plot.destroy();
    this.plots.clear();
    this.container.replaceChildren();
    const width = this.width();
    for (const spec of CHARTS) {
      const figure = document.createElement("figure");
      const caption = document.createElement("figcaption");
      caption.id = `chart-${spec.id}-title`;
      caption.textContent = spec.title(this.answer?.interval ?? "1h");
      const target = document.createElement("div");
      target.className = "chart";
      target.id = `chart-${spec.id}`;
      const out = document.createElement("output");
      out.className = "readout";
      out.id = `readout-${spec.id}`;
      figure.setAttribute("aria-labelledby", caption.id);
      figure.append(caption, target, out);
      this.container.append(figure);

      const axisColor = css("--muted");
      const grid = { stroke: css("--line"), width: 1 };
      const plot = new uPlot(
        {
          width,
          height: HEIGHT,
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
          scales: {
            x: { time: true, range: () => this.span() },
            y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
          },
          axes: [
            {
              stroke: axisColor,
              grid,
              ticks: grid,
              label: "UTC",
              labelSize: 16,
              // Two lines where a date is shown under the hour.
              size: 58,
              values: (_u, splits, _axis, _space, incr) => timeAxisLabels(splits, incr),
            },
            {
              stroke: axisColor,
              grid,
              ticks: grid,
              // As wide as its longest label (small amounts have many digits).
              size: (_u, values) =>
                Math.max(40, Math.max(0, ...(values ?? []).map((v) => v.length)) * 7.5 + 18),
              values: (_u, splits) => splits.map((v) => COMPACT.format(v)),
            },
          ],
          series: [
            {
              label: "bucket (UTC)",
              value: (_u, _v, _si, idx) => (idx === null ? "—" : this.bucket(idx)),
            },
            ...spec.series.map((s, i) => ({
              label: s.label,
              stroke: css(s.color),
              fill: spec.bars ? css(s.color) : undefined,
              width: spec.bars ? 0 : 2,
              // Grouped: the first series left of the bucket's middle, the second right of it.
              paths: spec.bars
                ? uPlot.paths.bars!({ size: [0.38, 28], align: i === 0 ? -1 : 1 })
                : undefined,
              points: { show: !spec.bars && this.points.length < 3 },
              value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => {
                const point = idx === null ? undefined : this.points[idx];
                return point
                  ? amountText({ raw: s.value(point), decimals: spec.decimals }, spec.unit)
                  : "—";
              },
            })),
          ],
          legend: { live: true },
          cursor: { drag: { x: false, y: false } },
          hooks: {
            setCursor: [(u) => this.readout(spec, u.cursor.idx ?? null)],
          },
        },
        this.data(spec),
        target,
      );
      // The canvas is a picture of the readout and legend below it.
      plot.root.querySelector("canvas")?.setAttribute("aria-hidden", "true");
      this.plots.set(spec.id, plot);
      this.readout(spec, null);
    }
  }

  private width(): number {
    const first = this.container.querySelector("figure");
    const column = first?.clientWidth ?? 0;
    if (column > 0) return column;
    // Before the first chart exists: one column on narrow screens, two side by side otherwise.
    const full = this.container.clientWidth || 480;
    return full >= 2 * 460 + 16 ? Math.floor((full - 16) / 2) : full;
  }

  private fit(): void {
    const width = this.width();
    for (const plot of this.plots.values()) {
      if (Math.abs(plot.width - width) > 1) plot.setSize({ width, height: HEIGHT });
    }
  }
}
