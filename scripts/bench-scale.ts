/**
 * Scale harness (prints figures; not a test): `npm run bench:scale -- --stakers N --events M`.
 *
 * Brings up the local economy (validator, mints, treasury, pool, price feed) and gives it N stake
 * positions and M historical treasury events, then measures it from the outside:
 *  1. Positions: real StakePosition bytes for N owners, written with `localnet_setAccounts` (the
 *     validator runs with `--allow-program-state-writes`), the TreasuryConfig's totals, the stake
 *     vault and the $ASHAO mint's supply moved to match, so the books hold as if every position
 *     had been staked by a transaction. The first stakers also get a wallet and token accounts.
 *  2. The validator's throughput: stake transactions from those stakers (signed as sent) sent by
 *     concurrent clients (JSON-RPC with preflight), and its CPU per transaction.
 *  3. History: M events by real transactions (deposits, stakes, unstake requests, claims, and a
 *     crank buyback each hour), spread over 26 hours of the chain's clock.
 *  4. The books, checked: the config's totals equal the sum of the positions, the stake vault holds
 *     them, each USDC vault what it owes, the split's identities, the mint's supply its accounts
 *     (after seeding, after the history and at the end; past 200,000 positions at the end only).
 *  5. Every position read as the API reads it (256 shards), and in one request up to 200,000.
 *  6. For each store: the API (its public start function, in its own process, run with
 *     `--max-old-space-size` at the README's figure, `apiHeapMib`) from an empty store: when it
 *     listens, serves from its snapshot, and answers /healthz ok with every event indexed, its
 *     heap (after a collection) and RSS at each, then loads by autocannon in another process
 *     (the stakers' route with a random owner of all N per request), as fast as the connections
 *     go and then at a crowd's fixed pace (--rate), with the CPU the API, the
 *     load generator and the validator spent meanwhile, each route one request at a time for
 *     --probe-secs (the worst single request a lone client sees), live deposits with the API
 *     following and its lag, and its memory after the loads.
 * Progress goes to stderr; stdout gets one Markdown table, its last row the harness's time by
 * stage, its first line the machine's load average (other work on the same cores shows there).
 *
 * Options: --stakers N (1000), --events M (as many as stakers), --store sqlite|postgres|<url>
 * (repeatable; default sqlite: a fresh file, the CLI's default kind), --secs S (10, per load),
 * --connections C (20, per load), --clients K (32, concurrent senders), --probe-secs P (65, one
 * request at a time per route), --api-heap-mib H (the README's figure for N), --index-minutes T
 * (30: the API must have indexed everything by then), --api-cpu-prof DIR (the API's V8 CPU
 * profile, one file per store, written into DIR when it stops: where its time went), --pin-api
 * (the API on CPU 0 alone, the harness, the validator and the load generator on the others),
 * --api-node-option O (repeatable: more options for the API's node, e.g.
 * `--max-semi-space-size=64`), --rate R (2000: the crowd loads' requests a second in all).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "fs";
import { cpus, loadavg, tmpdir } from "os";
import { join } from "path";
import { createInterface } from "readline";
import { parseArgs } from "util";

import { AccountLayout, getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  Keypair,
  PublicKey,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import pino from "pino";

import { runCrankCycle } from "../app/crank/src";
import { LocalEconomy, startLocalEconomy } from "../app/localnet/economy";
import { advanceClock, validatorBinary } from "../app/localnet/validator";
import {
  claimIx,
  decodeStakePositionRecord,
  depositRevenueIx,
  fetchTreasuryOrThrow,
  requestUnstakeIx,
  sendAndConfirm,
  solvencyReport,
  stakeIx,
  type StakePositionRecord,
  stakePositionsRequest,
  type StakePositionsResponse,
} from "../app/sdk/src";
import { startPostgres, type TestPostgres } from "../tests/utils/postgres";
import { fundedRevenueSource, inParallel, sendRaw } from "../tests/utils/raw-send";
import { processUsage, random, seedPositions, type Staker } from "../tests/utils/seed-positions";
import type { FullReadTimes } from "../app/server/src";
import {
  type ApiChildOptions,
  GC_PAUSE_MS,
  type LoadOptions,
  type LoadResult,
  type ProbeOptions,
  type ProbeResult,
} from "./bench-scale-child";

const ASHAO = 1_000_000_000n;
const USDC = 1_000_000n;
/** Deposits sent with the API following, for its lag. */
const LIVE_DEPOSITS = 200;
/** Hours of the chain's clock the history is spread over (the history view shows 24). */
const HISTORY_HOURS = 26;
/**
 * Positions up to which every position is also read in one request, and the books are checked
 * after seeding and after the history too (past it, only at the end: each check reads every
 * position in 256 requests, each of which walks all of the program's accounts in the local
 * validator's owner index).
 */
const ONE_REQUEST_MAX = 200_000;
const CHILD = join(__dirname, "bench-scale-child.ts");
/** `--pin-api`: the API's CPU, and the others' (`taskset -c` lists). */
const API_CPU = "0";
const OTHER_CPUS = `1-${Math.max(1, cpus().length - 1)}`;
const ALL_CPUS = `0-${cpus().length - 1}`;
const started = Date.now();

function progress(line: string): void {
  console.error(
    `[bench-scale ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`,
  );
}

// ------------------------------------------------------------------------------- options

interface Options {
  stakers: number;
  events: number;
  stores: string[];
  secs: number;
  connections: number;
  clients: number;
  /** Seconds of one request at a time per route: the worst single request over a minute. */
  probeSecs: number;
  /** How long the API may take to serve every event before the run is given up. */
  indexMinutes: number;
  /** The API's `--max-old-space-size` (default: `apiHeapMib` of the stakers). */
  apiHeapMib?: number;
  /** A directory for the API's V8 CPU profile (`--cpu-prof`), written when it stops. */
  apiCpuProf?: string;
  /**
   * The API on CPU 0 alone and everything else the harness runs (itself, the validator, the
   * load generator, the probe) on the others while the API runs, as a server would give the API
   * cores of its own: the load generator then cannot take the API's core.
   */
  pinApi: boolean;
  /** More options for the API's node (e.g. `--max-semi-space-size=64`), after the heap's. */
  apiNodeOptions: string[];
  /** Requests a second of the crowd loads (a fixed pace, below what the API can serve). */
  rate: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      stakers: { type: "string", default: "1000" },
      events: { type: "string" },
      store: { type: "string", multiple: true },
      secs: { type: "string", default: "10" },
      connections: { type: "string", default: "20" },
      clients: { type: "string", default: "32" },
      "probe-secs": { type: "string", default: "65" },
      "index-minutes": { type: "string", default: "30" },
      "api-heap-mib": { type: "string" },
      "api-cpu-prof": { type: "string" },
      "pin-api": { type: "boolean", default: false },
      "api-node-option": { type: "string", multiple: true },
      rate: { type: "string", default: "2000" },
    },
  });
  const count = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const stakers = count("stakers", values.stakers, 1);
  return {
    stakers,
    events: count("events", values.events ?? String(stakers), 0),
    stores: values.store ?? ["sqlite"],
    secs: count("secs", values.secs, 1),
    connections: count("connections", values.connections, 1),
    clients: count("clients", values.clients, 1),
    probeSecs: count("probe-secs", values["probe-secs"], 1),
    indexMinutes: count("index-minutes", values["index-minutes"], 1),
    apiHeapMib:
      values["api-heap-mib"] === undefined
        ? undefined
        : count("api-heap-mib", values["api-heap-mib"], 16),
    apiCpuProf: values["api-cpu-prof"],
    pinApi: values["pin-api"]!,
    apiNodeOptions: values["api-node-option"] ?? [],
    rate: count("rate", values.rate, 1),
  };
}

// --------------------------------------------------------------------------- the process

// ------------------------------------------------------------------------------- sending

let priorityNonce = 0;

/** A signed v0 transaction; a priority fee unique to it keeps equal instructions distinct. */
function signed(
  instructions: TransactionInstruction[],
  blockhash: string,
  signers: Keypair[],
): VersionedTransaction {
  const tx = new VersionedTransaction(
    new TransactionMessage({
      payerKey: signers[0].publicKey,
      recentBlockhash: blockhash,
      instructions: [
        ComputeBudgetProgram.setComputeUnitPrice({ microLamports: ++priorityNonce }),
        ...instructions,
      ],
    }).compileToV0Message(),
  );
  tx.sign(signers);
  return tx;
}

// ---------------------------------------------------------------------------------- books

/**
 * The books against the chain: the config's totals are the sum of the positions, the stake vault
 * holds them, each USDC vault what it owes, the split's identities hold, and the $ASHAO supply is
 * what its token accounts hold. Throws on the first difference.
 */
async function checkBooks(economy: LocalEconomy): Promise<string> {
  const { connection } = economy.validator;
  const { program, accounts } = economy;
  const state = await fetchTreasuryOrThrow(program);
  const positions = { count: 0, staked: 0n, unstaking: 0n, staking: 0 };
  await readPositions(economy, true, (p) => {
    positions.count++;
    positions.staked += p.staked;
    positions.unstaking += p.unstaking;
    if (p.staked > 0n) positions.staking++;
  });
  const balance = async (address: PublicKey) =>
    BigInt((await connection.getTokenAccountBalance(address, "confirmed")).value.amount);
  const [buyback, rewards, stake] = await Promise.all([
    balance(accounts.buybackVault),
    balance(accounts.rewardsVault),
    balance(accounts.stakeVault),
  ]);
  const holders = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
    commitment: "confirmed",
    filters: [
      { dataSize: AccountLayout.span },
      { memcmp: { offset: 0, bytes: accounts.ashaoMint.toBase58() } },
    ],
  });
  const held = holders.reduce(
    (total, h) => total + AccountLayout.decode(h.account.data).amount,
    0n,
  );
  const supply = BigInt(
    (await connection.getTokenSupply(accounts.ashaoMint, "confirmed")).value.amount,
  );
  const solvency = solvencyReport(state, buyback, rewards);
  const checks: [string, bigint | number | boolean, bigint | number | boolean][] = [
    ["total staked = sum of positions", state.totalStaked, positions.staked],
    ["total unstaking = sum of positions", state.totalUnstaking, positions.unstaking],
    ["stakers = positions staking", state.stakerCount, positions.staking],
    ["stake vault = staked + unstaking", stake, state.totalStaked + state.totalUnstaking],
    ["buyback vault = bucket", buyback, state.buybackBucket],
    ["rewards vault = streaming + released − claimed", rewards, BigInt(solvency.rewards.owes.raw)],
    ["split and reward identities", solvency.identities.every((i) => i.holds), true],
    ["$ASHAO supply = its token accounts", supply, held],
  ];
  const failed = checks.filter(([, a, b]) => a !== b);
  if (failed.length > 0) {
    throw new Error(
      `books do not balance: ${failed.map(([name, a, b]) => `${name}: ${a} vs ${b}`).join("; ")}`,
    );
  }
  return `${positions.count} positions, ${state.totalStaked / ASHAO} $ASHAO staked, revenue ${state.totalRevenue / USDC} USDC: all ${checks.length} checks hold`;
}

/**
 * Every position through the SDK's request and decoder, in one `getProgramAccounts` or in the
 * API's 256 shards by the owner's first byte (one answer of every position is over 400 MB at a
 * million: more than a JavaScript string holds). Returns how many requests were made.
 */
async function readPositions(
  economy: LocalEconomy,
  sharded: boolean,
  visit: (position: StakePositionRecord) => void,
): Promise<number> {
  const shards = sharded ? Array.from({ length: 256 }, (_, byte) => byte) : [undefined];
  for (const byte of shards) {
    const response = await fetch(economy.validator.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(stakePositionsRequest(economy.program.programId, byte)),
    });
    const { result, error } = (await response.json()) as StakePositionsResponse;
    if (!result) throw new Error(`getProgramAccounts: ${error?.message ?? "no result"}`);
    for (const { pubkey, account } of result.value) {
      const record = decodeStakePositionRecord(pubkey, Buffer.from(account.data[0], "base64"));
      if (record) visit(record);
    }
  }
  return shards.length;
}

// ------------------------------------------------------------------------ the validator

interface Throughput {
  /** The validator's resident memory per transaction landed (ledger and all). */
  bytesPerTx: number;
  txs: number;
  perSec: number;
  cpuMsPerTx: number;
  landed: number;
}

/**
 * Stake transactions from the active stakers, sent by `clients` at once. The instructions are
 * built first (their PDAs cost the harness about 5 ms each on a loaded machine, longer than a
 * blockhash lives for 20,000 of them); each is signed as it is sent, with a blockhash at most
 * 10 s old.
 */
async function stakeThroughput(
  economy: LocalEconomy,
  active: Staker[],
  count: number,
  clients: number,
  pid: number,
): Promise<Throughput> {
  const { connection, rpcUrl } = economy.validator;
  const ixs: TransactionInstruction[] = [];
  for (let i = 0; i < count; i++) {
    const staker = active[i % active.length];
    ixs.push(
      await stakeIx(economy.program, economy.accounts, {
        owner: staker.keypair.publicKey,
        ownerAshao: staker.ashao,
        amount: ASHAO + BigInt(i),
      }),
    );
  }
  let { blockhash } = await connection.getLatestBlockhash("confirmed");
  let fetchedAt = Date.now();
  let landed = 0;
  let sent = 0;
  // Memory per transaction over the second half, once every client's connection and thread
  // exists: the ledger's slope, not the first allocations.
  let half: number | undefined;
  const before = processUsage(pid);
  const t0 = process.hrtime.bigint();
  await inParallel(
    ixs.map((_, i) => i),
    clients,
    async (i) => {
      if (Date.now() - fetchedAt > 10_000) {
        fetchedAt = Date.now();
        ({ blockhash } = await connection.getLatestBlockhash("confirmed"));
      }
      const tx = signed([ixs[i]], blockhash, [active[i % active.length].keypair]);
      if ("signature" in (await sendRaw(rpcUrl, tx))) landed++;
      if (++sent === Math.floor(count / 2)) half = processUsage(pid).rssBytes;
    },
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = processUsage(pid).cpuSecs - before.cpuSecs;
  const bytesPerTx = (processUsage(pid).rssBytes - (half ?? 0)) / (count - Math.floor(count / 2));
  return { txs: count, perSec: count / secs, cpuMsPerTx: (cpu * 1000) / count, landed, bytesPerTx };
}

// -------------------------------------------------------------------------------- history

interface History {
  /** Treasury events on chain: every landed instruction emits one. */
  events: number;
  transactions: number;
  refused: number;
  secs: number;
  buybacks: number;
}

type Action = "deposit" | "stake" | "unstake" | "claim";

/** `m` events by real transactions over `HISTORY_HOURS` of the chain's clock. */
async function makeHistory(
  economy: LocalEconomy,
  active: Staker[],
  m: number,
  clients: number,
): Promise<History> {
  const { connection, rpcUrl } = economy.validator;
  const { program, accounts, authority } = economy;
  const source = await fundedRevenueSource(economy, 1_000_000_000n * USDC);
  const draw = random(m + 1);
  const silent = pino({ level: "silent" });
  const history: History = { events: 0, transactions: 0, refused: 0, secs: 0, buybacks: 0 };
  const t0 = Date.now();
  for (let hour = 0; hour < HISTORY_HOURS; hour++) {
    // Events so far by the end of this hour: the history spreads evenly over the hours.
    const target = Math.floor((m * (hour + 1)) / HISTORY_HOURS);
    let { blockhash } = await connection.getLatestBlockhash("confirmed");
    let fetchedAt = Date.now();
    // A buyback an hour (the crank, as it runs), when the bucket holds something.
    const bucket = (await fetchTreasuryOrThrow(program)).buybackBucket;
    if (bucket > 0n && history.events < target) {
      const result = await runCrankCycle(
        economy.crankDeps(economy.crankConfig, silent),
        economy.crankConfig,
      );
      if (result.status === "bought") {
        history.buybacks++;
        history.events++;
        history.transactions++;
      }
    }
    // Refused transactions (a claim with nothing owed yet) leave no event: send again until
    // the hour's events are all there.
    while (history.events < target) {
      const actions: Action[] = Array.from({ length: target - history.events }, () => {
        const r = draw();
        return r < 0.4 ? "deposit" : r < 0.7 ? "stake" : r < 0.8 ? "unstake" : "claim";
      });
      await inParallel(actions, clients, async (action) => {
        if (Date.now() - fetchedAt > 20_000) {
          fetchedAt = Date.now();
          ({ blockhash } = await connection.getLatestBlockhash("confirmed"));
        }
        const staker = active[Math.floor(draw() * active.length)];
        const owner = staker.keypair.publicKey;
        let ix: TransactionInstruction;
        let signer = staker.keypair;
        if (action === "deposit") {
          signer = authority;
          ix = await depositRevenueIx(program, accounts, {
            payer: authority.publicKey,
            source,
            amount: BigInt(Math.floor(10 + draw() * 990)) * USDC,
          });
        } else if (action === "stake") {
          ix = await stakeIx(program, accounts, {
            owner,
            ownerAshao: staker.ashao,
            amount: BigInt(Math.floor(1 + draw() * 99)) * ASHAO,
          });
        } else if (action === "unstake") {
          ix = await requestUnstakeIx(program, accounts, { owner, amount: ASHAO });
        } else {
          ix = await claimIx(program, accounts, { owner, destination: staker.usdc });
        }
        history.transactions++;
        if ("signature" in (await sendRaw(rpcUrl, signed([ix], blockhash, [signer])))) {
          history.events++;
        } else history.refused++;
      });
    }
    progress(`  hour ${hour + 1}/${HISTORY_HOURS}: ${history.events} events`);
    if (hour + 1 < HISTORY_HOURS) await advanceClock(connection, 3_600);
  }
  history.secs = (Date.now() - t0) / 1000;
  return history;
}

// ------------------------------------------------------------------------------------ API

/**
 * The heap (`--max-old-space-size`) the API is run with: the figure the server README
 * documents for N positions.
 */
const apiHeapMib = (positions: number) => Math.ceil(256 + (0.6 * positions) / 1_000);

interface ApiFigures {
  store: string;
  heapMib: number;
  /** Seconds from the process's start to the call of `startApiServer` (Node, ts-node, modules). */
  loadedSecs: number;
  /** Seconds from that call: listening, serving from its snapshot, /healthz ok. */
  listeningSecs: number;
  servingSecs: number;
  okSecs: number;
  indexedEvents: number;
  /** The treasury's events on chain when this store was measured. */
  expectedEvents: number;
  /** Heap after a collection and RSS: listening, snapshot served, caught up, after the loads. */
  memory: { listening: Memory; serving: Memory & { events: number }; caughtUp: Memory };
  /** The snapshot's first full read of the positions, by stage. */
  fullRead: FullReadTimes | null;
  /** The machine's load average when the snapshot served. */
  servingLoad: string;
  /** Absent when the API did not serve every event within `--index-minutes`. */
  loads?: ApiLoads;
}

interface Memory {
  heapUsed: number;
  rss: number;
}

/** A collection that held the API's event loop (its `gc` lines). */
interface GcPause {
  kind: string;
  ms: number;
  /** When it began, ms since the epoch. */
  at: number;
}

interface ApiLoads {
  /** As fast as the connections go (each sends its next request on the last answer). */
  treasury: Measured;
  staker: Measured;
  /** At `opts.rate` requests a second in all, as a crowd asks, whatever the answers' pace. */
  crowd: { treasury: Measured; staker: Measured };
  /** One request at a time over `opts.probeSecs`: the worst a lone client sees. */
  worst: { treasury: ProbeResult; staker: ProbeResult };
  /**
   * The API's collections of `GC_PAUSE_MS` or more meanwhile, its event loop's stalls as long
   * (kind `stall`, whatever their cause), and the load average after.
   */
  probeGc: GcPause[];
  probeStalls: GcPause[];
  probeLoad: string;
  history: LoadResult;
  stakerHistory: LoadResult;
  deposits: { perSec: number; lagMs: number; cpuMsPerTx: number };
  afterLoads: Memory;
}

/**
 * The API's own timing of a load's requests (fastify's, from the request read to the answer
 * written), from the route's histogram in its `/metrics`: how many of the requests took at most
 * each bucket's bound.
 */
interface ServerTiming {
  requests: number;
  /** [bound in ms, requests at most that long], in the histogram's buckets. */
  atMost: [number, number][];
}

/** The cumulative counts of `route`'s duration histogram in a `/metrics` text. */
async function routeHistogram(url: string, route: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  const line = /^ashao_api_request_duration_seconds_bucket\{le="([^"]+)",route="([^"]+)"\} (\d+)$/;
  for (const row of text.split("\n")) {
    const m = line.exec(row);
    if (m && m[2] === route) counts.set(m[1], Number(m[3]));
  }
  return counts;
}

/** The smallest bucket bound holding 99% of the requests, as text ("≤ 2.5 ms"). */
function serverP99(timing: ServerTiming): string {
  const bucket = timing.atMost.find(([, n]) => n >= 0.99 * timing.requests);
  return bucket ? `≤ ${bucket[0]} ms` : "over the largest bucket";
}

/** A load and the CPU each process spent meanwhile (where the time went). */
interface Measured {
  result: LoadResult;
  /** The API's own timing of the same requests. */
  server: ServerTiming;
  secs: number;
  cpu: { api: number; load: number; validator: number };
}

function child(mode: string, json: object, nodeArgs: string[] = [], cpus?: string): ChildProcess {
  const args = [
    ...nodeArgs,
    "-r",
    "ts-node/register/transpile-only",
    CHILD,
    mode,
    JSON.stringify(json),
  ];
  // `taskset` execs node in its own process: the child's pid is node's.
  const [command, argv] = cpus
    ? ["taskset", ["-c", cpus, process.execPath, ...args]]
    : [process.execPath, args];
  return spawn(command, argv, { stdio: ["ignore", "pipe", "inherit"] });
}

/** Every thread of `pid` allowed on `cpus` only (a `taskset -c` list). */
function pinProcess(pid: number, cpus: string): void {
  execFileSync("taskset", ["-a", "-c", "-p", cpus, String(pid)], { stdio: "ignore" });
}

/** A child's answer (its last line, JSON); `started` is called on its line `started`. */
function childResult<T>(
  mode: "load" | "probe",
  json: LoadOptions | ProbeOptions,
  started: () => void = () => undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = child(mode, json);
    let last = "";
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      if (line === "started") started();
      else last = line;
    });
    proc.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(last) as T) : reject(new Error(`${mode} exited ${code}`)),
    );
  });
}

interface Health {
  status: string;
  snapshot: { ready: boolean };
  indexer: { events: number; lastSignature: string | null };
}

async function health(url: string): Promise<Health | null> {
  try {
    return (await (await fetch(`${url}/healthz`)).json()) as Health;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The API child's lines: its URL once it listens (and how long loading its modules took), and
 * its memory when asked (SIGUSR2).
 */
class ApiProcess {
  readonly proc: ChildProcess;
  private memoryWaiters: ((memory: Memory) => void)[] = [];
  /** The snapshot's last full read, as the last memory answer gave it. */
  fullRead: FullReadTimes | null = null;
  readonly gcPauses: GcPause[] = [];
  readonly stalls: GcPause[] = [];
  readonly listening: Promise<{ url: string; loadedSecs: number }>;
  /** Rejects when the process exits: whatever waits on it then fails instead of hanging. */
  readonly exited: Promise<never>;

  constructor(
    options: ApiChildOptions,
    node: { heapMib: number; options: string[]; cpuProfDir?: string; cpus?: string },
  ) {
    const profile = node.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${node.cpuProfDir}`] : [];
    this.proc = child(
      "api",
      options,
      [`--max-old-space-size=${node.heapMib}`, ...node.options, "--expose-gc", ...profile],
      node.cpus,
    );
    this.exited = new Promise((_, reject) =>
      this.proc.once("exit", (code, signal) =>
        reject(new Error(`the API exited (${code ?? signal})`)),
      ),
    );
    this.exited.catch(() => undefined);
    type Listening = { url: string; loadedSecs: number };
    let listened!: (at: Listening) => void;
    this.listening = Promise.race([
      new Promise<Listening>((resolve) => (listened = resolve)),
      this.exited,
    ]);
    createInterface({ input: this.proc.stdout! }).on("line", (line) => {
      const url = /^listening (\S+) (\d+)/.exec(line);
      if (url) listened({ url: url[1], loadedSecs: Number(url[2]) / 1000 });
      const memory = /^memory (.*)$/.exec(line);
      if (memory) {
        const usage = JSON.parse(memory[1]) as Memory & { fullRead: FullReadTimes | null };
        this.fullRead = usage.fullRead;
        this.memoryWaiters.shift()?.({ heapUsed: usage.heapUsed, rss: usage.rss });
      }
      const gc = /^gc (\S+) ([\d.]+) (\d+)$/.exec(line);
      if (gc) this.gcPauses.push({ kind: gc[1], ms: Number(gc[2]), at: Number(gc[3]) });
      const stall = /^stall ([\d.]+) (\d+)$/.exec(line);
      if (stall) this.stalls.push({ kind: "stall", ms: Number(stall[1]), at: Number(stall[2]) });
    });
  }

  /** Its heap after a full collection, and its resident memory. */
  memory(): Promise<Memory> {
    return Promise.race([
      new Promise<Memory>((resolve) => {
        this.memoryWaiters.push(resolve);
        this.proc.kill("SIGUSR2");
      }),
      this.exited,
    ]);
  }

  async stop(): Promise<void> {
    this.proc.kill("SIGTERM");
    await new Promise((resolve) =>
      this.proc.exitCode !== null || this.proc.signalCode !== null
        ? resolve(null)
        : this.proc.once("exit", resolve),
    );
  }
}

async function measureApi(
  economy: LocalEconomy,
  store: string,
  database: string,
  walletsFile: string,
  expectedEvents: number,
  opts: Options,
  pid: number,
): Promise<ApiFigures> {
  const { validator } = economy;
  const heapMib = opts.apiHeapMib ?? apiHeapMib(opts.stakers);
  // Seconds from the call of `startApiServer` (the process's start until it knows how long
  // loading the modules took).
  let t0 = Date.now();
  const secs = () => (Date.now() - t0) / 1000;
  const deadline = t0 + opts.indexMinutes * 60_000;
  const api = new ApiProcess(
    { rpcUrl: validator.rpcUrl, wsUrl: validator.wsUrl, database },
    {
      heapMib,
      options: opts.apiNodeOptions,
      cpuProfDir: opts.apiCpuProf,
      cpus: opts.pinApi ? API_CPU : undefined,
    },
  );
  try {
    const { url, loadedSecs } = await api.listening;
    t0 += loadedSecs * 1000;
    const listeningSecs = secs();
    const listening = await api.memory();
    let servingSecs = 0;
    let servingLoad = "";
    let serving: Memory & { events: number } = { heapUsed: 0, rss: 0, events: 0 };
    let indexedEvents = 0;
    for (;;) {
      const h = await Promise.race([health(url), api.exited]);
      if (h?.snapshot.ready && servingSecs === 0) {
        servingSecs = secs();
        servingLoad = loadAverage();
        progress(`  ${store}: serving from its snapshot after ${servingSecs.toFixed(1)} s`);
        serving = { ...(await api.memory()), events: h.indexer.events };
      }
      indexedEvents = h?.indexer.events ?? 0;
      if (h?.status === "ok" && indexedEvents >= expectedEvents) break;
      if (Date.now() > deadline) {
        throw new Error(`${store}: not serving every event after ${opts.indexMinutes} min`);
      }
      await sleep(20);
    }
    const okSecs = secs();
    const caughtUp = await api.memory();
    if (indexedEvents !== expectedEvents) {
      throw new Error(`the indexer holds ${indexedEvents} events, the chain ${expectedEvents}`);
    }
    progress(
      `  ${store}: modules loaded in ${loadedSecs.toFixed(1)} s, then listening after ${listeningSecs.toFixed(1)} s, serving ${servingSecs.toFixed(1)} s, /healthz ok with ${indexedEvents} events ${okSecs.toFixed(1)} s; heap ${mib(caughtUp.heapUsed)}, RSS ${mib(caughtUp.rss)}`,
    );
    const apiPid = api.proc.pid!;
    /** A load, with the CPU the API, the load generator and the validator spent meanwhile. */
    const measured = async (
      load: Omit<LoadOptions, "url" | "connections" | "secs">,
    ): Promise<Measured> => {
      let a0 = 0;
      let v0 = 0;
      let w0 = 0;
      // The route's name as the API's metrics label it.
      const route = load.walletsFile
        ? "/api/stakers/:wallet"
        : load.paths[0].replace(/^\/api\/stakers\/[^/]+/, "/api/stakers/:wallet");
      const before = await routeHistogram(url, route);
      const result = await childResult<LoadResult>(
        "load",
        { url, connections: opts.connections, secs: opts.secs, ...load },
        () => {
          a0 = processUsage(apiPid).cpuSecs;
          v0 = processUsage(pid).cpuSecs;
          w0 = Date.now();
        },
      );
      const after = await routeHistogram(url, route);
      const delta = (le: string) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
      const server: ServerTiming = {
        requests: delta("+Inf"),
        atMost: [...after.keys()]
          .filter((le) => le !== "+Inf")
          .map((le): [number, number] => [Number(le) * 1000, delta(le)]),
      };
      const within = (pauses: GcPause[]) => pauses.filter((p) => p.at >= w0);
      progress(
        `  ${store}: ${load.walletsFile ? "a random staker" : load.paths[0]}` +
          `${load.rate ? ` at ${load.rate} req/s (the generator's ticks late by ${ms(result.lateP99 ?? 0)} at p99, ${ms(result.lateMax ?? 0)} at worst)` : ""}: ` +
          `${num(result.rps)} req/s, p50 ${ms(result.p50)}, ` +
          `p99 ${ms(result.p99)}, worst ${ms(result.max)}; collections of ${GC_PAUSE_MS} ms or more ` +
          `meanwhile: ${gcSummary(within(api.gcPauses))}; event loop stalls: ${gcSummary(within(api.stalls))}; ` +
          `the API's own timing: p99 ${serverP99(server)} (${server.atMost.map(([ms, n]) => `${ms} ms ${n}`).join(", ")} of ${server.requests})`,
      );
      return {
        result,
        server,
        secs: (Date.now() - w0) / 1000,
        cpu: {
          api: processUsage(apiPid).cpuSecs - a0,
          load: result.cpuSecs,
          validator: processUsage(pid).cpuSecs - v0,
        },
      };
    };
    const pick = random(7);
    const histories = Array.from(
      { length: 1_000 },
      () => `/api/stakers/${walletAt(walletsFile, Math.floor(pick() * opts.stakers))}/history`,
    );
    const treasury = await measured({ paths: ["/api/treasury"] });
    const staker = await measured({ paths: [], walletsFile });
    const crowd = {
      treasury: await measured({ paths: ["/api/treasury"], rate: opts.rate }),
      staker: await measured({ paths: [], walletsFile, rate: opts.rate }),
    };
    const history = (await measured({ paths: ["/api/treasury/history"] })).result;
    const stakerHistory = (await measured({ paths: histories })).result;
    progress(`  ${store}: loads done; one request at a time over ${opts.probeSecs} s, each route`);
    const probesFrom = Date.now();
    const worst = {
      treasury: await childResult<ProbeResult>("probe", {
        url,
        paths: ["/api/treasury"],
        secs: opts.probeSecs,
      }),
      staker: await childResult<ProbeResult>("probe", {
        url,
        paths: [],
        walletsFile,
        secs: opts.probeSecs,
      }),
    };
    const probeLoad = loadAverage();
    const during = (pauses: GcPause[]) =>
      pauses.filter((p) => p.at >= probesFrom && p.at <= Date.now());
    const probeGc = during(api.gcPauses);
    const probeStalls = during(api.stalls);
    progress(
      `  ${store}: one at a time: worst ${ms(worst.treasury.worstMs)} and ${ms(worst.staker.worstMs)}; ` +
        `collections of ${GC_PAUSE_MS} ms or more meanwhile: ${gcSummary(probeGc)}; ` +
        `event loop stalls: ${gcSummary(probeStalls)}; load ${probeLoad}`,
    );

    // Live deposits with the API following, then how long the last takes to be indexed.
    const { connection } = validator;
    const { program, accounts, authority } = economy;
    const source = getAssociatedTokenAddressSync(accounts.usdcMint, authority.publicKey);
    const before = processUsage(pid);
    const deposits = LIVE_DEPOSITS;
    const d0 = Date.now();
    await inParallel(
      Array.from({ length: deposits }, (_, i) => i),
      4,
      async (i) => {
        await sendAndConfirm(
          connection,
          [
            await depositRevenueIx(program, accounts, {
              payer: authority.publicKey,
              source,
              amount: USDC + BigInt(i),
            }),
          ],
          { keypairs: [authority] },
        );
      },
    );
    const perSec = deposits / ((Date.now() - d0) / 1000);
    const cpuMsPerTx = ((processUsage(pid).cpuSecs - before.cpuSecs) * 1000) / deposits;
    const last = await sendAndConfirm(
      connection,
      [
        await depositRevenueIx(program, accounts, {
          payer: authority.publicKey,
          source,
          amount: 7n * USDC,
        }),
      ],
      { keypairs: [authority] },
    );
    const l0 = Date.now();
    while ((await health(url))?.indexer.lastSignature !== last) await sleep(2);
    const lagMs = Date.now() - l0;
    return {
      store,
      heapMib,
      loadedSecs,
      listeningSecs,
      servingSecs,
      okSecs,
      indexedEvents,
      expectedEvents,
      memory: { listening, serving, caughtUp },
      fullRead: api.fullRead,
      servingLoad,
      loads: {
        treasury,
        staker,
        crowd,
        worst,
        probeGc,
        probeStalls,
        probeLoad,
        history,
        stakerHistory,
        deposits: { perSec, lagMs, cpuMsPerTx },
        afterLoads: await api.memory(),
      },
    };
  } finally {
    await api.stop();
  }
}

/** The collections' count, by kind, and the longest. */
function gcSummary(pauses: GcPause[]): string {
  if (pauses.length === 0) return "none";
  const kinds = new Map<string, number>();
  for (const p of pauses) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
  const longest = pauses.reduce((a, b) => (b.ms > a.ms ? b : a));
  const counts = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ");
  return `${counts}; longest ${ms(longest.ms)} (${longest.kind})`;
}

/** Owner `i`'s address from the owners' file (32 bytes each). */
function walletAt(file: string, i: number): string {
  const bytes = Buffer.alloc(32);
  const fd = openSync(file, "r");
  try {
    readSync(fd, bytes, 0, 32, 32 * i);
  } finally {
    closeSync(fd);
  }
  return new PublicKey(bytes).toBase58();
}

// ---------------------------------------------------------------------------------- table

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;
const num = (v: number) => Math.round(v).toLocaleString("en-US");
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const opts = options();
  progress(
    `${opts.stakers} stakers, ${opts.events} events; validator ${validatorBinary()}; load average ${loadAverage()}`,
  );
  const economy = await startLocalEconomy({
    simulate: false,
    crank: false,
    api: false,
    allowProgramStateWrites: true,
    progress: (line) => progress(line),
  });
  const pg: TestPostgres[] = [];
  const dir = mkdtempSync(join(tmpdir(), "ashao-bench-"));
  // Where the harness's time went, stage by stage.
  const stages: string[] = [];
  let mark = started;
  const stage = (name: string) => {
    stages.push(`${name} ${((Date.now() - mark) / 1000).toFixed(0)} s`);
    mark = Date.now();
  };
  stage("the validator's start");
  try {
    const pid = economy.validator.pid!;
    const s0 = Date.now();
    const seeded = await seedPositions(economy, opts.stakers, { validatorPid: pid, progress });
    const seedSecs = (Date.now() - s0) / 1000;
    progress(
      `seeded in ${seedSecs.toFixed(1)} s (deriving ${seeded.deriveSecs.toFixed(1)} s here, waiting for the validator ${seeded.writeWaitSecs.toFixed(1)} s); ${seeded.bytesPerPosition.toFixed(0)} bytes of memory per position beyond its bytes; validator RSS ${mib(processUsage(pid).rssBytes)}`,
    );
    // The owners for the load generator, which draws one at random for every request.
    const walletsFile = join(dir, "owners.bin");
    const owners = Buffer.alloc(32 * seeded.count);
    for (let i = 0; i < seeded.count; i++)
      seeded
        .owner(i)
        .toBuffer()
        .copy(owners, 32 * i);
    writeFileSync(walletsFile, owners);
    stage("seeding");
    if (opts.stakers <= ONE_REQUEST_MAX) progress(`books: ${await checkBooks(economy)}`);
    stage("the books checked");

    const stakeTxs = Math.min(20_000, Math.max(2_000, opts.events));
    progress(`${stakeTxs} stake transactions from ${opts.clients} clients`);
    const throughput = await stakeThroughput(economy, seeded.active, stakeTxs, opts.clients, pid);
    progress(
      `  ${num(throughput.perSec)} tx/s, ${throughput.cpuMsPerTx.toFixed(2)} ms CPU each, ${throughput.landed} landed; validator RSS ${mib(processUsage(pid).rssBytes)}`,
    );
    stage("stake throughput");

    progress(`making ${opts.events} events over ${HISTORY_HOURS} hours of the chain's clock`);
    const history = await makeHistory(economy, seeded.active, opts.events, opts.clients);
    // Each landed transaction emitted one event.
    const transactions = history.events + throughput.landed;
    progress(
      `  ${history.events} events by ${history.transactions} transactions in ${history.secs.toFixed(0)} s (${history.refused} refused); validator RSS ${mib(processUsage(pid).rssBytes)}`,
    );
    stage("the history");
    if (opts.stakers <= ONE_REQUEST_MAX) progress(`books: ${await checkBooks(economy)}`);
    stage("the books checked");

    // Every position as the API reads it (its requests, the SDK's decoder), with the validator's
    // CPU; in one request too where its answer fits in a JavaScript string.
    const gpa = async (sharded: boolean) => {
      const v0 = processUsage(pid).cpuSecs;
      const g0 = Date.now();
      let count = 0;
      const requests = await readPositions(economy, sharded, () => count++);
      return {
        ms: Date.now() - g0,
        count,
        requests,
        validatorSecs: processUsage(pid).cpuSecs - v0,
      };
    };
    const gpaSharded = await gpa(true);
    const gpaOne = opts.stakers <= ONE_REQUEST_MAX ? await gpa(false) : undefined;
    stage("`getProgramAccounts`");

    // Every treasury event on chain: initialisation, the stakes above and the history.
    let expectedEvents = 1 + throughput.landed + history.events;
    const apis: ApiFigures[] = [];
    for (const store of opts.stores) {
      let database = store;
      if (store === "sqlite") database = `sqlite:${join(dir, `events-${apis.length}.sqlite`)}`;
      if (store === "postgres") {
        pg.push(await startPostgres());
        database = pg[pg.length - 1].url;
      }
      progress(`the API on ${store}${opts.pinApi ? `, on CPU ${API_CPU} alone` : ""}`);
      if (opts.pinApi) for (const p of [process.pid, pid]) pinProcess(p, OTHER_CPUS);
      try {
        apis.push(
          await measureApi(economy, store, database, walletsFile, expectedEvents, opts, pid),
        );
      } finally {
        if (opts.pinApi) for (const p of [process.pid, pid]) pinProcess(p, ALL_CPUS);
      }
      // The live deposits and the last one measured for the lag.
      expectedEvents += LIVE_DEPOSITS + 1;
      stage(`the API on ${store}`);
    }
    const end = processUsage(pid);
    const books = await checkBooks(economy);
    stage("the books checked");

    const rows: [string, ...string[]][] = [];
    const row = (name: string, f: (a: ApiFigures) => string) => rows.push([name, ...apis.map(f)]);
    const loads = (f: (l: ApiLoads) => string) => (a: ApiFigures) => f(a.loads!);
    const failed = (l: LoadResult) =>
      l.errors + l.non2xx > 0 ? ` (${num(l.errors + l.non2xx)} failed)` : "";
    const load = (l: LoadResult) => `${num(l.rps)} req/s, p99 ${ms(l.p99)}${failed(l)}`;
    const cpu = (m: Measured) =>
      `CPU over ${m.secs.toFixed(0)} s: API ${m.cpu.api.toFixed(1)} s, load generator ${m.cpu.load.toFixed(1)} s, validator ${m.cpu.validator.toFixed(1)} s`;
    const same = (text: string) => () => text;
    const perPosition = (a: ApiFigures) =>
      (a.memory.serving.heapUsed - a.memory.listening.heapUsed) / opts.stakers;
    const perEvent = (a: ApiFigures) =>
      (a.memory.caughtUp.heapUsed - a.memory.serving.heapUsed) /
      Math.max(1, a.indexedEvents - a.memory.serving.events);
    const under = (m: Measured) =>
      `${num(m.result.rps)} req/s; p50 ${ms(m.result.p50)}, p99 ${ms(m.result.p99)}, worst ${ms(m.result.max)}${failed(m.result)}; the API's own p99 ${serverP99(m.server)} (${cpu(m)})`;
    const atPace = (m: Measured) =>
      `${under(m)}; the generator's own ticks late by ${ms(m.result.lateP99 ?? 0)} at p99, ${ms(m.result.lateMax ?? 0)} at worst`;
    const alone = (p: ProbeResult) =>
      `p50 ${ms(p.p50Ms)}, p99 ${ms(p.p99Ms)}, worst ${ms(p.worstMs)} (${num(p.requests)} requests${p.failures > 0 ? `, ${p.failures} failed` : ""})`;
    row(
      `\`/api/treasury\` under load (${opts.connections} connections, ${opts.secs} s): req/s; p50, p99, worst`,
      loads((l) => under(l.treasury)),
    );
    row(
      `\`/api/stakers/:wallet\` under load, a random owner of all ${num(opts.stakers)} per request: req/s; p50, p99, worst`,
      loads((l) => under(l.staker)),
    );
    row(
      `\`/api/treasury\` at a crowd's pace, ${num(opts.rate)} req/s sent on time whatever the answers' pace (at most ${opts.connections} connections; latency from each request's hand-off), ${opts.secs} s: req/s; p50, p99, worst`,
      loads((l) => atPace(l.crowd.treasury)),
    );
    row(
      `\`/api/stakers/:wallet\` at a crowd's pace, ${num(opts.rate)} req/s, a random owner each: req/s; p50, p99, worst`,
      loads((l) => atPace(l.crowd.staker)),
    );
    row(
      `\`/api/treasury\` one request at a time over ${opts.probeSecs} s (the consistency checks run every second)`,
      loads((l) => alone(l.worst.treasury)),
    );
    row(
      `\`/api/stakers/:wallet\` one request at a time over ${opts.probeSecs} s, a random owner each`,
      loads((l) => alone(l.worst.staker)),
    );
    row(
      `the API during the one-at-a-time requests: its collections of ${GC_PAUSE_MS} ms or more; its event loop's stalls as long (any cause); load average after`,
      loads((l) => `${gcSummary(l.probeGc)}; ${gcSummary(l.probeStalls)}; ${l.probeLoad}`),
    );
    row(
      "`/api/treasury/history` (24 h, 1 h buckets) req/s, p50, p99",
      loads(
        (l) => `${num(l.history.rps)} req/s, p50 ${ms(l.history.p50)}, p99 ${ms(l.history.p99)}`,
      ),
    );
    row(
      "`/api/stakers/:wallet/history` req/s, p99",
      loads((l) => load(l.stakerHistory)),
    );
    row(
      "API start-up (empty store), from the call of `startApiServer`: listening; serving from its snapshot; `/healthz` ok, every event indexed (loading the modules before the call)",
      (a) =>
        `${a.listeningSecs.toFixed(2)} s; ${a.servingSecs.toFixed(1)} s; ${a.okSecs.toFixed(1)} s (${a.loadedSecs.toFixed(1)} s)`,
    );
    row(
      "the snapshot's first read of every position: requests; in all; waiting for the node and the worker's parsing; decoding and merging on the event loop (load average when serving)",
      (a) =>
        a.fullRead
          ? `${a.fullRead.requests}; ${(a.fullRead.ms / 1000).toFixed(1)} s; ${(a.fullRead.waitMs / 1000).toFixed(1)} s; ${(a.fullRead.mergeMs / 1000).toFixed(1)} s (${a.servingLoad})`
          : "not read",
    );
    row(
      "indexer catch-up from empty, events/s",
      (a) =>
        `${num(a.indexedEvents / (a.okSecs - a.servingSecs))} (${num(a.indexedEvents)} in ${(a.okSecs - a.servingSecs).toFixed(1)} s)`,
    );
    row(
      "API memory (RSS; heap after a collection): listening; serving; caught up; after the loads",
      (a) =>
        [a.memory.listening, a.memory.serving, a.memory.caughtUp, a.loads!.afterLoads]
          .map((m) => `${mib(m.rss)} (${mib(m.heapUsed)})`)
          .join("; "),
    );
    row(
      "API heap per position; per indexed event (kept after the catch-up)",
      (a) => `${num(perPosition(a))} B; ${num(perEvent(a))} B`,
    );
    row("API run with `--max-old-space-size`", (a) => `${num(a.heapMib)} MiB: started and served`);
    row(
      "live deposits/s with the API following; indexed lag after the last",
      loads((l) => `${num(l.deposits.perSec)}; ${ms(l.deposits.lagMs)}`),
    );
    row(
      "validator CPU per deposit transaction (API following)",
      loads((l) => ms(l.deposits.cpuMsPerTx)),
    );
    row(
      `validator: stake transactions/s from ${opts.clients} clients; CPU per transaction`,
      same(`${num(throughput.perSec)}; ${throughput.cpuMsPerTx.toFixed(2)} ms`),
    );
    row("validator RSS at end", same(mib(end.rssBytes)));
    row(
      "validator memory per position beyond its bytes; per transaction landed",
      same(`${num(seeded.bytesPerPosition)} B; ${num(throughput.bytesPerTx)} B`),
    );
    row(
      "`getProgramAccounts` every position, read and decoded: 256 shards (as the API reads them); one request",
      same(
        `${num(gpaSharded.ms)} ms (${num(gpaSharded.count)}, validator CPU ${gpaSharded.validatorSecs.toFixed(1)} s); ` +
          (gpaOne
            ? `${num(gpaOne.ms)} ms (validator CPU ${gpaOne.validatorSecs.toFixed(1)} s)`
            : "not made: its answer is over 400 MB"),
      ),
    );
    row(
      "seeding: positions by `localnet_setAccounts` (deriving here; waiting for the validator); history by transactions",
      same(
        `${seedSecs.toFixed(1)} s (${seeded.deriveSecs.toFixed(1)} s; ${seeded.writeWaitSecs.toFixed(1)} s); ${history.secs.toFixed(0)} s (${num(transactions)} tx)`,
      ),
    );
    row("books (config totals = positions, vaults, supply)", same("balanced"));
    row(`the harness's ${((Date.now() - started) / 1000).toFixed(0)} s`, same(stages.join("; ")));

    const header = [
      "figure",
      ...apis.map((a) => `${num(opts.stakers)} stakers, ${num(history.events)} events, ${a.store}`),
    ];
    const date = new Date().toISOString().slice(0, 10);
    console.log(
      `Scale run ${date}: ${cpus().length} cores, load average ${loadAverage()} at the end, validator ${validatorBinary()}; ${books}`,
    );
    console.log("");
    console.log(`| ${header.join(" | ")} |`);
    console.log(`|${header.map(() => "---").join("|")}|`);
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  } finally {
    for (const p of pg) await p.stop();
    await economy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
