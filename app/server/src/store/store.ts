/**
 * Where the indexer keeps the program's events: an embedded SQLite file by default
 * (better-sqlite3, WAL), PostgreSQL when several API instances share one history. Rows are keyed
 * by (signature, event index), so re-indexing a transaction never counts it twice; the cursor
 * (the newest signature indexed and its slot), the transactions whose logs were truncated and
 * the history's running totals (`totals.ts`) are written in the same transaction as the rows
 * they cover.
 */
import type { HistoryTotals } from "./totals";

export type EventValue = string | number | boolean | null;

export interface StoredEvent {
  signature: string;
  /** Position of the event within its transaction's logs. */
  index: number;
  slot: number;
  /** The event's `unix_timestamp` (chain time, seconds). */
  ts: number;
  /** Event name as in the IDL (`revenueDeposited`, `buybackExecuted`, …). */
  name: string;
  /** Fields, amounts as decimal strings, keys as base58. */
  data: Record<string, EventValue>;
  /** The row's place in the store (insertion order, which is chain order); set on reads. */
  seq?: number;
}

/**
 * Where indexing stands: the newest signature stored, at the end of its slot (a batch always
 * holds whole slots), and that slot. `slot` is null in a store written before it was kept.
 */
export interface IndexCursor {
  signature: string;
  slot: number | null;
}

/**
 * A transaction whose events may be incomplete: its logs hit the runtime's limit ("Log
 * truncated"), so events emitted after that point are missing from the history.
 */
export interface UnverifiedTransaction {
  signature: string;
  slot: number;
  /** Chain time of its block (unix seconds; 0 when the node gives none). */
  ts: number;
  reason: "logTruncated";
}

/** A row's place in the newest-first order: the next page starts strictly after it. */
export interface EventCursor {
  ts: number;
  seq: number;
}

export interface LatestEventsOptions {
  limit: number;
  /** Only events strictly before this chain time (unix seconds). */
  beforeTs?: number;
  /** Only events after this one in the newest-first order (the previous page's last row). */
  cursor?: EventCursor;
  /** Only events whose `owner` field is this address (a staker's own actions). */
  owner?: string;
  /** Only events whose `worker` field is this address (a worker's payments). */
  worker?: string;
}

/** The parties an event is indexed by: its `owner` (a staker) or its `worker`. */
export type EventParty = Pick<LatestEventsOptions, "owner" | "worker">;

/**
 * What settled usage paid one worker in all: its `WorkerPaid` events counted and summed, kept
 * by the stores at insert time (in the same transaction as the rows), so a worker's totals are
 * one row read however many settlements paid them.
 */
export interface WorkerTotals {
  settlements: number;
  base: bigint;
  boost: bigint;
  paid: bigint;
}

export const ZERO_WORKER_TOTALS: WorkerTotals = { settlements: 0, base: 0n, boost: 0n, paid: 0n };

/** What `events` add to each worker's totals (their `workerPaid` events), by worker. */
export function workerPayments(events: readonly StoredEvent[]): Map<string, WorkerTotals> {
  const byWorker = new Map<string, WorkerTotals>();
  for (const { name, data } of events) {
    if (name !== "workerPaid") continue;
    const worker = String(data.worker);
    const t = byWorker.get(worker) ?? ZERO_WORKER_TOTALS;
    byWorker.set(worker, {
      settlements: t.settlements + 1,
      base: t.base + BigInt(String(data.base)),
      boost: t.boost + BigInt(String(data.boost)),
      paid: t.paid + BigInt(String(data.paid)),
    });
  }
  return byWorker;
}

/** The meta key a store sets once its workers' totals hold every stored row. */
export const WORKER_TOTALS_BUILT = "worker_totals_built";

/**
 * A page's one upper bound on `ts` (the tighter of `beforeTs` and the cursor's second), so that
 * an index on `ts` starts its range at the page's first row instead of scanning down to it from
 * the newest: the cursor's tie-break on `seq` is then `ts < cursor.ts OR seq < cursor.seq`.
 */
export function pageUpperTs({ beforeTs, cursor }: LatestEventsOptions): number {
  return Math.min(
    beforeTs === undefined ? Number.MAX_SAFE_INTEGER : beforeTs - 1,
    cursor?.ts ?? Number.MAX_SAFE_INTEGER,
  );
}

export interface EventStore {
  /**
   * Inserts the rows not already stored, records the unverified transactions and moves the
   * cursor, in one transaction; returns the rows that were new (in the order given).
   */
  insert(
    events: StoredEvent[],
    cursor: IndexCursor,
    unverified?: readonly UnverifiedTransaction[],
  ): Promise<StoredEvent[]>;
  /** Where indexing stands, if anything was indexed. */
  cursor(): Promise<IndexCursor | undefined>;
  /** How many transactions are unverified, and the newest `limit` of them (newest first). */
  unverified(limit: number): Promise<{ count: number; newest: UnverifiedTransaction[] }>;
  /** Events with `ts >= fromTs` (named one of `names` when given), in chain order. */
  eventsSince(fromTs: number, names?: readonly string[]): Promise<StoredEvent[]>;
  /** For each time, the totals of every event at or before it (one index read per time). */
  totalsAt(times: readonly number[]): Promise<HistoryTotals[]>;
  /** Saves a checkpoint of derived state (kept if one is already saved for `kind` at `ts`). */
  saveCheckpoint(kind: string, ts: number, state: string): Promise<void>;
  /** The newest checkpoint of `kind` at or before `ts`. */
  checkpointAtOrBefore(
    kind: string,
    ts: number,
  ): Promise<{ ts: number; state: string } | undefined>;
  /**
   * The newest `limit` events named one of `names`, newest first (by chain time, then by
   * `seq`), narrowed by `beforeTs`, `cursor`, `owner` and `worker` when given.
   */
  latestEvents(names: readonly string[], options: LatestEventsOptions): Promise<StoredEvent[]>;
  /** What settled usage paid `worker` in all (zeros for a wallet never paid). */
  workerTotals(worker: string): Promise<WorkerTotals>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** `sqlite:<path>` (or `sqlite::memory:`), or a `postgres://` URL. */
export async function openEventStore(database: string): Promise<EventStore> {
  if (database.startsWith("postgres://") || database.startsWith("postgresql://")) {
    const { PostgresEventStore } = await import("./postgres");
    return PostgresEventStore.open(database);
  }
  if (database.startsWith("sqlite:")) {
    const { SqliteEventStore } = await import("./sqlite");
    const path = database.slice("sqlite:".length);
    return SqliteEventStore.open(path === ":memory:" ? undefined : path);
  }
  throw new Error(
    `unsupported database ${database}: use sqlite:<file>, sqlite::memory: or postgres://…`,
  );
}
