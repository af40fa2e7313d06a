/**
 * Lighthouse scores of the dashboard on the local economy (prints figures; not a test):
 * `npm run lighthouse [-- --runs 3 --warmup 60]`.
 *
 * Starts the whole local economy as `npm start` does (simulator, crank, API and dashboard),
 * lets it run `--warmup` seconds so the page has figures, buybacks and history to show, then
 * runs Lighthouse 12 (Debian's Chromium, headless) `--runs` times on desktop and on mobile
 * emulation (Lighthouse's defaults: a mid-range phone, 4× CPU slowdown, slow 4G simulated) and
 * prints the median of each category (performance, accessibility, best practices) with the
 * metrics behind performance, and the size of what the page loads (raw, gzip, brotli).
 */
import { execFile } from "child_process";
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { promisify } from "util";
import { parseArgs } from "util";
import { brotliCompressSync, constants, gzipSync } from "zlib";

import { DASHBOARD_DIST } from "../app/dashboard/build";
import { startLocalEconomy } from "../app/localnet/economy";

const run = promisify(execFile);
const LIGHTHOUSE = join(__dirname, "../node_modules/.bin/lighthouse");
const CHROMIUM = process.env.ASHAO_CHROMIUM ?? "/usr/bin/chromium";
const CATEGORIES = ["performance", "accessibility", "best-practices"] as const;
const METRICS = {
  "first-contentful-paint": "FCP",
  "largest-contentful-paint": "LCP",
  "total-blocking-time": "TBT",
  "cumulative-layout-shift": "CLS",
  "speed-index": "SI",
} as const;

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    warmup: { type: "string", default: "60" },
  },
});
const RUNS = Number(values.runs);
const WARMUP_SECS = Number(values.warmup);

interface Report {
  categories: Record<string, { score: number }>;
  audits: Record<
    string,
    { numericValue?: number; displayValue?: string; details?: { items?: unknown[] } }
  >;
}

interface Run {
  scores: Record<string, number>;
  metrics: Record<string, number>;
  transferKiB: number;
  failing: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function lighthouse(url: string, desktop: boolean): Promise<Run> {
  const { stdout } = await run(
    LIGHTHOUSE,
    [
      url,
      "--output=json",
      "--output-path=stdout",
      "--quiet",
      `--only-categories=${CATEGORIES.join(",")}`,
      "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
      ...(desktop ? ["--preset=desktop"] : []),
    ],
    { env: { ...process.env, CHROME_PATH: CHROMIUM }, maxBuffer: 64 * 1024 * 1024 },
  );
  const report = JSON.parse(stdout) as Report;
  const scores = Object.fromEntries(
    CATEGORIES.map((c) => [c, Math.round(report.categories[c].score * 100)]),
  );
  const metrics = Object.fromEntries(
    Object.keys(METRICS).map((id) => [id, report.audits[id].numericValue ?? NaN]),
  );
  // What failed, for the reader who wants to know where points went.
  const failing = Object.entries(report.audits)
    .filter(([, a]) => (a as { score?: number | null }).score === 0)
    .map(([id]) => id);
  return {
    scores,
    metrics,
    transferKiB: (report.audits["total-byte-weight"].numericValue ?? 0) / 1024,
    failing,
  };
}

function bundleSizes(): string[] {
  const lines: string[] = [];
  const files = readdirSync(DASHBOARD_DIST).filter((f) => /\.(js|css|html)$/.test(f));
  for (const file of files.sort()) {
    const body = readFileSync(join(DASHBOARD_DIST, file));
    const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
    lines.push(
      `  ${file.padEnd(24)} ${String(body.length).padStart(8)} B raw, ` +
        `${String(gzipSync(body).length).padStart(7)} B gzip, ${String(br.length).padStart(7)} B brotli`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  if (!(RUNS >= 1) || !(WARMUP_SECS >= 0)) throw new Error("--runs ≥ 1 and --warmup ≥ 0");
  const economy = await startLocalEconomy({ progress: (line) => console.error(line) });
  try {
    const url = `${economy.api!.url}/`;
    console.error(`letting the economy run ${WARMUP_SECS} s`);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_SECS * 1000));
    console.log(
      `Lighthouse ${(await run(LIGHTHOUSE, ["--version"])).stdout.trim()} on ${url}, ${RUNS} runs each (median)`,
    );
    for (const [name, desktop] of [
      ["desktop", true],
      ["mobile", false],
    ] as const) {
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(await lighthouse(url, desktop));
        console.error(`${name} run ${i + 1}: ${JSON.stringify(runs[i].scores)}`);
      }
      const scores = CATEGORIES.map((c) => `${c} ${median(runs.map((r) => r.scores[c]))}`);
      const metrics = Object.entries(METRICS).map(([id, label]) => {
        const value = median(runs.map((r) => r.metrics[id]));
        return id === "cumulative-layout-shift"
          ? `${label} ${value.toFixed(3)}`
          : `${label} ${(value / 1000).toFixed(2)} s`;
      });
      console.log(`${name}: ${scores.join(", ")}`);
      console.log(
        `  ${metrics.join(", ")}; ${median(runs.map((r) => r.transferKiB)).toFixed(0)} KiB transferred`,
      );
      console.log(
        `  every run: ${runs.map((r) => CATEGORIES.map((c) => r.scores[c]).join("/")).join(", ")}`,
      );
      const failing = [...new Set(runs.flatMap((r) => r.failing))];
      if (failing.length > 0) console.log(`  audits failed in some run: ${failing.join(", ")}`);
    }
    console.log(
      "dashboard files (the first screen loads app.js, its chunks and styles.css; charts-*.js as the charts come near the screen; signer-*.js once a wallet connects):",
    );
    for (const line of bundleSizes()) console.log(line);
  } finally {
    await economy.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
