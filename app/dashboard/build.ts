/**
 * Builds the dashboard into `app/dashboard/dist/`: `app.js` (esbuild bundle of `src/main.ts` with
 * the SDK and uPlot, for browsers), the static files and uPlot's stylesheet. `npm run build:dashboard`; the CLI and the
 * browser test call `buildDashboard()`.
 */
import { copyFileSync, mkdirSync, readdirSync } from "fs";
import { join } from "path";

import { build } from "esbuild";

import { REPO_ROOT } from "../util/repo-root";

const ROOT = join(REPO_ROOT, "app/dashboard");
export const DASHBOARD_DIST = join(ROOT, "dist");

export async function buildDashboard(): Promise<string> {
  mkdirSync(DASHBOARD_DIST, { recursive: true });
  await build({
    entryPoints: [join(ROOT, "src/main.ts")],
    outfile: join(DASHBOARD_DIST, "app.js"),
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    sourcemap: true,
    inject: [join(ROOT, "buffer-shim.ts")],
    define: { global: "globalThis", "process.env.NODE_DEBUG": "false" },
    logLevel: "warning",
  });
  for (const file of readdirSync(join(ROOT, "static"))) {
    copyFileSync(join(ROOT, "static", file), join(DASHBOARD_DIST, file));
  }
  // The chart library's own stylesheet (its legend and cursor), beside ours.
  copyFileSync(require.resolve("uplot/dist/uPlot.min.css"), join(DASHBOARD_DIST, "uPlot.min.css"));
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
