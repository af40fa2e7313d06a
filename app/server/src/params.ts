/** Query and path parameters, validated into typed values or a named 400. */
import { PublicKey } from "@solana/web3.js";

import { badRequest } from "./errors";
import { HISTORY_INTERVALS, MAX_HISTORY_POINTS } from "./history";

export function walletParam(raw: string): PublicKey {
  try {
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(raw)) throw new Error();
    return new PublicKey(raw);
  } catch {
    throw badRequest("InvalidWallet", `"${raw}" is not a base58 Solana address`);
  }
}

/** The latest time accepted: the end of year 9999. */
const MAX_TIME_SECS = 253_402_300_799;

/** A time as unix seconds or an ISO 8601 date. */
export function timeParam(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TIME_SECS) {
    throw badRequest(
      "InvalidTime",
      `${name} must be unix seconds or an ISO 8601 date before the year 10000 (got ${raw})`,
    );
  }
  return Math.floor(seconds);
}

export interface HistoryQuery {
  from: number;
  to: number;
  interval: string;
  intervalSecs: number;
}

export function historyQuery(
  query: Record<string, string | undefined>,
  nowSecs: number,
): HistoryQuery {
  const interval = query.interval ?? "1h";
  const intervalSecs = HISTORY_INTERVALS[interval];
  if (intervalSecs === undefined) {
    throw badRequest(
      "InvalidInterval",
      `interval must be one of ${Object.keys(HISTORY_INTERVALS).join(", ")} (got ${interval})`,
    );
  }
  const to = timeParam("to", query.to, nowSecs);
  const from = timeParam("from", query.from, to - 24 * 3_600);
  if (from >= to) throw badRequest("InvalidRange", `from (${from}) must be before to (${to})`);
  const points = Math.ceil((to - from) / intervalSecs);
  if (points > MAX_HISTORY_POINTS) {
    throw badRequest(
      "TooManyPoints",
      `${points} points asked; at most ${MAX_HISTORY_POINTS}: widen the interval or narrow the range`,
    );
  }
  return { from, to, interval, intervalSecs };
}

/** A page of rows: `limit` (1..max, default `fallback`) and `before` (a time, exclusive). */
export interface PageQuery {
  limit: number;
  beforeTs?: number;
}

export const MAX_PAGE_LIMIT = 500;

export function pageQuery(query: Record<string, string | undefined>, fallback = 50): PageQuery {
  const raw = query.limit;
  const limit = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!/^\d*$/.test(raw ?? "") || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw badRequest(
      "InvalidLimit",
      `limit must be an integer from 1 to ${MAX_PAGE_LIMIT} (got ${raw})`,
    );
  }
  const before = query.before;
  return {
    limit,
    beforeTs: before === undefined || before === "" ? undefined : timeParam("before", before, 0),
  };
}
