/**
 * The crank's running figures: written as JSON to the status file after every cycle, and as
 * Prometheus metrics served by the loop on `--metrics-listen` (`serveMetrics`): cycles by
 * outcome, failures by their named reason, whether the last cycle failed and why, timeouts by
 * endpoint, the crank wallet's SOL, what it spent and burned, and Node's process metrics.
 */
import { writeFileSync, renameSync } from "fs";

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import { ASHAO_DECIMALS, USDC_DECIMALS } from "../../sdk/src";
import { OptionalGauge } from "../../util/prometheus";
import type { CrankFailure } from "./errors";

export interface CrankStatus {
  cycles: number;
  bought: number;
  skipped: number;
  failed: Partial<Record<CrankFailure | "unexpected", number>>;
  /** Calls that ran out of time, retried or not, by failure (`rpc-timeout`, `venue-timeout`, `hermes-timeout`). */
  timeouts: Partial<Record<CrankFailure, number>>;
  /** Buybacks that landed but whose figures no node returned (not counted in the sums). */
  boughtWithoutFigures: number;
  /** USDC base units and $ASHAO base units, as decimal strings. */
  usdcSpent: string;
  ashaoBurned: string;
  lastCycle?: {
    at: string;
    outcome: string;
    durationMs: number;
    signature?: string;
  };
}

export type CycleOutcome = "bought" | "skipped" | "dry-run" | "failed";

/** Base units as whole tokens, for Prometheus' floats. */
const whole = (units: bigint, decimals: number) => Number(units) / 10 ** decimals;

export class CrankMetrics {
  readonly registry = new Registry();
  private status: CrankStatus = {
    cycles: 0,
    bought: 0,
    skipped: 0,
    failed: {},
    timeouts: {},
    boughtWithoutFigures: 0,
    usdcSpent: "0",
    ashaoBurned: "0",
  };
  private readonly cycles = this.counter(
    "ashao_crank_cycles_total",
    "Cycles by outcome: bought, skipped (nothing to do), dry-run, failed",
    ["outcome"],
  );
  private readonly buybacks = this.counter(
    "ashao_crank_buybacks_total",
    "Buybacks sent and landed",
  );
  private readonly skipped = this.counter(
    "ashao_crank_skipped_total",
    "Cycles with nothing to buy (paused, inside the interval, bucket below the minimum, no price guard)",
  );
  private readonly failures = this.counter(
    "ashao_crank_failures_total",
    "Failed cycles by the named reason (app/crank/README.md)",
    ["reason"],
  );
  private readonly timeouts = this.counter(
    "ashao_crank_timeouts_total",
    "Calls that ran out of time, retried or not, by endpoint: rpc, venue (the swap API), hermes",
    ["endpoint"],
  );
  private readonly boughtWithoutFigures = this.counter(
    "ashao_crank_bought_without_figures_total",
    "Buybacks that landed but whose figures no node returned (not in the USDC and $ASHAO sums)",
  );
  private readonly usdcSpent = this.counter(
    "ashao_crank_usdc_spent_total",
    "USDC the crank's buybacks spent",
  );
  private readonly ashaoBurned = this.counter(
    "ashao_crank_ashao_burned_total",
    "$ASHAO the crank's buybacks burned",
  );
  private readonly lastFailed = new Gauge({
    name: "ashao_crank_last_cycle_failed",
    help: 'Whether the last cycle failed (1) or not (0, reason="none"), with the named reason',
    labelNames: ["reason"],
    registers: [this.registry],
  });
  private lastCycleEndedAt?: number;
  private walletLamports?: number;
  private readonly duration = new Histogram({
    name: "ashao_crank_cycle_duration_seconds",
    help: "How long cycles take, retries included",
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  constructor(private readonly statusFile?: string) {
    collectDefaultMetrics({ register: this.registry });
    this.lastFailed.set({ reason: "none" }, 0);
    const registers = [this.registry];
    new OptionalGauge(
      {
        name: "ashao_crank_last_cycle_timestamp_seconds",
        help: "When the last cycle ended (unix seconds)",
        registers,
      },
      () => this.lastCycleEndedAt,
    );
    new OptionalGauge(
      {
        name: "ashao_crank_wallet_lamports",
        help: "SOL (lamports) the crank's key holds for fees, read after each cycle",
        registers,
      },
      () => this.walletLamports,
    );
  }

  get current(): CrankStatus {
    return structuredClone(this.status);
  }

  /** A landed buyback; its figures are `undefined` when no node returned them. */
  recordBought(
    usdcSpent: bigint | undefined,
    ashaoBurned: bigint | undefined,
    durationMs: number,
    signature: string,
  ) {
    this.status.bought++;
    this.buybacks.inc();
    if (usdcSpent === undefined || ashaoBurned === undefined) {
      this.status.boughtWithoutFigures++;
      this.boughtWithoutFigures.inc();
    } else {
      this.status.usdcSpent = (BigInt(this.status.usdcSpent) + usdcSpent).toString();
      this.status.ashaoBurned = (BigInt(this.status.ashaoBurned) + ashaoBurned).toString();
      this.usdcSpent.inc(whole(usdcSpent, USDC_DECIMALS));
      this.ashaoBurned.inc(whole(ashaoBurned, ASHAO_DECIMALS));
    }
    this.finish("bought", "bought", durationMs, signature);
  }

  /** A call that ran out of time (`rpc-timeout`, `venue-timeout`, `hermes-timeout`), even if retried. */
  recordTimeout(reason: CrankFailure) {
    this.status.timeouts[reason] = (this.status.timeouts[reason] ?? 0) + 1;
    this.timeouts.inc({ endpoint: reason.replace(/-timeout$/, "") });
  }

  recordSkipped(reason: string, durationMs: number) {
    this.status.skipped++;
    this.skipped.inc();
    this.finish("skipped", `skipped: ${reason}`, durationMs);
  }

  recordDryRun(durationMs: number) {
    this.finish("dry-run", "dry-run", durationMs);
  }

  recordFailed(reason: CrankFailure | "unexpected", durationMs: number) {
    this.status.failed[reason] = (this.status.failed[reason] ?? 0) + 1;
    this.failures.inc({ reason });
    this.finish("failed", `failed: ${reason}`, durationMs, undefined, reason);
  }

  recordWalletLamports(lamports: number) {
    this.walletLamports = lamports;
  }

  private finish(
    outcome: CycleOutcome,
    text: string,
    durationMs: number,
    signature?: string,
    failure?: string,
  ) {
    this.cycles.inc({ outcome });
    this.duration.observe(durationMs / 1000);
    this.lastCycleEndedAt = Date.now() / 1000;
    this.lastFailed.reset();
    this.lastFailed.set({ reason: failure ?? "none" }, failure ? 1 : 0);
    this.status.cycles++;
    this.status.lastCycle = { at: new Date().toISOString(), outcome: text, durationMs, signature };
    if (this.statusFile) {
      // Write then rename, so a reader never sees half a file.
      const partial = `${this.statusFile}.partial`;
      writeFileSync(partial, JSON.stringify(this.status, null, 2) + "\n");
      renameSync(partial, this.statusFile);
    }
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[] = []) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }
}
