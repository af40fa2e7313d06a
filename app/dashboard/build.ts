/**
 * Builds the dashboard into `app/dashboard/dist/`: `app.js`, the page's script (esbuild, minified,
 * ES modules), and `signer-*.js` with the Solana client, split off and loaded only when a wallet
 * connects; `index.html`; and `styles.css`, uPlot's stylesheet and ours in one file. No source
 * map is written (the sources are public in this repository; a map would only be served).
 * `npm run build:dashboard`; the CLI and the browser tests call `buildDashboard()`.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";

import { build } from "esbuild";

import { REPO_ROOT } from "../util/repo-root";

const ROOT = join(REPO_ROOT, "app/dashboard");
export const DASHBOARD_DIST = join(ROOT, "dist");

export async function buildDashboard(): Promise<string> {
  // Chunks are named by their content: start clean so no stale one is served.
  rmSync(DASHBOARD_DIST, { recursive: true, force: true });
  mkdirSync(DASHBOARD_DIST, { recursive: true });
  await build({
    entryPoints: { app: join(ROOT, "src/main.ts") },
    outdir: DASHBOARD_DIST,
    chunkNames: "[name]-[hash]",
    bundle: true,
    splitting: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "none",
    inject: [join(ROOT, "buffer-shim.ts")],
    define: { global: "globalThis", "process.env.NODE_DEBUG": "false" },
    logLevel: "warning",
  });
  copyFileSync(join(ROOT, "static/index.html"), join(DASHBOARD_DIST, "index.html"));
  // One stylesheet (one request before the first paint): the chart library's (its legend and
  // cursor), then ours.
  writeFileSync(
    join(DASHBOARD_DIST, "styles.css"),
    readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8") +
      "\n" +
      readFileSync(join(ROOT, "static/styles.css"), "utf8"),
  );
  return DASHBOARD_DIST;
}

if (require.main === module) {
  buildDashboard().then(
    (dir) => console.log(`dashboard built into ${dir}`),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
