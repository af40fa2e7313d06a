/// <reference lib="dom" />
/**
 * The history charts, drawn with uPlot (about 50 KB, canvas, tens of thousands of points without
 * effort): a time axis in UTC and a value axis in compact numbers, the values of the point under
 * the cursor in the legend and in a readout line below (exact, from the API's base units), the
 * theme's colours (rebuilt when the system switches between light and dark), and the width of
 * their column.
 */
import uPlot from "uplot";

import { amountText, timeText } from "../../sdk/src/display";
import type { HistoryPoint } from "./api";

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
  /** Bars for amounts per bucket; lines for running totals and levels. */
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

const HEIGHT = 220;
const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });
const css = (name: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";

/** The API's base units as a number to plot (the exact figure is read from the string). */
const plotted = (raw: string, decimals: number) => Number(raw) / 10 ** decimals;

export class HistoryCharts {
  private plots = new Map<string, uPlot>();
  private points: HistoryPoint[] = [];
  private interval = "1h";
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(private readonly container: HTMLElement) {
    // Colours come from the theme: rebuild when the system's preference changes.
    window
      .matchMedia("(prefers-color-scheme: dark)")
      .addEventListener("change", () => this.rebuild());
    this.resize.observe(container);
  }

  /** Shows `points` (bucketed by `interval`), creating the charts on first use. */
  render(points: HistoryPoint[], interval: string, range: string): void {
    const rebuild = interval !== this.interval || this.plots.size === 0;
    this.points = points;
    this.interval = interval;
    this.container.dataset.range = range;
    this.container.dataset.points = String(points.length);
    if (rebuild) return this.rebuild();
    for (const spec of CHARTS) this.plots.get(spec.id)?.setData(this.data(spec));
    for (const spec of CHARTS) this.readout(spec, null);
  }

  private data(spec: ChartSpec): uPlot.AlignedData {
    return [
      this.points.map((p) => Date.parse(p.t) / 1000),
      ...spec.series.map((s) => this.points.map((p) => plotted(s.value(p), spec.decimals))),
    ];
  }

  /** The exact values of point `idx` (the latest without a cursor), as a line of text. */
  private readout(spec: ChartSpec, idx: number | null): void {
    const out = document.getElementById(`readout-${spec.id}`);
    const point = this.points[idx ?? this.points.length - 1];
    if (!out || !point) return;
    const values = spec.series
      .map(
        (s) =>
          `${s.label} ${amountText({ raw: s.value(point), decimals: spec.decimals }, spec.unit)}`,
      )
      .join(", ");
    out.textContent = `${idx === null ? "latest, " : ""}${timeText(point.t)}: ${values}`;
    out.dataset.index = String(idx ?? this.points.length - 1);
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
      caption.textContent = spec.title(this.interval);
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
            x: { time: true },
            y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
          },
          axes: [
            { stroke: axisColor, grid, ticks: grid, label: "UTC", labelSize: 16 },
            {
              stroke: axisColor,
              grid,
              ticks: grid,
              size: 56,
              values: (_u, splits) => splits.map((v) => COMPACT.format(v)),
            },
          ],
          series: [
            {
              label: "time (UTC)",
              value: (_u, v) => (v === null ? "—" : timeText(new Date(v * 1000).toISOString())),
            },
            ...spec.series.map((s) => ({
              label: s.label,
              stroke: css(s.color),
              fill: spec.bars ? css(s.color) : undefined,
              width: 2,
              paths: spec.bars ? uPlot.paths.bars!({ size: [0.6, 40], align: 0 }) : undefined,
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
