/**
 * Store benchmark (prints figures; not a test): `npm run bench:store -- [--events N] [--days D]
 * [--store sqlite|postgres]...`.
 *
 * Fills a fresh store with N realistic treasury event rows (default 1,000,000) over D days of
 * chain time (default 365): deposits, stakes, unstake requests, withdrawals, claims from 10,000
 * owners, a buyback each hour, their fields as the indexer stores them and their stream and stake
 * fields moved with the program's reward math. The rows go in through the store's own `insert`
 * in batches of 100 transactions' events, as the indexer writes them, with the yield tracker fed
 * each row as the API's indexer feeds it (so its daily checkpoints are saved); they are NOT made
 * by transactions (`npm run bench:scale` does that, at a few thousand events a second, and this
 * measures the store alone). Then it times:
 *  - the insert rate (time spent in `insert` only, the generator excluded);
 *  - `/api/treasury/history`'s work (the store's totals plus building the points) for the
 *    dashboard's shapes: 24 h by 1 h, the 7 d and 30 d ranges, all of history by day, and the
 *    largest query allowed (2,000 points of 1 m), each at random ends over the history;
 *  - the yield's start-up (`YieldTracker.load`: from its checkpoint) against a replay of every
 *    event.
 * PostgreSQL is a throwaway server (Debian's, as the tests use). Prints one Markdown table.
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { performance } from "perf_hooks";
import { parseArgs } from "util";

import { Keypair } from "@solana/web3.js";

import { buildHistory, historyTimes } from "../app/server/src/history";
import { openEventStore, type StoredEvent } from "../app/server/src/store/store";
import { YieldTracker } from "../app/server/src/yield";
import { accrue, REWARD_EVENTS, type RewardStream, splitRevenue } from "../app/sdk/src";
import { startPostgres, type TestPostgres } from "../tests/utils/postgres";

const HOUR = 3_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
const STREAM_PERIOD = 3_600n;
/** Events of 100 transactions, the indexer's batch (a deposit or a stake is one event). */
const BATCH = 100;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** A deterministic pseudo-random source, so runs are comparable. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Realistic events in chain order, generated batch by batch. */
function* events(count: number, days: number): Generator<StoredEvent[]> {
  const rand = random(42);
  const owners = Array.from({ length: 10_000 }, () => Keypair.generate().publicKey.toBase58());
  const staked = new Map<string, bigint>();
  const start = 1_767_225_600; // 2026-01-01
  const spacing = (days * DAY) / count;
  let stream: RewardStream = {
    totalStaked: 0n,
    accRewardPerShare: 0n,
    rewardCarry: 0n,
    streamRemaining: 0n,
    streamEndTs: 0n,
    lastUpdateTs: BigInt(start),
    totalRewardsReleased: 0n,
  };
  let totals = { revenue: 0n, bucket: 0n, spent: 0n, burned: 0n, claimed: 0n, buybacks: 0n };
  let lastBuybackHour = -1;
  let batch: StoredEvent[] = [];
  for (let i = 0; i < count; i++) {
    const ts = Math.floor(start + i * spacing);
    const slot = 1_000 + i;
    const signature = `bench${i.toString(36).padStart(12, "0")}`;
    stream = accrue(stream, BigInt(ts)).stream;
    const owner = owners[Math.floor(rand() * owners.length)];
    const mine = staked.get(owner) ?? 0n;
    let name: string;
    let data: StoredEvent["data"];
    const common = { unixTimestamp: ts };
    const hour = Math.floor((ts - start) / HOUR);
    const roll = rand();
    if (i === 0) {
      name = "treasuryInitialized";
      data = {
        ...common,
        authority: owners[0],
        streamPeriodSecs: 3_600,
        unstakeCooldownSecs: 3_600,
      };
    } else if (hour > lastBuybackHour && totals.bucket > 0n) {
      lastBuybackHour = hour;
      const spent = totals.bucket < 1_000n * USDC ? totals.bucket : 1_000n * USDC;
      const burned = (spent * ASHAO) / (20n * USDC);
      totals = { ...totals, bucket: totals.bucket - spent, spent: totals.spent + spent };
      totals.burned += burned;
      totals.buybacks++;
      name = "buybackExecuted";
      data = {
        ...common,
        crank: owners[1],
        usdcSpent: spent.toString(),
        usdcReturned: "0",
        ashaoBurned: burned.toString(),
        priceUsdcPerAshao: "20000000",
        oraclePrice: "2000000000",
        oracleExponent: -8,
        oraclePublishTime: ts - 2,
        oraclePriceUsdcPerAshao: "20000000",
        oracleMinAshaoOut: ((burned * 99n) / 100n).toString(),
        buybackBucket: totals.bucket.toString(),
        totalBuybackUsdcSpent: totals.spent.toString(),
        totalAshaoBurned: totals.burned.toString(),
        buybackCount: totals.buybacks.toString(),
      };
    } else if (roll < 0.25) {
      const amount = BigInt(1 + Math.floor(rand() * 1_000)) * USDC;
      const { toBuyback, toStakers } = splitRevenue(amount);
      totals = { ...totals, revenue: totals.revenue + amount, bucket: totals.bucket + toBuyback };
      stream = {
        ...stream,
        streamRemaining: stream.streamRemaining + toStakers,
        streamEndTs: BigInt(ts) + STREAM_PERIOD,
      };
      name = "revenueDeposited";
      data = {
        ...common,
        source: "api",
        payer: owner,
        amount: amount.toString(),
        toBuyback: toBuyback.toString(),
        toStakers: toStakers.toString(),
        totalRevenue: totals.revenue.toString(),
        buybackBucket: totals.bucket.toString(),
        streamRemaining: stream.streamRemaining.toString(),
        streamEndTs: stream.streamEndTs.toString(),
        totalRewardsReleased: stream.totalRewardsReleased.toString(),
        totalStaked: stream.totalStaked.toString(),
      };
    } else if (roll < 0.6 || mine === 0n) {
      const amount = BigInt(1 + Math.floor(rand() * 10_000)) * ASHAO;
      staked.set(owner, mine + amount);
      stream = { ...stream, totalStaked: stream.totalStaked + amount };
      name = "staked";
      data = {
        ...common,
        owner,
        amount: amount.toString(),
        positionStaked: (mine + amount).toString(),
        positionUnstaking: "0",
        positionRewardsOwed: "0",
        totalStaked: stream.totalStaked.toString(),
        totalUnstaking: "0",
        stakerCount: staked.size,
        accRewardPerShare: stream.accRewardPerShare.toString(),
      };
    } else if (roll < 0.8) {
      const amount = mine / 2n + 1n;
      staked.set(owner, mine - amount);
      stream = { ...stream, totalStaked: stream.totalStaked - amount };
      name = "unstakeRequested";
      data = {
        ...common,
        owner,
        amount: amount.toString(),
        positionStaked: (mine - amount).toString(),
        positionUnstaking: amount.toString(),
        positionRewardsOwed: "0",
        availableAt: ts + 3_600,
        positionTickets: JSON.stringify([{ amount: amount.toString(), availableAt: ts + 3_600 }]),
        totalStaked: stream.totalStaked.toString(),
        totalUnstaking: amount.toString(),
        stakerCount: staked.size,
        accRewardPerShare: stream.accRewardPerShare.toString(),
      };
    } else {
      const amount = BigInt(Math.floor(rand() * 1_000_000));
      totals.claimed += amount;
      name = "rewardsClaimed";
      data = {
        ...common,
        owner,
        amount: amount.toString(),
        positionStaked: mine.toString(),
        positionTotalClaimed: amount.toString(),
        totalRewardsReleased: stream.totalRewardsReleased.toString(),
        totalRewardsClaimed: totals.claimed.toString(),
        streamRemaining: stream.streamRemaining.toString(),
        totalStaked: stream.totalStaked.toString(),
        accRewardPerShare: stream.accRewardPerShare.toString(),
      };
    }
    batch.push({ signature, index: 0, slot, ts, name, data });
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

interface Row {
  store: string;
  figure: string;
  value: string;
}

async function bench(kind: string, url: string, count: number, days: number): Promise<Row[]> {
  const rows: Row[] = [];
  const add = (figure: string, value: string) => {
    rows.push({ store: kind, figure, value });
    log(`${kind}: ${figure}: ${value}`);
  };
  const store = await openEventStore(url);
  const tracker = new YieldTracker();
  await tracker.load(store);
  let insertMs = 0;
  let inserted = 0;
  let first = 0;
  let last = 0;
  const fillStart = performance.now();
  for (const batch of events(count, days)) {
    const t0 = performance.now();
    const newest = batch[batch.length - 1];
    inserted += (await store.insert(batch, { signature: newest.signature, slot: newest.slot }))
      .length;
    insertMs += performance.now() - t0;
    for (const event of batch) tracker.apply(event);
    first ||= batch[0].ts;
    last = batch[batch.length - 1].ts;
    if (inserted % 100_000 < BATCH) {
      log(`${kind}: ${inserted} rows, ${Math.round((inserted / insertMs) * 1000)} rows/s`);
    }
  }
  add("rows inserted", `${inserted.toLocaleString("en")} over ${days} days`);
  add(
    "insert rate (in `insert`, batches of 100)",
    `${Math.round((inserted / insertMs) * 1000).toLocaleString("en")} events/s`,
  );
  add("fill wall time", `${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

  const rand = random(7);
  const shapes: [string, number, number][] = [
    ["24 h by 1 h", DAY, HOUR],
    ["7d range (by 1 h)", 7 * DAY, HOUR],
    ["30d range (by 6 h)", 30 * DAY, 6 * HOUR],
    ["all (by 1 d)", last - first + HOUR, DAY],
    ["2,000 points of 1 m", 2_000 * 60, 60],
  ];
  for (const [shape, span, interval] of shapes) {
    const times: number[] = [];
    for (let i = 0; i < 220; i++) {
      const to = Math.floor(first + span + rand() * Math.max(0, last - first - span));
      const from = to - span;
      const t0 = performance.now();
      const totals = await store.totalsAt(historyTimes(from, to, interval));
      JSON.stringify(buildHistory(totals, from, interval));
      if (i >= 20) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    add(
      `history ${shape}: p50 / p99`,
      `${percentile(times, 50).toFixed(2)} ms / ${percentile(times, 99).toFixed(2)} ms`,
    );
  }

  let t0 = performance.now();
  await new YieldTracker().load(store);
  add("yield start-up (from its checkpoint)", `${((performance.now() - t0) / 1000).toFixed(2)} s`);
  t0 = performance.now();
  const replay = new YieldTracker();
  const all = await store.eventsSince(Number.MIN_SAFE_INTEGER, [
    ...REWARD_EVENTS,
    "buybackExecuted",
  ]);
  for (const event of all) replay.apply(event);
  add(
    "yield start-up replaying every event (before)",
    `${((performance.now() - t0) / 1000).toFixed(2)} s`,
  );
  await store.close();
  return rows;
}

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "1000000" },
      days: { type: "string", default: "365" },
      store: { type: "string", multiple: true },
    },
  });
  const count = Number(values.events);
  const days = Number(values.days);
  const kinds = values.store ?? ["sqlite", "postgres"];
  const rows: Row[] = [];
  for (const kind of kinds) {
    let postgres: TestPostgres | undefined;
    try {
      let url: string;
      if (kind === "sqlite") {
        url = `sqlite:${join(mkdtempSync(join(tmpdir(), "ashao-bench-store-")), "events.sqlite")}`;
      } else if (kind === "postgres") {
        postgres = await startPostgres();
        url = postgres.url;
      } else {
        throw new Error(`--store ${kind}: sqlite or postgres`);
      }
      rows.push(...(await bench(kind, url, count, days)));
    } finally {
      await postgres?.stop();
    }
  }
  console.log("| store | figure | value |\n|---|---|---|");
  for (const row of rows) console.log(`| ${row.store} | ${row.figure} | ${row.value} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
