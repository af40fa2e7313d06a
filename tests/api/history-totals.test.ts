/**
 * The history's pre-aggregated totals and the yield's checkpoints give the answers a replay of
 * every raw event gives: real transactions over 38 days of the chain's clock (deposits, usage
 * settled with a boosted worker, stakes, unstake requests, claims, buybacks), indexed by an API on the default store (an SQLite file)
 * and one on PostgreSQL; each history (several intervals, unaligned edges, an event exactly at
 * `to`, the dashboard's ranges) is compared with a recomputation from the stored raw events,
 * and a restart's yield (resumed from a checkpoint) with a tracker that replayed every event.
 * A file written by the earlier sql.js store (its schema: events and meta only) opens with the
 * current one, which builds the totals from its rows: the same answers as a fresh index; so does
 * a store of either kind written before the usage totals' columns existed.
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import { Keypair } from "@solana/web3.js";
import Database from "better-sqlite3";
import { expect } from "chai";
import pino from "pino";

import { runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { advanceClock } from "../../app/localnet/validator";
import {
  type ApiServer,
  type HistoryPoint,
  startApiServer,
  type StoredEvent,
} from "../../app/server/src";
import { YieldTracker } from "../../app/server/src/yield";
import { claim, requestUnstake, settleUsage, stake } from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import { startPostgres, type TestPostgres } from "../utils/postgres";
import { Client } from "pg";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
const HOUR = 3_600;
/** The totals' columns added for usage settlement (a store written before has none of them). */
const USAGE_COLUMNS = ["usage_revenue", "paid_to_workers", "boost_paid"];
const DAY = 86_400;

/** The schema of the store before better-sqlite3 (sql.js, the whole file rewritten per batch). */
const SQLJS_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  signature TEXT NOT NULL,
  idx INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (signature, idx)
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE INDEX IF NOT EXISTS events_owner ON events (json_extract(data, '$.owner'), ts);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The history as it was computed before the totals existed: one pass over every event. */
function historyFromEvents(
  events: StoredEvent[],
  fromSecs: number,
  toSecs: number,
  intervalSecs: number,
): HistoryPoint[] {
  const big = (value: unknown) => BigInt(String(value ?? "0"));
  const totals = { revenue: 0n, burned: 0n, spent: 0n, rewards: 0n, staked: 0n, workers: 0n };
  const points: HistoryPoint[] = [];
  let e = 0;
  for (let start = fromSecs; start < toSecs; start += intervalSecs) {
    const end = Math.min(start + intervalSecs, toSecs + 1);
    const bucket = {
      revenue: 0n,
      toBuyback: 0n,
      toStakers: 0n,
      spent: 0n,
      burned: 0n,
      rewards: 0n,
      usageRevenue: 0n,
      paidToWorkers: 0n,
      boostPaid: 0n,
    };
    for (; e < events.length && events[e].ts < end; e++) {
      const { name, data, ts } = events[e];
      const inBucket = ts >= start;
      if (name === "revenueDeposited") {
        totals.revenue += big(data.amount);
        if (inBucket) {
          bucket.revenue += big(data.amount);
          bucket.toBuyback += big(data.toBuyback);
          bucket.toStakers += big(data.toStakers);
          if (data.source === "usage") bucket.usageRevenue += big(data.amount);
        }
      } else if (name === "usageSettled") {
        totals.workers += big(data.paidToWorkers);
        if (inBucket) {
          bucket.paidToWorkers += big(data.paidToWorkers);
          bucket.boostPaid += big(data.boostPaid);
        }
      } else if (name === "buybackExecuted") {
        totals.spent += big(data.usdcSpent);
        totals.burned += big(data.ashaoBurned);
        if (inBucket) {
          bucket.spent += big(data.usdcSpent);
          bucket.burned += big(data.ashaoBurned);
        }
      } else if (name === "rewardsClaimed") {
        totals.rewards += big(data.amount);
        if (inBucket) bucket.rewards += big(data.amount);
      }
      if (data.totalStaked !== undefined) totals.staked = big(data.totalStaked);
    }
    points.push({
      t: new Date(start * 1000).toISOString(),
      revenue: bucket.revenue.toString(),
      usageRevenue: bucket.usageRevenue.toString(),
      directRevenue: (bucket.revenue - bucket.usageRevenue).toString(),
      paidToWorkers: bucket.paidToWorkers.toString(),
      boostPaid: bucket.boostPaid.toString(),
      toBuyback: bucket.toBuyback.toString(),
      toStakers: bucket.toStakers.toString(),
      buybackUsdcSpent: bucket.spent.toString(),
      ashaoBurned: bucket.burned.toString(),
      rewardsPaid: bucket.rewards.toString(),
      totalStaked: totals.staked.toString(),
      cumulativeRevenue: totals.revenue.toString(),
      cumulativeBurned: totals.burned.toString(),
      cumulativeUsdcSpent: totals.spent.toString(),
      cumulativeRewardsPaid: totals.rewards.toString(),
      cumulativePaidToWorkers: totals.workers.toString(),
      unverified: 0,
    });
  }
  return points;
}

interface HistoryAnswer {
  from: string;
  to: string;
  interval: string;
  points: HistoryPoint[];
}

describe("API: pre-aggregated history and checkpointed yield equal a replay of the raw events", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let postgres: TestPostgres;
  let sqliteFile: string;
  const servers: ApiServer[] = [];
  let paid = 0n;
  /** Carol: the staking worker, paid each day. */
  let worker: string;
  let usageRevenue = 0n;
  let boostPaid = 0n;
  let buybacks = 0;

  const start = async (database: string) => {
    const server = await startApiServer({
      rpcUrl: economy.validator.rpcUrl,
      wsUrl: economy.validator.wsUrl,
      database,
    });
    servers.push(server);
    await server.ready;
    return server;
  };

  before(async () => {
    postgres = await startPostgres();
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    sqliteFile = join(mkdtempSync(join(tmpdir(), "ashao-totals-")), "events.sqlite");
    const { connection } = economy.validator;
    const alice = new Wallet(await fundedWallet(economy, 1_000n * ASHAO));
    const bob = new Wallet(await fundedWallet(economy, 1_000n * ASHAO));
    // Two workers paid by usage settled each day: Carol stakes the first tier (5%), Dave none.
    const carol = new Wallet(await fundedWallet(economy, 2_000n * ASHAO));
    worker = carol.publicKey.toBase58();
    const dave = Keypair.generate().publicKey;
    await stake(economy.program, carol, 2_000n * ASHAO);
    const crank = { ...economy.crankConfig, intervalSecs: 1 };
    const pay = async (amount: bigint) => {
      await payRevenue(economy, amount);
      paid += amount;
    };
    // Days 0-2, then a month later days 35-37: buckets of every size, some empty, and a
    // history older than the longest yield window, so a restart resumes from a checkpoint.
    for (const day of [0, 1, 2, 35, 36, 37]) {
      await stake(economy.program, alice, 10n * ASHAO + BigInt(day));
      await pay(100n * USDC + BigInt(day));
      await advanceClock(connection, 2 * HOUR + 17);
      await stake(economy.program, bob, 7n * ASHAO);
      await claim(economy.program, alice);
      await pay(33n * USDC + 1n);
      // Warmed up (the cooldown, an hour, has passed): Carol's 20 USDC earns 1 USDC of boost;
      // the treasury keeps 40 + day − 21 − (10 + day) = 9 USDC.
      await settleUsage(economy.program, new Wallet(economy.billing), {
        gross: 40n * USDC + BigInt(day),
        workers: [
          { worker: carol.publicKey, base: 20n * USDC },
          { worker: dave, base: 10n * USDC + BigInt(day) },
        ],
      });
      usageRevenue += 9n * USDC;
      boostPaid += 1n * USDC;
      await advanceClock(connection, 5 * 60 + 3);
      const bought = await runCrankCycle(
        economy.crankDeps(crank, pino({ level: "silent" })),
        crank,
      );
      if (bought.status === "bought") buybacks++;
      await requestUnstake(economy.program, bob, 1n * ASHAO);
      await claim(economy.program, bob);
      await advanceClock(connection, day === 2 ? 33 * DAY - 7_000 : DAY - 7_000);
    }
  });

  after(async () => {
    for (const server of servers) await server.close();
    await economy?.stop();
    await postgres?.stop();
  });

  for (const store of ["sqlite", "postgres"] as const) {
    it(`${store}: every history, and a worker's payments, equal the recomputation from the raw events`, async () => {
      const api = await start(store === "sqlite" ? `sqlite:${sqliteFile}` : postgres.url);
      const get = async (query: string) => {
        const res = await fetch(`${api.url}/api/treasury/history?${query}`);
        expect(res.status, query).to.equal(200);
        return (await res.json()) as HistoryAnswer;
      };
      const events = await api.store.eventsSince(Number.MIN_SAFE_INTEGER);
      expect(events.map((e) => e.ts)).to.deep.equal(
        [...events.map((e) => e.ts)].sort((a, b) => a - b),
      );
      const first = events[0].ts;
      const last = events[events.length - 1].ts;
      // Every deposit is in, and a buyback happened (so the burn columns are not all zero).
      const whole = await get(`interval=1d&from=${first - 5}&to=${last + 5}`);
      const sum = (field: keyof HistoryPoint) =>
        whole.points.reduce((s, p) => s + BigInt(p[field]), 0n);
      expect(sum("directRevenue")).to.equal(paid);
      expect(sum("usageRevenue")).to.equal(usageRevenue);
      expect(sum("revenue")).to.equal(paid + usageRevenue);
      expect(sum("boostPaid")).to.equal(boostPaid);
      expect(sum("paidToWorkers")).to.equal(6n * 31n * USDC + 111n);

      // A worker's payments: one indexed query, the page and the sums those of the raw events.
      const paidToCarol = events.filter((e) => e.name === "workerPaid" && e.data.worker === worker);
      expect(paidToCarol.length).to.equal(6);
      const page = await api.store.latestEvents(["workerPaid"], { limit: 4, worker });
      expect(page.map((e) => e.signature)).to.deep.equal(
        paidToCarol
          .slice(-4)
          .reverse()
          .map((e) => e.signature),
      );
      const carols = (f: string) => paidToCarol.reduce((t, e) => t + BigInt(String(e.data[f])), 0n);
      expect(await api.store.workerTotals(worker)).to.deep.equal({
        settlements: 6,
        base: carols("base"),
        boost: carols("boost"),
        paid: carols("paid"),
      });
      expect(carols("boost")).to.equal(6n * USDC);
      expect(buybacks).to.be.greaterThan(0);
      expect(BigInt(whole.points[whole.points.length - 1].cumulativeBurned) > 0n).to.equal(true);

      const deposit = events.find((e) => e.name === "revenueDeposited" && e.ts > first + DAY)!;
      const queries: [string, number, number][] = [
        ["1d", first - 13, last + 1],
        ["6h", first - 3 * HOUR + 7, last + 29],
        ["1h", first - 7, last],
        ["1h", first + 40 * HOUR, last - DAY],
        ["15m", first - 600, first + 2 * DAY],
        ["5m", deposit.ts - 5 * HOUR, deposit.ts + HOUR + 1],
        ["1m", deposit.ts - 60 * 30, deposit.ts + 60 * 30],
        // An event exactly at `to`: a whole last bucket ends before it, a partial one takes it.
        ["1m", deposit.ts - 60 * 10, deposit.ts],
        ["1m", deposit.ts - 60 * 10 + 30, deposit.ts],
        // Before anything happened: zeros.
        ["1h", first - 10 * HOUR, first - 1],
      ];
      for (const [interval, from, to] of queries) {
        const answer = await get(`interval=${interval}&from=${from}&to=${to}`);
        const intervalSecs = {
          "1m": 60,
          "5m": 300,
          "15m": 900,
          "1h": HOUR,
          "6h": 6 * HOUR,
          "1d": DAY,
        }[interval]!;
        expect(answer.points, `${interval} ${from}..${to}`).to.deep.equal(
          historyFromEvents(events, from, to, intervalSecs),
        );
      }
      for (const range of ["24h", "7d", "30d", "all"]) {
        const answer = await get(`range=${range}`);
        const from = Date.parse(answer.from) / 1000;
        const to = Date.parse(answer.to) / 1000;
        const intervalSecs =
          (Date.parse(answer.points[1].t) - Date.parse(answer.points[0].t)) / 1000;
        expect(answer.points, range).to.deep.equal(
          historyFromEvents(events, from, to, intervalSecs),
        );
      }
      // One instance per SQLite file: the next test restarts on it.
      servers.splice(servers.indexOf(api), 1);
      await api.close();
    });

    it(`${store}: a restart resumes the yield from a checkpoint with a replay's answers`, async () => {
      const database = store === "sqlite" ? `sqlite:${sqliteFile}` : postgres.url;
      const api = await start(database);
      await api.indexer.catchUp();
      const events = await api.store.eventsSince(Number.MIN_SAFE_INTEGER);
      const newest = events[events.length - 1].ts;
      // A checkpoint old enough to cover the 30-day window exists, so the start resumed there.
      const saved = await api.store.checkpointAtOrBefore("yield", newest - 30 * DAY);
      expect(saved?.ts).to.be.greaterThan(events[0].ts);
      const resumed = new YieldTracker();
      await resumed.load(api.store);
      const replayed = new YieldTracker();
      for (const event of events) replayed.apply(event);
      const report = resumed.report(api.snapshot);
      expect(report).to.deep.equal(replayed.report(api.snapshot));
      expect(BigInt(report.trailing30d.released.raw) > 0n).to.equal(true);
      expect(report.price).to.not.equal(null);
    });
  }

  it("sqlite: a file written by the sql.js store opens with totals from its rows and a fresh index's answers", async () => {
    const fresh = await start("sqlite::memory:");
    await fresh.indexer.catchUp();
    const events = await fresh.store.eventsSince(Number.MIN_SAFE_INTEGER);
    const cursor = await fresh.store.cursor();
    // The earlier store's file: its schema, its rows as it wrote them (data as JSON text).
    const oldFile = join(mkdtempSync(join(tmpdir(), "ashao-sqljs-")), "events.sqlite");
    const db = new Database(oldFile);
    db.exec(SQLJS_SCHEMA);
    const insert = db.prepare(
      "INSERT INTO events (signature, idx, slot, ts, name, data) VALUES (?, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      for (const e of events) {
        insert.run(e.signature, e.index, e.slot, e.ts, e.name, JSON.stringify(e.data));
      }
      db.prepare("INSERT INTO meta (key, value) VALUES ('cursor', ?)").run(cursor!.signature);
    })();
    db.close();

    const upgraded = await start(`sqlite:${oldFile}`);
    await upgraded.indexer.catchUp();
    // Nothing indexed twice or missed: the same rows and the cursor it was left at (its slot
    // was not kept then, and is asked of the node rather than written back with nothing new).
    expect(await upgraded.store.count()).to.equal(events.length);
    expect(await upgraded.store.cursor()).to.deep.equal({
      signature: cursor!.signature,
      slot: null,
    });
    // The totals built from the rows are those written event by event, at every second.
    const times = [...new Set(events.flatMap((e) => [e.ts - 1, e.ts, e.ts + 1]))];
    expect(await upgraded.store.totalsAt(times)).to.deep.equal(await fresh.store.totalsAt(times));
    const first = events[0].ts;
    const last = events[events.length - 1].ts;
    const history = async (api: ApiServer, query: string) => {
      const res = await fetch(`${api.url}/api/treasury/history?${query}`);
      expect(res.status, query).to.equal(200);
      return ((await res.json()) as HistoryAnswer).points;
    };
    for (const [interval, intervalSecs, from, to] of [
      ["1d", DAY, first - 13, last + 1],
      ["1h", HOUR, first - 7, last],
      ["5m", 300, first - HOUR, first + 2 * HOUR + 1],
    ] as const) {
      const query = `interval=${interval}&from=${from}&to=${to}`;
      const points = await history(upgraded, query);
      expect(points, query).to.deep.equal(await history(fresh, query));
      expect(points, query).to.deep.equal(historyFromEvents(events, from, to, intervalSecs));
    }
    // The yield: no checkpoint in the old file, so the start replayed its rows.
    const loaded = new YieldTracker();
    await loaded.load(upgraded.store);
    const replayed = new YieldTracker();
    for (const event of events) replayed.apply(event);
    expect(loaded.report(upgraded.snapshot)).to.deep.equal(replayed.report(upgraded.snapshot));
    const freshLoaded = new YieldTracker();
    await freshLoaded.load(fresh.store);
    expect(loaded.report(upgraded.snapshot)).to.deep.equal(freshLoaded.report(upgraded.snapshot));
  });

  for (const store of ["sqlite", "postgres"] as const) {
    it(`${store}: a store written before the usage totals gets them from its rows on open`, async () => {
      let database: string;
      if (store === "sqlite") {
        database = `sqlite:${join(mkdtempSync(join(tmpdir(), "ashao-usage-")), "events.sqlite")}`;
      } else {
        const client = new Client({ connectionString: postgres.url });
        await client.connect();
        await client.query("CREATE DATABASE before_usage");
        await client.end();
        database = postgres.url.replace(/\/postgres$/, "/before_usage");
      }
      const written = await start(database);
      await written.indexer.catchUp();
      const events = await written.store.eventsSince(Number.MIN_SAFE_INTEGER);
      const times = [...new Set(events.flatMap((e) => [e.ts - 1, e.ts, e.ts + 1]))];
      const expected = await written.store.totalsAt(times);
      expect(expected[expected.length - 1].usageRevenue).to.equal(usageRevenue);
      const paidToCarol = await written.store.workerTotals(worker);
      expect(paidToCarol.settlements).to.equal(6);
      servers.splice(servers.indexOf(written), 1);
      await written.close();
      // The previous version's tables: the same rows, the totals without the usage columns, no
      // workers' totals.
      const prefix = store === "sqlite" ? "" : "ashao_";
      const drop = [
        ...USAGE_COLUMNS.map((c) => `ALTER TABLE ${prefix}history_totals DROP COLUMN ${c}`),
        `DROP TABLE ${prefix}worker_totals`,
        `DELETE FROM ${prefix}meta WHERE key = 'worker_totals_built'`,
      ];
      if (store === "sqlite") {
        const db = new Database(database.slice("sqlite:".length));
        for (const statement of drop) db.exec(statement);
        db.close();
      } else {
        const client = new Client({ connectionString: database });
        await client.connect();
        for (const statement of drop) await client.query(statement);
        await client.end();
      }
      const upgraded = await start(database);
      expect(await upgraded.store.totalsAt(times)).to.deep.equal(expected);
      expect(await upgraded.store.workerTotals(worker)).to.deep.equal(paidToCarol);
      const [from, to] = [events[0].ts - 13, events[events.length - 1].ts + 1];
      const res = await fetch(
        `${upgraded.url}/api/treasury/history?interval=1d&from=${from}&to=${to}`,
      );
      expect(((await res.json()) as HistoryAnswer).points).to.deep.equal(
        historyFromEvents(events, from, to, DAY),
      );
    });
  }
});
