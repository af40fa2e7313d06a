/**
 * The API's snapshot at scale (prints figures; not a test):
 * `npm run bench:snapshot -- --stakers N [--secs S] [--probe-secs P]`.
 *
 * Seeds N stake positions as `npm run bench:scale` does (real StakePosition bytes through
 * `localnet_setAccounts`, the books moved to match), then measures:
 *  - heap per position: a snapshot loaded in a child process run with `--expose-gc`, the heap
 *    after a full collection before and after its start, over N; then a full re-read (as after
 *    a websocket reconnect) with the event loop's longest block meanwhile;
 *  - the API (its public start function, in its own process, empty in-memory store): start-up to
 *    `/healthz` ok, `/api/treasury` and `/api/stakers/:wallet` (1,000 wallets) under autocannon
 *    in another process, and the worst single `/api/treasury` over P seconds (the consistency
 *    checks run every second meanwhile).
 * Progress goes to stderr; stdout gets one Markdown table.
 */
import { spawn } from "child_process";
import { join } from "path";
import { monitorEventLoopDelay } from "perf_hooks";
import { createInterface } from "readline";
import { parseArgs } from "util";

import { Connection } from "@solana/web3.js";

import { startLocalEconomy } from "../app/localnet/economy";
import { TreasurySnapshot } from "../app/server/src/snapshot";
import { treasuryProgram } from "../app/sdk/src";
import { seedPositions } from "../tests/utils/seed-positions";
import type { LoadOptions, LoadResult, ProbeOptions, ProbeResult } from "./bench-scale-child";

const CHILD = join(__dirname, "bench-scale-child.ts");
const TS_NODE = join(__dirname, "../node_modules/.bin/ts-node");
const started = Date.now();

function progress(line: string): void {
  console.error(
    `[bench-snapshot ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`,
  );
}

interface HeapResult {
  positions: number;
  bytesPerPosition: number;
  loadSecs: number;
  /** The event loop's longest block while every position is read again (as after a reconnect). */
  reloadBlockMs: number;
  reloadSecs: number;
}

/** In the `--expose-gc` child: loads a snapshot and reports its heap per position. */
async function heap(rpcUrl: string, wsUrl: string): Promise<HeapResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: wsUrl });
  const snapshot = new TreasurySnapshot(connection, treasuryProgram(connection), {
    checkEveryMs: 0,
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  await snapshot.start();
  const loadSecs = (Date.now() - t0) / 1000;
  gc();
  const after = process.memoryUsage().heapUsed;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const r0 = Date.now();
  await snapshot.reload();
  const reloadSecs = (Date.now() - r0) / 1000;
  delay.disable();
  await snapshot.stop();
  const positions = snapshot.positionCount;
  return {
    positions,
    bytesPerPosition: (after - before) / positions,
    loadSecs,
    reloadBlockMs: delay.max / 1e6,
    reloadSecs,
  };
}

function run<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${args[0]} exited ${code}`)),
    );
  });
}

const child = <T>(mode: "load" | "probe", json: LoadOptions | ProbeOptions) =>
  run<T>([TS_NODE, "--transpile-only", CHILD, mode, JSON.stringify(json)]);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stakers: { type: "string", default: "10000" },
      secs: { type: "string", default: "10" },
      "probe-secs": { type: "string", default: "65" },
      mode: { type: "string" },
      rpc: { type: "string" },
      ws: { type: "string" },
    },
  });
  if (values.mode === "heap") {
    console.log(JSON.stringify(await heap(values.rpc!, values.ws!)));
    return;
  }
  const stakers = Number(values.stakers);
  const secs = Number(values.secs);
  const probeSecs = Number(values["probe-secs"]);
  const economy = await startLocalEconomy({
    simulate: false,
    crank: false,
    api: false,
    allowProgramStateWrites: true,
    progress,
  });
  try {
    const { validator } = economy;
    progress(`seeding ${stakers} positions`);
    const seeded = await seedPositions(economy, stakers, { progress });

    progress("heap per position (a snapshot in a --expose-gc process)");
    const memory = await run<HeapResult>([
      "--expose-gc",
      "-r",
      "ts-node/register/transpile-only",
      __filename,
      "--mode",
      "heap",
      "--rpc",
      validator.rpcUrl,
      "--ws",
      validator.wsUrl,
    ]);

    progress("the API");
    const t0 = Date.now();
    const api = spawn(
      TS_NODE,
      [
        "--transpile-only",
        CHILD,
        "api",
        JSON.stringify({
          rpcUrl: validator.rpcUrl,
          wsUrl: validator.wsUrl,
          database: "sqlite::memory:",
        }),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: api.stdout }).on("line", (line) => {
          const match = /^listening (\S+)/.exec(line);
          if (match) resolve(match[1]);
        });
        api.once("exit", (code) => reject(new Error(`the API exited ${code}`)));
      });
      for (;;) {
        const health = await fetch(`${url}/healthz`).catch(() => null);
        if (health?.ok) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const startupSecs = (Date.now() - t0) / 1000;
      progress(`  healthy in ${startupSecs.toFixed(1)} s; loads`);
      const step = Math.max(1, Math.floor(seeded.count / 1_000));
      const wallets = Array.from({ length: Math.min(1_000, seeded.count) }, (_, i) =>
        seeded.owner(i * step),
      );
      const load = (paths: string[]) =>
        child<LoadResult>("load", { url, paths, connections: 20, secs });
      const treasury = await load(["/api/treasury"]);
      const staker = await load(wallets.map((w) => `/api/stakers/${w.toBase58()}`));
      progress(`  the worst single /api/treasury over ${probeSecs} s`);
      const worst = await child<ProbeResult>("probe", {
        url,
        path: "/api/treasury",
        secs: probeSecs,
      });
      const row = (figure: string, value: string) => console.log(`| ${figure} | ${value} |`);
      console.log(`| figure | ${stakers.toLocaleString("en-US")} positions |`);
      console.log("|---|---|");
      row("`/api/treasury` req/s, p99", `${Math.round(treasury.rps)}, ${treasury.p99} ms`);
      row("`/api/stakers/:wallet` req/s, p99", `${Math.round(staker.rps)}, ${staker.p99} ms`);
      row(
        `worst single \`/api/treasury\` over ${probeSecs} s (p99)`,
        `${worst.worstMs.toFixed(0)} ms (${worst.p99Ms.toFixed(1)} ms)`,
      );
      row("API start-up to `/healthz` ok", `${startupSecs.toFixed(1)} s`);
      row(
        "snapshot heap per position; its load alone",
        `${memory.bytesPerPosition.toFixed(0)} B (${memory.positions} positions); ${memory.loadSecs.toFixed(1)} s`,
      );
      row(
        "full re-read (as after a reconnect): time; the event loop's longest block",
        `${memory.reloadSecs.toFixed(1)} s; ${memory.reloadBlockMs.toFixed(0)} ms`,
      );
    } finally {
      api.kill("SIGTERM");
      await new Promise((resolve) =>
        api.exitCode !== null ? resolve(null) : api.once("exit", resolve),
      );
    }
  } finally {
    await economy.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
