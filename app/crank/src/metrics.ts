/** The crank's running figures: written as JSON to the status file and as Prometheus text. */
import { writeFileSync, renameSync } from "fs";

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

export class CrankMetrics {
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

  constructor(private readonly statusFile?: string) {}

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
    if (usdcSpent === undefined || ashaoBurned === undefined) {
      this.status.boughtWithoutFigures++;
    } else {
      this.status.usdcSpent = (BigInt(this.status.usdcSpent) + usdcSpent).toString();
      this.status.ashaoBurned = (BigInt(this.status.ashaoBurned) + ashaoBurned).toString();
    }
    this.finish("bought", durationMs, signature);
  }

  /** A call that ran out of time (`rpc-timeout`, `venue-timeout`, `hermes-timeout`), even if retried. */
  recordTimeout(reason: CrankFailure) {
    this.status.timeouts[reason] = (this.status.timeouts[reason] ?? 0) + 1;
  }

  recordSkipped(reason: string, durationMs: number) {
    this.status.skipped++;
    this.finish(`skipped: ${reason}`, durationMs);
  }

  recordDryRun(durationMs: number) {
    this.finish("dry-run", durationMs);
  }

  recordFailed(reason: CrankFailure | "unexpected", durationMs: number) {
    this.status.failed[reason] = (this.status.failed[reason] ?? 0) + 1;
    this.finish(`failed: ${reason}`, durationMs);
  }

  private finish(outcome: string, durationMs: number, signature?: string) {
    this.status.cycles++;
    this.status.lastCycle = { at: new Date().toISOString(), outcome, durationMs, signature };
    if (this.statusFile) {
      // Write then rename, so a reader never sees half a file.
      const partial = `${this.statusFile}.partial`;
      writeFileSync(partial, JSON.stringify(this.status, null, 2) + "\n");
      renameSync(partial, this.statusFile);
    }
  }

  /** Prometheus text exposition of the same figures. */
  prometheus(): string {
    const s = this.status;
    const lines = [
      "# TYPE ashao_crank_cycles_total counter",
      `ashao_crank_cycles_total ${s.cycles}`,
      "# TYPE ashao_crank_buybacks_total counter",
      `ashao_crank_buybacks_total ${s.bought}`,
      "# TYPE ashao_crank_skipped_total counter",
      `ashao_crank_skipped_total ${s.skipped}`,
      "# TYPE ashao_crank_failures_total counter",
      ...Object.entries(s.failed).map(([r, n]) => `ashao_crank_failures_total{reason="${r}"} ${n}`),
      "# TYPE ashao_crank_timeouts_total counter",
      ...Object.entries(s.timeouts).map(
        ([r, n]) => `ashao_crank_timeouts_total{endpoint="${r.replace(/-timeout$/, "")}"} ${n}`,
      ),
      "# TYPE ashao_crank_bought_without_figures_total counter",
      `ashao_crank_bought_without_figures_total ${s.boughtWithoutFigures}`,
      "# TYPE ashao_crank_usdc_spent_total counter",
      `ashao_crank_usdc_spent_total ${s.usdcSpent}`,
      "# TYPE ashao_crank_ashao_burned_total counter",
      `ashao_crank_ashao_burned_total ${s.ashaoBurned}`,
      "# TYPE ashao_crank_last_cycle_duration_ms gauge",
      `ashao_crank_last_cycle_duration_ms ${s.lastCycle?.durationMs ?? 0}`,
    ];
    return lines.join("\n") + "\n";
  }
}
