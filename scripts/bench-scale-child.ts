/**
 * The processes `scripts/bench-scale.ts` measures from the outside, so neither the load nor the
 * harness shares an event loop with the API:
 *  - `api <json>`: the API through its public start function (`startApiServer`), printing
 *    `listening <url> <ms>` as soon as it listens (ms: from the process's start to the call); it runs until killed. On SIGUSR2 it collects
 *    garbage (run it with `--expose-gc`) and prints `memory <json>` (`process.memoryUsage()`
 *    and the snapshot's last full read of the positions). Every collection that holds its event
 *    loop `GC_PAUSE_MS` or more is printed as `gc <kind> <ms> <at>` (`at`: ms since the epoch
 *    when it began), and every stall of its event loop as long, whatever its cause (a
 *    collection, a long task, the process waiting for a core), as `stall <ms> <at>`: the parent
 *    matches them with slow requests.
 *  - `load <json>`: autocannon over a list of paths, round robin, or over `/api/stakers/<wallet>`
 *    with a wallet drawn at random for every request from a file of owners (32 bytes each), or
 *    with `rate`, a crowd at that pace (`crowd`); prints `started` as it starts, then one JSON
 *    line.
 *  - `probe <json>`: one request after another for a while, the paths chosen as for `load`;
 *    prints the median, the p99 and the slowest.
 */
import { readFileSync } from "fs";
import { Agent, get } from "http";
import { constants, performance, PerformanceObserver } from "perf_hooks";

import { utils } from "@anchor-lang/core";
import autocannon from "autocannon";

import { type ApiServer, startApiServer } from "../app/server/src";

export interface ApiChildOptions {
  rpcUrl: string;
  wsUrl: string;
  database: string;
}

/** The requests' paths: the given ones in turn, or the stakers' route for a random owner. */
export interface Paths {
  paths: string[];
  /** A file of owners' addresses, 32 bytes each. */
  walletsFile?: string;
}

export interface LoadOptions extends Paths {
  url: string;
  connections: number;
  secs: number;
  /**
   * Requests a second in all, sent at that pace whatever the answers' (`crowd`); none: as fast
   * as answers come (autocannon).
   */
  rate?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** The load generator's CPU over the load (its start-up left out). */
  cpuSecs: number;
  /** A crowd's: how late the generator's own ticks were (p99 and worst, ms). */
  lateP99?: number;
  lateMax?: number;
}

export interface ProbeOptions extends Paths {
  url: string;
  secs: number;
}

export interface ProbeResult {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  worstMs: number;
  failures: number;
}

/** Collections at least this long are reported (`gc` lines). */
export const GC_PAUSE_MS = 10;
/** How often the stall detector's timer runs. */
const STALL_TICK_MS = 5;
/** V8's kinds of collection, as `PerformanceObserver` names them. */
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};

async function api(options: ApiChildOptions): Promise<void> {
  // From the process's start to here: Node and ts-node loading the API's modules.
  const loadedMs = process.uptime() * 1000;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as PerformanceEntry & { detail?: { kind?: number; flags?: number } };
      const { kind = 0, flags = 0 } = detail ?? {};
      // The collection SIGUSR2 asks for is not one of the API's pauses.
      const forced = (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0;
      if (entry.duration < GC_PAUSE_MS || forced) continue;
      const at = performance.timeOrigin + entry.startTime;
      console.log(`gc ${GC_KINDS[kind] ?? kind} ${entry.duration.toFixed(1)} ${at.toFixed(0)}`);
    }
  }).observe({ entryTypes: ["gc"] });
  // A timer every STALL_TICK_MS: how late it fires is how long the event loop was held.
  let ticked = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - ticked - STALL_TICK_MS;
    if (late >= GC_PAUSE_MS) {
      console.log(`stall ${late.toFixed(1)} ${(performance.timeOrigin + ticked).toFixed(0)}`);
    }
    ticked = now;
  }, STALL_TICK_MS).unref();
  const running: { server?: ApiServer } = {};
  // Before the line that tells the parent it may ask (a SIGUSR2 without a handler kills).
  process.on("SIGUSR2", () => {
    (globalThis as { gc?: () => void }).gc?.();
    const fullRead = running.server?.snapshot.consistency.lastFullRead ?? null;
    console.log(`memory ${JSON.stringify({ ...process.memoryUsage(), fullRead })}`);
  });
  const started = await startApiServer({
    rpcUrl: options.rpcUrl,
    wsUrl: options.wsUrl,
    port: 0,
    database: options.database,
  });
  running.server = started;
  console.log(`listening ${started.url} ${loadedMs.toFixed(0)}`);
  const stop = () => void started.close().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/**
 * `text` as one flat string. Base58 text built a character at a time is a chain of joined
 * strings that V8 flattens wherever it is used; with 20,000 of them made ahead, this generator's
 * own p99 was 9-23 ms against a server that answers at once (2.6-2.8 ms with one fixed path,
 * 3.1-3.8 ms with the paths flat).
 */
const flat = (text: string) => Buffer.from(text, "latin1").toString("latin1");

function pathPicker(options: Paths): () => string {
  let next = 0;
  const wallets = options.walletsFile ? readFileSync(options.walletsFile) : undefined;
  if (!wallets) return () => options.paths[next++ % options.paths.length];
  const count = wallets.length / 32;
  return () => {
    const i = Math.floor(Math.random() * count);
    return flat(`/api/stakers/${utils.bytes.bs58.encode(wallets.subarray(32 * i, 32 * i + 32))}`);
  };
}

async function load(options: LoadOptions): Promise<LoadResult> {
  const path = pathPicker(options);
  // The parent starts its CPU accounts of the API and the validator on this line.
  console.log("started");
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.secs,
    requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuSecs: cpuSecs(process.cpuUsage(cpu)),
  };
}

const cpuSecs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

/**
 * A crowd: requests sent at a fixed pace whatever the answers' pace (an open loop, as
 * independent stakers ask; autocannon's `overallRate` sends each second's requests in a burst at
 * its start instead), over at most `connections` kept-alive sockets. Request k is due at
 * k / rate s and is handed to the sockets at the first tick of the generator's 1 ms timer after
 * that; its latency counts from the hand-off (a request held back because every socket was busy
 * counts its wait), and how late the generator's own ticks were is reported beside (`lateP99`:
 * its timer, not the API).
 */
async function crowd(options: LoadOptions & { rate: number }): Promise<LoadResult> {
  // Every request's URL made (flat) before the clock starts: the generator only sends and reads.
  const path = pathPicker(options);
  const urls = Array.from({ length: Math.ceil(options.rate * options.secs) + 1 }, () =>
    flat(`${options.url}${path()}`),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const lateness: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  console.log("started");
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + options.secs * 1000;
  await new Promise<void>((resolve) => {
    let inFlight = 0;
    let stopped = false;
    const finished = () => {
      inFlight--;
      if (stopped && inFlight === 0) resolve();
    };
    const send = () => {
      const handedOff = performance.now();
      inFlight++;
      const request = get(urls[sent], { agent }, (response) => {
        response.resume();
        response.on("end", () => {
          latencies.push(performance.now() - handedOff);
          if ((response.statusCode ?? 0) >= 300) non2xx++;
          finished();
        });
      });
      request.on("error", () => {
        errors++;
        finished();
      });
    };
    const tick = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((Math.min(now, end) - start) / 1000) * options.rate);
      if (sent < due) lateness.push(now - (start + (sent / options.rate) * 1000));
      for (; sent < due; sent++) send();
      if (now >= end) {
        clearInterval(tick);
        stopped = true;
        if (inFlight === 0) resolve();
      }
    }, 1);
  });
  agent.destroy();
  const secs = (performance.now() - start) / 1000;
  const percentile = (values: number[], q: number) =>
    values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ?? 0;
  return {
    rps: latencies.length / secs,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? 0,
    requests: latencies.length,
    errors,
    non2xx,
    cpuSecs: cpuSecs(process.cpuUsage(cpu)),
    lateP99: percentile(lateness, 0.99),
    lateMax: lateness[lateness.length - 1] ?? 0,
  };
}

async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const latencies: number[] = [];
  let failures = 0;
  const path = pathPicker(options);
  const end = Date.now() + options.secs * 1000;
  while (Date.now() < end) {
    const url = `${options.url}${path()}`;
    const started = process.hrtime.bigint();
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (!response.ok) failures++;
    } catch {
      failures++;
    }
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    p50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    worstMs: latencies[latencies.length - 1] ?? 0,
    failures,
  };
}

async function main(): Promise<void> {
  const [mode, json] = process.argv.slice(2);
  const options: unknown = JSON.parse(json ?? "{}");
  if (mode === "api") return api(options as ApiChildOptions);
  if (mode === "load") {
    const loadOptions = options as LoadOptions;
    const { rate } = loadOptions;
    const result = rate ? await crowd({ ...loadOptions, rate }) : await load(loadOptions);
    return console.log(JSON.stringify(result));
  }
  if (mode === "probe") return console.log(JSON.stringify(await probe(options as ProbeOptions)));
  throw new Error(`unknown mode ${mode}: api, load or probe`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
