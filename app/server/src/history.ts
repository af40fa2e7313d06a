/**
 * The treasury's history as time buckets, from the indexed events: per bucket, the revenue and
 * its split, the USDC spent on buybacks and the $ASHAO burned, the rewards paid, and the stake
 * at the bucket's end; plus running totals from the beginning of history (not from `from`).
 */
import type { StoredEvent } from "./store/store";

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
}

const big = (value: unknown) => BigInt(String(value ?? "0"));

/** Buckets `[from, to]` by `intervalSecs`; `events` are all events up to `to`, oldest first. */
export function buildHistory(
  events: StoredEvent[],
  fromSecs: number,
  toSecs: number,
  intervalSecs: number,
): HistoryPoint[] {
  const totals = { revenue: 0n, burned: 0n, spent: 0n, rewards: 0n, staked: 0n };
  const points: HistoryPoint[] = [];
  let e = 0;
  for (let start = fromSecs; start < toSecs; start += intervalSecs) {
    // `to` is inclusive: the last bucket takes events at exactly `to`.
    const end = Math.min(start + intervalSecs, toSecs + 1);
    const bucket = {
      revenue: 0n,
      toBuyback: 0n,
      toStakers: 0n,
      spent: 0n,
      burned: 0n,
      rewards: 0n,
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
    });
  }
  return points;
}
