/**
 * Scale harness (prints figures; not a test): `npm run bench:scale -- --stakers N --events M`.
 *
 * Brings up the local economy (validator, mints, treasury, pool, price feed) and gives it N stake
 * positions and M historical treasury events, then measures it from the outside:
 *  1. Positions: real StakePosition bytes for N owners, written with `localnet_setAccounts` (the
 *     validator runs with `--allow-program-state-writes`), the TreasuryConfig's totals, the stake
 *     vault and the $ASHAO mint's supply moved to match, so the books hold as if every position
 *     had been staked by a transaction. The first stakers also get a wallet and token accounts.
 *  2. The validator's throughput: pre-signed stake transactions from those stakers sent by
 *     concurrent clients (JSON-RPC with preflight), and its CPU per transaction.
 *  3. History: M events by real transactions (deposits, stakes, unstake requests, claims, and a
 *     crank buyback each hour), spread over 26 hours of the chain's clock.
 *  4. The books, checked: the config's totals equal the sum of the positions, the stake vault holds
 *     them, each USDC vault what it owes, the split's identities, the mint's supply its accounts.
 *  5. For each store: the API (its public start function, in its own process) from an empty store
 *     to /healthz ok and to every event indexed, then loads by autocannon in another process,
 *     the worst single request over 65 s, live deposits with the API following and its lag.
 * Progress goes to stderr; stdout gets one Markdown table.
 *
 * Options: --stakers N (1000), --events M (as many as stakers), --store sqlite|postgres|<url>
 * (repeatable; default sqlite: a fresh file, the CLI's default kind), --secs S (10, per load),
 * --connections C (20, per load), --clients K (32, concurrent senders).
 */
import { ChildProcess, spawn } from "child_process";
import { mkdtempSync } from "fs";
import { cpus, tmpdir } from "os";
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
  depositRevenueIx,
  fetchAllStakePositions,
  fetchTreasuryOrThrow,
  requestUnstakeIx,
  sendAndConfirm,
  solvencyReport,
  stakeIx,
} from "../app/sdk/src";
import { startPostgres, type TestPostgres } from "../tests/utils/postgres";
import { fundedRevenueSource, inParallel, sendRaw } from "../tests/utils/raw-send";
import {
  processUsage,
  random,
  type SeededPositions,
  seedPositions,
  type Staker,
} from "../tests/utils/seed-positions";
import type {
  ApiChildOptions,
  LoadOptions,
  LoadResult,
  ProbeOptions,
  ProbeResult,
} from "./bench-scale-child";

const ASHAO = 1_000_000_000n;
const USDC = 1_000_000n;
/** Deposits sent with the API following, for its lag. */
const LIVE_DEPOSITS = 200;
/** Hours of the chain's clock the history is spread over (the history view shows 24). */
const HISTORY_HOURS = 26;
const CHILD = join(__dirname, "bench-scale-child.ts");
const TS_NODE = join(__dirname, "../node_modules/.bin/ts-node");
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
  /** How long the API may take to serve every event before its figures are given up. */
  indexMinutes: number;
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
      "index-minutes": { type: "string", default: "30" },
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
    indexMinutes: count("index-minutes", values["index-minutes"], 1),
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
  const positions = await fetchAllStakePositions(program);
  const sum = (f: (p: (typeof positions)[number]) => bigint) =>
    positions.reduce((total, p) => total + f(p), 0n);
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
    ["total staked = sum of positions", state.totalStaked, sum((p) => p.staked)],
    ["total unstaking = sum of positions", state.totalUnstaking, sum((p) => p.unstaking)],
    [
      "stakers = positions staking",
      state.stakerCount,
      positions.filter((p) => p.staked > 0n).length,
    ],
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
  return `${positions.length} positions, ${state.totalStaked / ASHAO} $ASHAO staked, revenue ${state.totalRevenue / USDC} USDC: all ${checks.length} checks hold`;
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

/** Pre-signed stake transactions from the active stakers, sent by `clients` at once. */
async function stakeThroughput(
  economy: LocalEconomy,
  active: Staker[],
  count: number,
  clients: number,
  pid: number,
): Promise<Throughput> {
  const { connection, rpcUrl } = economy.validator;
  const { blockhash } = await connection.getLatestBlockhash("confirmed");
  const txs: VersionedTransaction[] = [];
  for (let i = 0; i < count; i++) {
    const staker = active[i % active.length];
    const ix = await stakeIx(economy.program, economy.accounts, {
      owner: staker.keypair.publicKey,
      ownerAshao: staker.ashao,
      amount: ASHAO + BigInt(i),
    });
    txs.push(signed([ix], blockhash, [staker.keypair]));
  }
  let landed = 0;
  let sent = 0;
  // Memory per transaction over the second half, once every client's connection and thread
  // exists: the ledger's slope, not the first allocations.
  let half: number | undefined;
  const before = processUsage(pid);
  const t0 = process.hrtime.bigint();
  await inParallel(txs, clients, async (tx) => {
    if ("signature" in (await sendRaw(rpcUrl, tx))) landed++;
    if (++sent === Math.floor(count / 2)) half = processUsage(pid).rssBytes;
  });
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

interface ApiFigures {
  store: string;
  startupSecs: number;
  indexedSecs: number;
  indexedEvents: number;
  /** The treasury's events on chain when this store was measured. */
  expectedEvents: number;
  /** Absent when the API did not serve every event within `--index-minutes`. */
  loads?: ApiLoads;
}

interface ApiLoads {
  treasury: LoadResult;
  staker: LoadResult;
  worst: ProbeResult;
  history: LoadResult;
  stakerHistory: LoadResult;
  deposits: { perSec: number; lagMs: number; cpuMsPerTx: number };
  apiRssBytes: number;
}

function child(mode: string, json: object): ChildProcess {
  return spawn(TS_NODE, ["--transpile-only", CHILD, mode, JSON.stringify(json)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
}

function childResult<T>(mode: "load" | "probe", json: LoadOptions | ProbeOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = child(mode, json);
    let out = "";
    proc.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${mode} exited ${code}`)),
    );
  });
}

interface Health {
  status: string;
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

async function measureApi(
  economy: LocalEconomy,
  store: string,
  database: string,
  seeded: SeededPositions,
  expectedEvents: number,
  opts: Options,
  pid: number,
): Promise<ApiFigures> {
  const { validator } = economy;
  const t0 = Date.now();
  const deadline = t0 + opts.indexMinutes * 60_000;
  const gaveUp = (indexedEvents: number): ApiFigures => {
    progress(`  ${store}: not serving every event after ${opts.indexMinutes} min; no loads`);
    return {
      store,
      startupSecs: Number.NaN,
      indexedSecs: Number.NaN,
      indexedEvents,
      expectedEvents,
    };
  };
  const api = child("api", {
    rpcUrl: validator.rpcUrl,
    wsUrl: validator.wsUrl,
    database,
  } satisfies ApiChildOptions);
  try {
    const url = await new Promise<string | null>((resolve, reject) => {
      const timer = setTimeout(() => resolve(null), deadline - Date.now());
      createInterface({ input: api.stdout! }).on("line", (line) => {
        const match = /^listening (\S+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      api.once("exit", (code) => reject(new Error(`the API exited ${code} before it served`)));
    });
    if (url === null) return gaveUp(0);
    let startupSecs = 0;
    let indexedSecs = 0;
    let indexedEvents = 0;
    for (;;) {
      const h = await health(url);
      if (h?.status === "ok" && startupSecs === 0) startupSecs = (Date.now() - t0) / 1000;
      indexedEvents = h?.indexer.events ?? 0;
      if (h?.status === "ok" && indexedEvents >= expectedEvents) {
        indexedSecs = (Date.now() - t0) / 1000;
        break;
      }
      if (Date.now() > deadline) return gaveUp(indexedEvents);
      await sleep(20);
    }
    if (indexedEvents !== expectedEvents) {
      throw new Error(`the indexer holds ${indexedEvents} events, the chain ${expectedEvents}`);
    }
    progress(
      `  ${store}: healthy in ${startupSecs.toFixed(1)} s, ${indexedEvents} events indexed in ${indexedSecs.toFixed(1)} s`,
    );
    const load = (paths: string[]) =>
      childResult<LoadResult>("load", {
        url,
        paths,
        connections: opts.connections,
        secs: opts.secs,
      });
    const pick = random(7);
    const wallets = Array.from({ length: 1_000 }, () =>
      seeded.owner(Math.floor(pick() * seeded.count)).toBase58(),
    );
    const treasury = await load(["/api/treasury"]);
    const staker = await load(wallets.map((w) => `/api/stakers/${w}`));
    const history = await load(["/api/treasury/history"]);
    const stakerHistory = await load(wallets.map((w) => `/api/stakers/${w}/history`));
    progress(`  ${store}: loads done; the worst single /api/treasury over 65 s`);
    const worst = await childResult<ProbeResult>("probe", { url, path: "/api/treasury", secs: 65 });

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
      startupSecs,
      indexedSecs,
      indexedEvents,
      expectedEvents,
      loads: {
        treasury,
        staker,
        worst,
        history,
        stakerHistory,
        deposits: { perSec, lagMs, cpuMsPerTx },
        apiRssBytes: processUsage(api.pid!).rssBytes,
      },
    };
  } finally {
    api.kill("SIGTERM");
    await new Promise((resolve) =>
      api.exitCode !== null ? resolve(null) : api.once("exit", resolve),
    );
  }
}

// ---------------------------------------------------------------------------------- table

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;
const num = (v: number) => Math.round(v).toLocaleString("en-US");
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const opts = options();
  progress(`${opts.stakers} stakers, ${opts.events} events; validator ${validatorBinary()}`);
  const economy = await startLocalEconomy({
    simulate: false,
    crank: false,
    api: false,
    allowProgramStateWrites: true,
    progress: (line) => progress(line),
  });
  const pg: TestPostgres[] = [];
  try {
    const pid = economy.validator.pid!;
    const s0 = Date.now();
    const seeded = await seedPositions(economy, opts.stakers, { validatorPid: pid, progress });
    const seedSecs = (Date.now() - s0) / 1000;
    progress(
      `seeded in ${seedSecs.toFixed(1)} s; ${seeded.bytesPerPosition.toFixed(0)} bytes of memory per position beyond its bytes; validator RSS ${mib(processUsage(pid).rssBytes)}`,
    );
    progress(`books: ${await checkBooks(economy)}`);

    const stakeTxs = Math.min(20_000, Math.max(2_000, opts.events));
    progress(`${stakeTxs} pre-signed stake transactions from ${opts.clients} clients`);
    const throughput = await stakeThroughput(economy, seeded.active, stakeTxs, opts.clients, pid);
    progress(
      `  ${num(throughput.perSec)} tx/s, ${throughput.cpuMsPerTx.toFixed(2)} ms CPU each, ${throughput.landed} landed; validator RSS ${mib(processUsage(pid).rssBytes)}`,
    );

    progress(`making ${opts.events} events over ${HISTORY_HOURS} hours of the chain's clock`);
    const history = await makeHistory(economy, seeded.active, opts.events, opts.clients);
    // Each landed transaction emitted one event.
    const transactions = history.events + throughput.landed;
    progress(
      `  ${history.events} events by ${history.transactions} transactions in ${history.secs.toFixed(0)} s (${history.refused} refused); validator RSS ${mib(processUsage(pid).rssBytes)}`,
    );
    progress(`books: ${await checkBooks(economy)}`);

    // All positions as the SDK reads them (one raw request, each position decoded to its state),
    // and the validator's part alone: the same request, its JSON only parsed.
    const g0 = Date.now();
    const positions = await fetchAllStakePositions(economy.program);
    const gpaMs = Date.now() - g0;
    const r0 = Date.now();
    const raw = await fetch(economy.validator.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "getProgramAccounts",
        params: [
          economy.program.programId.toBase58(),
          {
            encoding: "base64",
            filters: [{ dataSize: economy.program.account.stakePosition.size }],
          },
        ],
      }),
    });
    const rawCount = ((await raw.json()) as { result: unknown[] }).result.length;
    const gpaRawMs = Date.now() - r0;

    // Every treasury event on chain: initialisation, the stakes above and the history.
    let expectedEvents = 1 + throughput.landed + history.events;
    const apis: ApiFigures[] = [];
    for (const store of opts.stores) {
      let database = store;
      if (store === "sqlite")
        database = `sqlite:${join(mkdtempSync(join(tmpdir(), "ashao-bench-")), "events.sqlite")}`;
      if (store === "postgres") {
        pg.push(await startPostgres());
        database = pg[pg.length - 1].url;
      }
      progress(`the API on ${store}`);
      apis.push(await measureApi(economy, store, database, seeded, expectedEvents, opts, pid));
      // The live deposits and the last one measured for the lag.
      if (apis[apis.length - 1].loads) expectedEvents += LIVE_DEPOSITS + 1;
    }
    const end = processUsage(pid);
    const books = await checkBooks(economy);

    const rows: [string, ...string[]][] = [];
    const row = (name: string, f: (a: ApiFigures) => string) => rows.push([name, ...apis.map(f)]);
    // A store whose API did not serve every event in time has no load figures.
    const served = (f: (l: ApiLoads) => string) => (a: ApiFigures) =>
      a.loads ? f(a.loads) : `not serving after ${opts.indexMinutes} min`;
    const load = (l: LoadResult) =>
      `${num(l.rps)} req/s, p99 ${ms(l.p99)}${l.errors + l.non2xx > 0 ? ` (${l.errors + l.non2xx} failed)` : ""}`;
    const same = (text: string) => () => text;
    row(
      "`/api/treasury` req/s, p99",
      served((l) => load(l.treasury)),
    );
    row(
      "`/api/stakers/:wallet` req/s, p99 (1,000 wallets)",
      served((l) => load(l.staker)),
    );
    row(
      "worst single `/api/treasury` over 65 s (the consistency checks run every second)",
      served((l) => ms(l.worst.worstMs)),
    );
    row(
      "`/api/treasury/history` (24 h, 1 h buckets) req/s, p50, p99",
      served(
        (l) => `${num(l.history.rps)} req/s, p50 ${ms(l.history.p50)}, p99 ${ms(l.history.p99)}`,
      ),
    );
    row(
      "`/api/stakers/:wallet/history` req/s, p99",
      served((l) => load(l.stakerHistory)),
    );
    row("indexer catch-up from empty, events/s", (a) =>
      a.loads
        ? `${num(a.indexedEvents / a.indexedSecs)} (${num(a.indexedEvents)} in ${a.indexedSecs.toFixed(1)} s)`
        : `under ${num(a.expectedEvents / (opts.indexMinutes * 60))} (not all ${num(a.expectedEvents)} in ${opts.indexMinutes} min)`,
    );
    row(
      "live deposits/s with the API following; indexed lag after the last",
      served((l) => `${num(l.deposits.perSec)}; ${ms(l.deposits.lagMs)}`),
    );
    row(
      "validator CPU per deposit transaction (API following)",
      served((l) => ms(l.deposits.cpuMsPerTx)),
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
      "`getProgramAccounts` all positions: the validator's answer (JSON parsed); the SDK's `fetchAllStakePositions`",
      same(`${num(gpaRawMs)} ms (${num(rawCount)}); ${num(gpaMs)} ms (${num(positions.length)})`),
    );
    row("API start-up to `/healthz` ok (empty store)", (a) =>
      a.loads ? `${a.startupSecs.toFixed(1)} s` : `over ${opts.indexMinutes} min`,
    );
    row(
      "API RSS after the loads",
      served((l) => mib(l.apiRssBytes)),
    );
    row(
      "seeding: positions by `localnet_setAccounts`; history by transactions",
      same(`${seedSecs.toFixed(1)} s; ${history.secs.toFixed(0)} s (${num(transactions)} tx)`),
    );
    row("books (config totals = positions, vaults, supply)", same("balanced"));

    const header = [
      "figure",
      ...apis.map((a) => `${num(opts.stakers)} stakers, ${num(history.events)} events, ${a.store}`),
    ];
    const date = new Date().toISOString().slice(0, 10);
    console.log(
      `Scale run ${date}: ${cpus().length} cores, validator ${validatorBinary()}; ${books}`,
    );
    console.log("");
    console.log(`| ${header.join(" | ")} |`);
    console.log(`|${header.map(() => "---").join("|")}|`);
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  } finally {
    for (const p of pg) await p.stop();
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
