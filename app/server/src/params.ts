/**
 * Inputs after the routes' schemas have checked their shape: the meaning left to check
 * (a time before the year 10000, a range that ends after it starts, a cursor), each refused
 * with a named 400.
 */
import type { PublicKey } from "@solana/web3.js";

import { TextKey } from "../../sdk/src";
import { badRequest } from "./errors";
import { HISTORY_INTERVALS, MAX_HISTORY_POINTS } from "./history";
import type { EventCursor, LatestEventsOptions, StoredEvent } from "./store/store";

export function walletParam(raw: string): PublicKey {
  try {
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(raw)) throw new Error();
    return new TextKey(raw);
  } catch {
    throw badRequest("InvalidWallet", `wallet is not a base58 Solana address (got ${raw})`);
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
  range: string | null;
}

/** The ranges the dashboard's selector offers, and how many points a chart of one should hold. */
export const HISTORY_RANGES: Readonly<Record<string, number | null>> = {
  "24h": 86_400,
  "7d": 7 * 86_400,
  "30d": 30 * 86_400,
  all: null,
};
const RANGE_TARGET_POINTS = 300;

export function historyQuery(
  query: { range?: string; from?: string; to?: string; interval?: string },
  nowSecs: number,
  /** When history begins (for `range=all`). */
  firstSecs: number,
): HistoryQuery {
  if (query.range !== undefined) {
    const span = HISTORY_RANGES[query.range];
    const from = span === null ? Math.min(firstSecs, nowSecs - 3_600) : nowSecs - span;
    const interval =
      Object.keys(HISTORY_INTERVALS).find(
        (name) => (nowSecs - from) / HISTORY_INTERVALS[name] <= RANGE_TARGET_POINTS,
      ) ?? "1d";
    return {
      from,
      to: nowSecs,
      interval,
      intervalSecs: HISTORY_INTERVALS[interval],
      range: query.range,
    };
  }
  const interval = query.interval ?? "1h";
  const intervalSecs = HISTORY_INTERVALS[interval];
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
  return { from, to, interval, intervalSecs, range: null };
}

export const MAX_PAGE_LIMIT = 500;

/** A page's query (`limit`, `cursor`, `before`) as the store's options. */
export function pageQuery(query: {
  limit?: number;
  cursor?: string;
  before?: string;
}): LatestEventsOptions {
  let cursor: EventCursor | undefined;
  if (query.cursor !== undefined) {
    const [ts, seq] = query.cursor.split("-").map(Number);
    cursor = { ts, seq };
  }
  return {
    limit: query.limit ?? 50,
    cursor,
    beforeTs: query.before === undefined ? undefined : timeParam("before", query.before, 0),
  };
}

/** The cursor of the page after `rows` (newest first), or null when this page is the last. */
export function nextCursor(rows: readonly StoredEvent[], limit: number): string | null {
  const last = rows[rows.length - 1];
  return rows.length === limit && last?.seq !== undefined ? `${last.ts}-${last.seq}` : null;
}
