/**
 * Prometheus metrics (`GET /metrics`, on the public port or on `--metrics-listen`): the process,
 * requests, and what an on-call operator pages on: the buyback bucket and the age of the last
 * buyback, the oracle price's age, each vault's surplus over what it owes, the stake, the
 * indexer's lag and the RPC node's slot (read on a timer). Treasury figures are read from the
 * snapshot when scraped (nothing is fetched per scrape); amounts are in whole tokens (`_usdc`,
 * `_ashao`), ages on the chain's clock.
 */
import type { Connection } from "@solana/web3.js";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import { type Amount, timedConnection } from "../../sdk/src";
import { OptionalGauge } from "../../util/prometheus";
import type { EventIndexer } from "./indexer";
import type { TreasurySnapshot } from "./snapshot";

/** How often the RPC node's slot is read (one `getSlot`), and how long an answer may take. */
const RPC_SLOT_EVERY_MS = 5_000;
const RPC_SLOT_TIMEOUT_MS = 2_000;
/** How often the indexer's progress is sampled for its lag in seconds. */
const INDEXER_SAMPLE_EVERY_MS = 1_000;
/**
 * Slots seen and not indexed kept with when they were seen: an hour of samples. Past it, later
 * slots count from the newest kept, so the lag may read short once the oldest are indexed.
 */
const MAX_PENDING_SLOTS = 3_600;

export interface MetricsSources {
  /** The RPC node whose slot is read (by a connection of its own, with a short deadline). */
  rpcUrl: string;
  snapshot: TreasurySnapshot;
  indexer: EventIndexer;
  /** How often the RPC node's slot is read (default 5 s). */
  rpcSlotEveryMs?: number;
}

const whole = (amount: Amount) => amount.ui;
/** `a − b` of two amounts as whole tokens (negative when `b` is larger). */
const difference = (a: Amount, b: Amount) =>
  Number(BigInt(a.raw) - BigInt(b.raw)) / 10 ** a.decimals;

/**
 * The indexer's lag in seconds: how long ago the oldest program activity it has not indexed
 * yet was first seen (0 when it holds everything it has seen). Sampled, so it reads within one
 * sample of the truth and never grows while the indexer keeps up with a busy program.
 */
class IndexerLagClock {
  /** Slots seen active and not yet indexed, oldest first, with when each was first seen. */
  private pending: { slot: number; since: number }[] = [];

  constructor(private readonly indexer: EventIndexer) {}

  sample(now = Date.now()): void {
    const { seenSlot, lastSlot } = this.indexer.status;
    this.pending = this.pending.filter((entry) => entry.slot > lastSlot);
    const newest = this.pending[this.pending.length - 1]?.slot ?? lastSlot;
    if (seenSlot > newest && this.pending.length < MAX_PENDING_SLOTS) {
      this.pending.push({ slot: seenSlot, since: now });
    }
  }

  seconds(now = Date.now()): number {
    this.sample(now);
    const oldest = this.pending[0];
    return oldest ? (now - oldest.since) / 1000 : 0;
  }
}

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "ashao_api_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "ashao_api_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["route"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    registers: [this.registry],
  });
  /** The RPC node's slot at its last answer, and whether the last read was answered. */
  private rpc: { slot?: number; up?: number } = {};
  private timers: NodeJS.Timeout[] = [];

  constructor() {
    // Node's standard process metrics under their usual names (process_*, nodejs_*), which
    // existing dashboards and the `job` label tell apart.
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    new OptionalGauge(
      {
        name: "ashao_rpc_slot",
        help: "The RPC node's slot at its last answer to getSlot (read every few seconds)",
        registers,
      },
      () => this.rpc.slot,
    );
    new OptionalGauge(
      {
        name: "ashao_rpc_up",
        help: "1 when the RPC node answered the last getSlot in time, else 0",
        registers,
      },
      () => this.rpc.up,
    );
  }

  /** Counts and times every request `app` answers. */
  countRequests(app: FastifyInstance): void {
    app.addHook("onResponse", (req, reply, done) => {
      const route = req.routeOptions.url ?? "unknown";
      this.requests.inc({ route, status: reply.statusCode });
      this.latency.observe({ route }, reply.elapsedTime / 1000);
      done();
    });
  }

  /** Exports the treasury's figures, the indexer's lag and the RPC node's slot. */
  watch({ rpcUrl, snapshot, indexer, rpcSlotEveryMs }: MetricsSources): void {
    /** A figure of the snapshot, absent until it is ready or when `read` has none. */
    const gauge = (name: string, help: string, read: () => number | undefined) =>
      new OptionalGauge({ name, help, registers: [this.registry] }, () =>
        snapshot.ready ? read() : undefined,
      );
    const figures = () => snapshot.figures();
    const chainTime = () => Number(snapshot.chainTime);
    gauge(
      "ashao_snapshot_slot",
      "Slot the treasury snapshot was last updated at",
      () => snapshot.slot,
    );
    new Gauge({
      name: "ashao_snapshot_age_seconds",
      help: "Seconds since the snapshot last changed or was confirmed by a check",
      registers: [this.registry],
      collect() {
        this.set((Date.now() - snapshot.readAt.getTime()) / 1000);
      },
    });
    gauge("ashao_chain_time_seconds", "The chain's clock (unix seconds)", chainTime);
    gauge("ashao_treasury_paused", "1 while the treasury is paused", () =>
      figures().paused ? 1 : 0,
    );
    gauge("ashao_buyback_bucket_usdc", "USDC waiting in the buyback bucket", () =>
      whole(figures().buybackBucket),
    );
    gauge(
      "ashao_last_buyback_age_seconds",
      "Seconds on the chain's clock since the last buyback (before the first: since the unix epoch)",
      () => chainTime() - Number(snapshot.state!.lastBuybackTs),
    );
    gauge(
      "ashao_buyback_min_interval_seconds",
      "The treasury's min_buyback_interval_secs: the least time between buybacks",
      () => snapshot.state!.minBuybackIntervalSecs,
    );
    gauge(
      "ashao_oracle_price_age_seconds",
      "Seconds on the chain's clock since the price guard's oracle price was published (absent without a guard or a price)",
      () => {
        const update = snapshot.oracle?.update;
        return update ? chainTime() - Number(update.publishTime) : undefined;
      },
    );
    gauge(
      "ashao_oracle_max_age_seconds",
      "The oldest oracle price the price guard accepts (absent without a guard)",
      () => {
        const guard = snapshot.state!.priceGuard;
        return guard.kind === "pythPull" ? guard.maxAgeSecs : undefined;
      },
    );
    gauge("ashao_rewards_owed_usdc", "USDC owed to stakers (streaming + released unclaimed)", () =>
      whole(figures().rewardsOwed),
    );
    gauge("ashao_staked_ashao", "$ASHAO staked", () => whole(figures().totalStaked));
    gauge("ashao_unstaking_ashao", "$ASHAO in unstaking cooldown", () =>
      whole(figures().totalUnstaking),
    );
    gauge("ashao_stakers", "Stake positions with stake", () => figures().stakers);
    const vaults = (read: (vault: { holds: Amount; owes: Amount }) => number) => ({
      labelNames: ["vault"] as const,
      registers: [this.registry],
      collect(this: Gauge<"vault">) {
        this.reset();
        if (!snapshot.ready) return;
        const { solvency } = snapshot.report();
        this.set({ vault: "buyback" }, read(solvency.buyback));
        this.set({ vault: "rewards" }, read(solvency.rewards));
      },
    });
    new Gauge({
      name: "ashao_vault_balance_usdc",
      help: "USDC each vault holds",
      ...vaults((v) => whole(v.holds)),
    });
    new Gauge({
      name: "ashao_vault_owed_usdc",
      help: "USDC each vault must hold: the buyback bucket; rewards streaming and released unclaimed",
      ...vaults((v) => whole(v.owes)),
    });
    new Gauge({
      name: "ashao_vault_surplus_usdc",
      help: "USDC each vault holds over what it owes; negative when it holds less",
      ...vaults((v) => difference(v.holds, v.owes)),
    });

    new Gauge({
      name: "ashao_indexer_events",
      help: "Events in the store",
      registers: [this.registry],
      collect() {
        this.set(indexer.status.events);
      },
    });
    new Gauge({
      name: "ashao_indexer_lag_slots",
      help: "Slots between the program's newest activity seen and the newest indexed",
      registers: [this.registry],
      collect() {
        this.set(indexer.lagSlots);
      },
    });
    const lag = new IndexerLagClock(indexer);
    new Gauge({
      name: "ashao_indexer_lag_seconds",
      help: "Seconds since the oldest program activity not yet indexed was seen (0 when caught up)",
      registers: [this.registry],
      collect() {
        this.set(lag.seconds());
      },
    });
    this.every(INDEXER_SAMPLE_EVERY_MS, () => lag.sample());
    const connection = timedConnection(rpcUrl, { timeoutMs: RPC_SLOT_TIMEOUT_MS });
    this.every(rpcSlotEveryMs ?? RPC_SLOT_EVERY_MS, () => this.readRpcSlot(connection), true);
  }

  /** Stops the timers `watch` started. */
  stop(): void {
    this.timers.forEach((timer) => clearInterval(timer));
    this.timers = [];
  }

  private every(ms: number, task: () => unknown, now = false): void {
    if (now) task();
    this.timers.push(setInterval(task, ms).unref());
  }

  private async readRpcSlot(connection: Connection): Promise<void> {
    try {
      this.rpc = { slot: await connection.getSlot("confirmed"), up: 1 };
    } catch {
      this.rpc = { ...this.rpc, up: 0 };
    }
  }
}
