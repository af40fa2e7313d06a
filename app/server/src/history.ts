/**
 * The treasury's history as time buckets: per bucket, the revenue (usage settled and direct) and
 * its split, what usage paid workers (boosts included), the USDC spent
 * on buybacks and the $ASHAO burned, the rewards paid, and the stake at the bucket's end; plus
 * running totals from the beginning of history (not from `from`). Read from the running totals
 * the store keeps at insert time (`store/totals.ts`), so a query costs one index read per point
 * however long the history is.
 */
import type { UnverifiedTransaction } from "./store/store";
import type { HistoryTotals } from "./store/totals";

/** The intervals the API accepts, in seconds. */
export const HISTORY_INTERVALS: Readonly<Record<string, number>> = {
  "1m": 60,
  "5m": 300,
  "15m": 900,
  "1h": 3_600,
  "6h": 21_600,
  "1d": 86_400,
};

export const MAX_HISTORY_POINTS = 2_000;

export interface HistoryPoint {
  t: string;
  revenue: string;
  /** Of `revenue`, what settled usage brought and what came as deposits (or synced transfers). */
  usageRevenue: string;
  directRevenue: string;
  /** Usage settled in the bucket: what workers were paid (boosts included), and the boosts. */
  paidToWorkers: string;
  boostPaid: string;
  toBuyback: string;
  toStakers: string;
  buybackUsdcSpent: string;
  ashaoBurned: string;
  rewardsPaid: string;
  totalStaked: string;
  cumulativeRevenue: string;
  cumulativeBurned: string;
  cumulativeUsdcSpent: string;
  cumulativeRewardsPaid: string;
  cumulativePaidToWorkers: string;
  /** Transactions in the bucket whose logs were truncated: its figures may miss their events. */
  unverified: number;
}

/** The times whose totals a history needs: before each bucket, and the last bucket's end. */
export function historyTimes(fromSecs: number, toSecs: number, intervalSecs: number): number[] {
  const times: number[] = [];
  let start = fromSecs;
  for (; start < toSecs; start += intervalSecs) times.push(start - 1);
  // A bucket ends where the next starts; the last at most at `to` inclusive (it takes events at
  // exactly `to` unless a whole bucket ends there).
  times.push(Math.min(start, toSecs + 1) - 1);
  return times;
}

/**
 * Buckets `[from, to]` by `intervalSecs`, from `totals` (the store's running totals at each of
 * `historyTimes(from, to, interval)`): a bucket is the difference of the totals at its edges.
 * Each bucket counts the `unverified` transactions that fall in it.
 */
export function buildHistory(
  totals: readonly HistoryTotals[],
  fromSecs: number,
  intervalSecs: number,
  unverified: readonly UnverifiedTransaction[] = [],
): HistoryPoint[] {
  return totals.slice(1).map((end, i) => {
    const start = totals[i];
    const bucketStart = fromSecs + i * intervalSecs;
    return {
      t: new Date((fromSecs + i * intervalSecs) * 1000).toISOString(),
      revenue: (end.revenue - start.revenue).toString(),
      usageRevenue: (end.usageRevenue - start.usageRevenue).toString(),
      directRevenue: (
        end.revenue -
        end.usageRevenue -
        (start.revenue - start.usageRevenue)
      ).toString(),
      paidToWorkers: (end.paidToWorkers - start.paidToWorkers).toString(),
      boostPaid: (end.boostPaid - start.boostPaid).toString(),
      toBuyback: (end.toBuyback - start.toBuyback).toString(),
      toStakers: (end.toStakers - start.toStakers).toString(),
      buybackUsdcSpent: (end.usdcSpent - start.usdcSpent).toString(),
      ashaoBurned: (end.ashaoBurned - start.ashaoBurned).toString(),
      rewardsPaid: (end.rewardsPaid - start.rewardsPaid).toString(),
      totalStaked: end.totalStaked.toString(),
      cumulativeRevenue: end.revenue.toString(),
      cumulativeBurned: end.ashaoBurned.toString(),
      cumulativeUsdcSpent: end.usdcSpent.toString(),
      cumulativeRewardsPaid: end.rewardsPaid.toString(),
      cumulativePaidToWorkers: end.paidToWorkers.toString(),
      unverified: unverified.filter((u) => u.ts >= bucketStart && u.ts < bucketStart + intervalSecs)
        .length,
    };
  });
}
