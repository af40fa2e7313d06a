/**
 * Usage settlement (`settle_usage`): the program's payment rule mirrored for previews, a billing
 * authority's ledger of settled batch ids, and usage files (worker, base, gross rows) read and
 * split into batches of at most `MAX_SETTLEMENT_WORKERS` distinct workers.
 */
import { BN } from "@anchor-lang/core";
import { type Commitment, PublicKey } from "@solana/web3.js";

import type { StakePositionState, TreasuryState } from "./accounts";
import { positionBoost } from "./boost";
import { BPS_DENOMINATOR, MAX_SETTLEMENT_WORKERS, USAGE_BATCH_WINDOW } from "./constants";
import { parseUnits } from "./figures";
import { usageLedgerPda } from "./pda";
import type { TreasuryProgram } from "./program";

// ------------------------------------------------------------------------- the payment rule

export interface WorkerShare {
  base: bigint;
  boostBps: number;
}

export interface WorkerPayment extends WorkerShare {
  /** `floor(base × boostBps / 10_000)`: what the tier asks for. */
  boostRequested: bigint;
  /** What is paid: the request, or its share of the remainder when the requests exceed it. */
  boost: bigint;
  /** `base + boost`. */
  paid: bigint;
}

export interface SettlementTotals {
  gross: bigint;
  base: bigint;
  boostPaid: bigint;
  paidToWorkers: bigint;
  /** `gross − paidToWorkers`, split 50/50 like a deposit. */
  revenue: bigint;
  boostCapped: boolean;
}

/** Bases adding up to more than the gross (the program's `BasesExceedGross`). */
export class BasesExceedGrossError extends RangeError {
  override name = "BasesExceedGross";
}

/**
 * What `settle_usage` pays (mirrors `math::usage::settle_batch`): each base plus its boost; when
 * the boosts ask for more than `gross − Σ base`, each is scaled to `floor(boost × remainder /
 * Σ boost)`; the rest is revenue.
 */
export function settleBatch(
  gross: bigint,
  shares: readonly WorkerShare[],
): { payments: WorkerPayment[]; totals: SettlementTotals } {
  const requests = shares.map((s) => (s.base * BigInt(s.boostBps)) / BigInt(BPS_DENOMINATOR));
  const base = shares.reduce((sum, s) => sum + s.base, 0n);
  if (base > gross) {
    throw new BasesExceedGrossError(`the bases add up to ${base}, more than the gross ${gross}`);
  }
  const remainder = gross - base;
  const requested = requests.reduce((sum, r) => sum + r, 0n);
  const boostCapped = requested > remainder;
  const payments = shares.map((s, i) => {
    const boost = boostCapped ? (requests[i] * remainder) / requested : requests[i];
    return { ...s, boostRequested: requests[i], boost, paid: s.base + boost };
  });
  const boostPaid = payments.reduce((sum, p) => sum + p.boost, 0n);
  const paidToWorkers = base + boostPaid;
  return {
    payments,
    totals: { gross, base, boostPaid, paidToWorkers, revenue: gross - paidToWorkers, boostCapped },
  };
}

// ---------------------------------------------------------------------------------- ledger

/** `UsageLedger`, decoded. */
export interface UsageLedgerState {
  address: PublicKey;
  billing: PublicKey;
  batchCount: bigint;
  /** The highest id settled (meaningful once `batchCount > 0`). */
  lastBatchId: bigint;
  lastSettledAt: bigint;
  totalGross: bigint;
  totalPaidToWorkers: bigint;
  windowStart: bigint;
  /** One bit per id from `windowStart`, 64 per word. */
  settled: bigint[];
}

export type BatchIdStatus = "open" | "settled" | "tooOld" | "tooFarAhead";

/** What a ledger says of a batch id (mirrors `UsageLedger::status`; no ledger: all open). */
export function batchIdStatus(ledger: UsageLedgerState | null, id: bigint): BatchIdStatus {
  if (!ledger || ledger.batchCount === 0n) return "open";
  const offset = id - ledger.windowStart;
  if (offset < 0n) return "tooOld";
  if (offset >= 2n * USAGE_BATCH_WINDOW) return "tooFarAhead";
  if (offset < USAGE_BATCH_WINDOW && (ledger.settled[Number(offset / 64n)] >> offset % 64n) & 1n) {
    return "settled";
  }
  return "open";
}

/** The id a billing authority's next batch takes: one past its highest. */
export function nextBatchId(ledger: UsageLedgerState | null): bigint {
  return ledger && ledger.batchCount > 0n ? ledger.lastBatchId + 1n : 0n;
}

const big = (value: BN): bigint => BigInt(value.toString());

/** `billing`'s ledger, or `null` before its first settlement. */
export async function fetchUsageLedger(
  program: TreasuryProgram,
  billing: PublicKey,
  commitment?: Commitment,
): Promise<UsageLedgerState | null> {
  const address = usageLedgerPda(billing, program.programId).address;
  const raw = await program.account.usageLedger.fetchNullable(address, commitment);
  if (!raw) return null;
  return {
    address,
    billing: raw.billing,
    batchCount: big(raw.batchCount),
    lastBatchId: big(raw.lastBatchId),
    lastSettledAt: big(raw.lastSettledAt),
    totalGross: big(raw.totalGross),
    totalPaidToWorkers: big(raw.totalPaidToWorkers),
    windowStart: big(raw.windowStart),
    settled: raw.settled.map(big),
  };
}

// ------------------------------------------------------------------------------ usage files

/** One row of a usage file: the worker paid, its base share and the gross its usage brought. */
export interface UsageRow {
  /** 1-based, for messages (a JSON file's element index + 1; a CSV file's line). */
  line: number;
  worker: PublicKey;
  base: bigint;
  gross: bigint;
}

/** A row that cannot be read, naming its line and field. */
export class UsageFileError extends Error {
  override name = "UsageFileError";
}

const USDC_PLACES = 6;

function usdcField(line: number, field: string, text: unknown): bigint {
  if (typeof text !== "string" && typeof text !== "number") {
    throw new UsageFileError(`line ${line}: ${field} is missing`);
  }
  try {
    return parseUnits(String(text).trim(), USDC_PLACES);
  } catch {
    throw new UsageFileError(
      `line ${line}: ${field} must be an amount of USDC with at most 6 decimals (got ${String(text)})`,
    );
  }
}

function rowOf(line: number, fields: Record<string, unknown>): UsageRow {
  let worker: PublicKey;
  try {
    worker = new PublicKey(String(fields.worker ?? "").trim());
  } catch {
    throw new UsageFileError(
      `line ${line}: worker must be a base58 address (got ${String(fields.worker)})`,
    );
  }
  const base = usdcField(line, "base", fields.base);
  const gross = usdcField(line, "gross", fields.gross);
  if (base > gross) {
    throw new UsageFileError(`line ${line}: base ${base} is above the row's gross ${gross}`);
  }
  if (gross === 0n) throw new UsageFileError(`line ${line}: gross must be above zero`);
  return { line, worker, base, gross };
}

/**
 * Reads a usage file: CSV with a `worker,base,gross` header (any column order, amounts in USDC),
 * or JSON, an array of `{ worker, base, gross }`.
 */
export function parseUsageFile(text: string, format: "csv" | "json"): UsageRow[] {
  if (format === "json") {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new UsageFileError(`not JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(raw)) throw new UsageFileError("a JSON usage file is an array of rows");
    return raw.map((row: unknown, i) => {
      if (typeof row !== "object" || row === null) {
        throw new UsageFileError(`line ${i + 1}: a row is an object { worker, base, gross }`);
      }
      return rowOf(i + 1, row as Record<string, unknown>);
    });
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  for (const column of ["worker", "base", "gross"]) {
    if (!header.includes(column)) {
      throw new UsageFileError(`line 1: the header names no ${column} column`);
    }
  }
  const rows: UsageRow[] = [];
  lines.slice(1).forEach((text, i) => {
    if (text.trim() === "") return;
    const cells = text.split(",");
    rows.push(rowOf(i + 2, Object.fromEntries(header.map((h, j) => [h, cells[j]]))));
  });
  return rows;
}

/** A batch of a file: the rows one `settle_usage` pays, and their sums. */
export interface UsageBatch {
  /** Its place in the file (0-based): batch id = the file's first id + index. */
  index: number;
  rows: UsageRow[];
  gross: bigint;
}

/**
 * Splits rows, in file order, into batches of at most `maxWorkers` distinct workers: a row joins
 * the current batch unless it is full or already names the worker. The same file always splits
 * the same way, so a rerun numbers its batches as the first run did.
 */
export function splitUsageRows(
  rows: readonly UsageRow[],
  maxWorkers: number = MAX_SETTLEMENT_WORKERS,
): UsageBatch[] {
  const batches: UsageBatch[] = [];
  let current: UsageRow[] = [];
  const close = () => {
    if (current.length === 0) return;
    const gross = current.reduce((sum, r) => sum + r.gross, 0n);
    batches.push({ index: batches.length, rows: current, gross });
    current = [];
  };
  for (const row of rows) {
    const named = current.some((r) => r.worker.equals(row.worker));
    if (current.length >= maxWorkers || named) close();
    current.push(row);
  }
  close();
  return batches;
}

/** One worker's line in a preview: the boost it would get now and what it would be paid. */
export interface PlannedPayment extends WorkerPayment {
  worker: PublicKey;
  /** The principal that counts (staked, past its warm-up). */
  boostStake: bigint;
}

/** What a batch pays at `now`, from the treasury's tiers and the workers' positions. */
export function planBatch(
  config: Pick<TreasuryState, "boostTiers">,
  positions: ReadonlyMap<string, StakePositionState | null>,
  batch: UsageBatch,
  now: bigint,
): { payments: PlannedPayment[]; totals: SettlementTotals } {
  const boosts = batch.rows.map((r) =>
    positionBoost(config, positions.get(r.worker.toBase58()) ?? null, now),
  );
  const { payments, totals } = settleBatch(
    batch.gross,
    batch.rows.map((r, i) => ({ base: r.base, boostBps: boosts[i].boostBps })),
  );
  return {
    payments: payments.map((p, i) => ({
      ...p,
      worker: batch.rows[i].worker,
      boostStake: boosts[i].stake,
    })),
    totals,
  };
}
