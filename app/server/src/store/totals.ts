/**
 * The history's running totals, kept by both stores at insert time (in the same transaction as
 * the rows): one row per second of chain time that has events, holding the totals of every
 * event up to and including that second (in chain order). A history bucket `[start, end)` is
 * then the difference of two rows found by index, so a query reads two rows per point whatever
 * the length of history, and its answer is the one a replay of every event gives.
 */
import type { StoredEvent } from "./store";

/** Totals of all events up to a moment, from the beginning of history. */
export interface HistoryTotals {
  revenue: bigint;
  toBuyback: bigint;
  toStakers: bigint;
  usdcSpent: bigint;
  ashaoBurned: bigint;
  rewardsPaid: bigint;
  /** The stake as the newest event carrying `totalStaked` left it. */
  totalStaked: bigint;
  /** The part of `revenue` settled usage brought (`settle_usage`'s remainders). */
  usageRevenue: bigint;
  /** Of usage settled, what workers were paid (boosts included), and the boosts. */
  paidToWorkers: bigint;
  boostPaid: bigint;
}

/** The totals after every event of second `ts` (and before it). */
export interface TotalsRow extends HistoryTotals {
  ts: number;
}

export const ZERO_TOTALS: HistoryTotals = {
  revenue: 0n,
  toBuyback: 0n,
  toStakers: 0n,
  usdcSpent: 0n,
  ashaoBurned: 0n,
  rewardsPaid: 0n,
  totalStaked: 0n,
  usageRevenue: 0n,
  paidToWorkers: 0n,
  boostPaid: 0n,
};

/**
 * The columns in storage order (decimal text in SQLite, NUMERIC in PostgreSQL). A store written
 * before a column existed gets it on open (zero) and its totals refolded from its rows, once.
 */
export const TOTALS_COLUMNS = [
  ["revenue", "revenue"],
  ["toBuyback", "to_buyback"],
  ["toStakers", "to_stakers"],
  ["usdcSpent", "usdc_spent"],
  ["ashaoBurned", "ashao_burned"],
  ["rewardsPaid", "rewards_paid"],
  ["totalStaked", "total_staked"],
  ["usageRevenue", "usage_revenue"],
  ["paidToWorkers", "paid_to_workers"],
  ["boostPaid", "boost_paid"],
] as const satisfies readonly (readonly [keyof HistoryTotals, string])[];

const big = (value: unknown) => BigInt(String(value ?? "0"));

/** The totals after one more event. */
export function addEvent(t: HistoryTotals, { name, data }: StoredEvent): HistoryTotals {
  const next = { ...t };
  if (name === "revenueDeposited") {
    next.revenue += big(data.amount);
    next.toBuyback += big(data.toBuyback);
    next.toStakers += big(data.toStakers);
    if (data.source === "usage") next.usageRevenue += big(data.amount);
  } else if (name === "usageSettled") {
    next.paidToWorkers += big(data.paidToWorkers);
    next.boostPaid += big(data.boostPaid);
  } else if (name === "buybackExecuted") {
    next.usdcSpent += big(data.usdcSpent);
    next.ashaoBurned += big(data.ashaoBurned);
  } else if (name === "rewardsClaimed") {
    next.rewardsPaid += big(data.amount);
  }
  if (data.totalStaked !== undefined) next.totalStaked = big(data.totalStaked);
  return next;
}

/**
 * The rows `events` (in chain order, none before `base`'s second) add after `base` (the newest
 * row stored, if any): one per second they touch, the row at `base.ts` rewritten when they
 * share it.
 */
export function foldTotals(
  base: TotalsRow | undefined,
  events: readonly StoredEvent[],
): TotalsRow[] {
  const rows: TotalsRow[] = [];
  let current: TotalsRow | undefined = base;
  for (const event of events) {
    if (current && event.ts < current.ts) {
      throw new Error(`event at ${event.ts} folded after ${current.ts}: out of chain order`);
    }
    const totals = addEvent(current ?? ZERO_TOTALS, event);
    if (rows.length > 0 && rows[rows.length - 1].ts === event.ts) {
      rows[rows.length - 1] = { ...totals, ts: event.ts };
    } else {
      rows.push({ ...totals, ts: event.ts });
    }
    current = rows[rows.length - 1];
  }
  return rows;
}

/** Text columns to totals (both stores return decimal text for these columns). */
export function totalsFromText(
  row: Record<string, string | number | null> | undefined,
): HistoryTotals {
  if (!row) return ZERO_TOTALS;
  const t = { ...ZERO_TOTALS };
  for (const [field, column] of TOTALS_COLUMNS) t[field] = big(row[column]);
  return t;
}

/** Totals to the text columns, in `TOTALS_COLUMNS` order. */
export const totalsToText = (t: HistoryTotals): string[] =>
  TOTALS_COLUMNS.map(([field]) => t[field].toString());

/**
 * Whether these newly stored events (chain order) come after every stored row, so the totals
 * are extended; otherwise (an event older than the newest stored second, which chain order
 * never produces but an odd history could) the stores refold from the oldest such second.
 */
export const inOrderAfter = (base: TotalsRow | undefined, events: readonly StoredEvent[]) =>
  events.every((e, i) => (i === 0 ? !base || e.ts >= base.ts : e.ts >= events[i - 1].ts));
