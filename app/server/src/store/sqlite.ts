/**
 * The embedded store: SQLite through better-sqlite3, the file in WAL mode, so each batch costs
 * what it writes (its rows, the running totals it moves and the cursor, in one transaction)
 * rather than the whole database. Fits one API instance; several instances share PostgreSQL.
 */
import { mkdirSync } from "fs";
import { dirname } from "path";

import Database from "better-sqlite3";

import {
  type EventParty,
  type EventStore,
  type IndexCursor,
  type LatestEventsOptions,
  pageUpperTs,
  type StoredEvent,
  type UnverifiedTransaction,
  WORKER_TOTALS_BUILT,
  workerPayments,
  type WorkerTotals,
  ZERO_WORKER_TOTALS,
} from "./store";
import {
  foldTotals,
  type HistoryTotals,
  inOrderAfter,
  TOTALS_COLUMNS,
  type TotalsRow,
  totalsFromText,
  totalsToText,
} from "./totals";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  signature TEXT NOT NULL,
  idx INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (signature, idx)
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE INDEX IF NOT EXISTS events_name_ts ON events (name, ts);
CREATE INDEX IF NOT EXISTS events_owner ON events (json_extract(data, '$.owner'), ts);
CREATE INDEX IF NOT EXISTS events_worker ON events (json_extract(data, '$.worker'), ts);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history_totals (
  ts INTEGER PRIMARY KEY,
  ${TOTALS_COLUMNS.map(([, column]) => `${column} TEXT NOT NULL`).join(",\n  ")}
);
CREATE TABLE IF NOT EXISTS worker_totals (
  worker TEXT PRIMARY KEY,
  settlements INTEGER NOT NULL,
  base TEXT NOT NULL,
  boost TEXT NOT NULL,
  paid TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unverified (
  signature TEXT PRIMARY KEY,
  slot INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
  kind TEXT NOT NULL,
  ts INTEGER NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (kind, ts)
);
`;

/** Adds the totals' columns a store written by an earlier version lacks; whether it added any. */
function addMissingTotalsColumns(db: Database.Database): boolean {
  const present = new Set(
    (db.prepare("PRAGMA table_info(history_totals)").all() as { name: string }[]).map(
      (c) => c.name,
    ),
  );
  const missing = TOTALS_COLUMNS.filter(([, column]) => !present.has(column));
  for (const [, column] of missing) {
    db.exec(`ALTER TABLE history_totals ADD COLUMN ${column} TEXT NOT NULL DEFAULT '0'`);
  }
  return missing.length > 0;
}

interface EventRow {
  signature: string;
  idx: number;
  slot: number;
  ts: number;
  name: string;
  data: string;
  seq: number;
}

const toStoredEvent = (r: EventRow): StoredEvent => ({
  signature: r.signature,
  index: r.idx,
  slot: r.slot,
  ts: r.ts,
  name: r.name,
  data: JSON.parse(r.data) as StoredEvent["data"],
  seq: r.seq,
});

const COLUMNS = "signature, idx, slot, ts, name, data, seq";

/**
 * The conditions on a party's field, each written as its index's expression (a database written
 * before an index existed gets it on open: `CREATE INDEX IF NOT EXISTS`).
 */
function partyWhere(party: EventParty, where: string[], params: (string | number)[]): void {
  for (const field of ["owner", "worker"] as const) {
    const address = party[field];
    if (address === undefined) continue;
    where.push(`json_extract(data, '$.${field}') = ?`);
    params.push(address);
  }
}
const TOTALS = TOTALS_COLUMNS.map(([, column]) => column).join(", ");

export class SqliteEventStore implements EventStore {
  private readonly statements;
  /** Statements whose text depends on the query's shape, prepared once per shape. */
  private readonly shaped = new Map<string, Database.Statement>();
  private readonly insertBatch: (
    events: StoredEvent[],
    cursor: IndexCursor,
    unverified: readonly UnverifiedTransaction[],
  ) => StoredEvent[];

  private constructor(private readonly db: Database.Database) {
    const placeholders = TOTALS_COLUMNS.map(() => "?").join(", ");
    this.statements = {
      insert: db.prepare(
        "INSERT OR IGNORE INTO events (signature, idx, slot, ts, name, data) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      setMeta: db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"),
      deleteMeta: db.prepare("DELETE FROM meta WHERE key = ?"),
      cursor: db.prepare("SELECT key, value FROM meta WHERE key IN ('cursor', 'cursor_slot')"),
      insertUnverified: db.prepare(
        "INSERT OR IGNORE INTO unverified (signature, slot, ts, reason) VALUES (?, ?, ?, ?)",
      ),
      unverifiedCount: db.prepare("SELECT COUNT(*) FROM unverified").pluck(),
      newestUnverified: db.prepare(
        "SELECT signature, slot, ts, reason FROM unverified ORDER BY slot DESC, signature LIMIT ?",
      ),
      totalsAt: db.prepare(
        `SELECT ts, ${TOTALS} FROM history_totals WHERE ts <= ? ORDER BY ts DESC LIMIT 1`,
      ),
      totalsBefore: db.prepare(
        `SELECT ts, ${TOTALS} FROM history_totals WHERE ts < ? ORDER BY ts DESC LIMIT 1`,
      ),
      newestTotals: db.prepare(`SELECT ts, ${TOTALS} FROM history_totals ORDER BY ts DESC LIMIT 1`),
      upsertTotals: db.prepare(
        `INSERT OR REPLACE INTO history_totals (ts, ${TOTALS}) VALUES (?, ${placeholders})`,
      ),
      deleteTotalsFrom: db.prepare("DELETE FROM history_totals WHERE ts >= ?"),
      eventsFromInTimeOrder: db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE ts >= ? ORDER BY ts, seq`,
      ),
      count: db.prepare("SELECT COUNT(*) FROM events").pluck(),
      workerTotals: db.prepare(
        "SELECT settlements, base, boost, paid FROM worker_totals WHERE worker = ?",
      ),
      upsertWorkerTotals: db.prepare(
        "INSERT OR REPLACE INTO worker_totals (worker, settlements, base, boost, paid) VALUES (?, ?, ?, ?, ?)",
      ),
      getMeta: db.prepare("SELECT value FROM meta WHERE key = ?").pluck(),
    };
    this.insertBatch = db.transaction(
      (
        events: StoredEvent[],
        cursor: IndexCursor,
        unverified: readonly UnverifiedTransaction[],
      ) => {
        const added: StoredEvent[] = [];
        for (const e of events) {
          const { changes } = this.statements.insert.run(
            e.signature,
            e.index,
            e.slot,
            e.ts,
            e.name,
            JSON.stringify(e.data),
          );
          if (changes > 0) added.push(e);
        }
        this.addTotals(added);
        this.addWorkerTotals(added);
        for (const u of unverified) {
          this.statements.insertUnverified.run(u.signature, u.slot, u.ts, u.reason);
        }
        this.statements.setMeta.run("cursor", cursor.signature);
        if (cursor.slot === null) this.statements.deleteMeta.run("cursor_slot");
        else this.statements.setMeta.run("cursor_slot", String(cursor.slot));
        return added;
      },
    );
  }

  static async open(path?: string): Promise<SqliteEventStore> {
    if (path) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path ?? ":memory:");
    // WAL: a batch appends its pages to the log instead of rewriting the file, and readers are
    // not blocked. `synchronous = NORMAL` is crash-safe for the process (a kill -9 loses
    // nothing committed); a power cut may lose the last batches, which are indexed again from
    // the cursor they took with them.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(SCHEMA);
    const added = addMissingTotalsColumns(db);
    const store = new SqliteEventStore(db);
    store.backfillTotals(added);
    store.backfillWorkerTotals();
    return store;
  }

  /** A store written before the workers' totals existed gets them from its rows, once. */
  private backfillWorkerTotals(): void {
    if (this.statements.getMeta.get(WORKER_TOTALS_BUILT) !== undefined) return;
    this.db.transaction(() => {
      this.db.exec("DELETE FROM worker_totals");
      const rows = this.db
        .prepare(`SELECT ${COLUMNS} FROM events WHERE name = 'workerPaid' ORDER BY seq`)
        .all() as EventRow[];
      this.addWorkerTotals(rows.map(toStoredEvent));
      this.statements.setMeta.run(WORKER_TOTALS_BUILT, "1");
    })();
  }

  /** Adds the new rows' worker payments to their workers' totals. */
  private addWorkerTotals(added: readonly StoredEvent[]): void {
    for (const [worker, add] of workerPayments(added)) {
      const t = this.readWorkerTotals(worker);
      this.statements.upsertWorkerTotals.run(
        worker,
        t.settlements + add.settlements,
        (t.base + add.base).toString(),
        (t.boost + add.boost).toString(),
        (t.paid + add.paid).toString(),
      );
    }
  }

  private readWorkerTotals(worker: string): WorkerTotals {
    const row = this.statements.workerTotals.get(worker) as
      | { settlements: number; base: string; boost: string; paid: string }
      | undefined;
    return row
      ? {
          settlements: row.settlements,
          base: BigInt(row.base),
          boost: BigInt(row.boost),
          paid: BigInt(row.paid),
        }
      : ZERO_WORKER_TOTALS;
  }

  /**
   * A store written before the running totals existed, or before some of their columns did,
   * gets them from its rows, once.
   */
  private backfillTotals(columnsAdded: boolean): void {
    if (this.statements.newestTotals.get() !== undefined && !columnsAdded) return;
    if (Number(this.statements.count.get()) === 0) return;
    this.db.transaction(() => this.refoldFrom(Number.MIN_SAFE_INTEGER))();
  }

  private addTotals(added: StoredEvent[]): void {
    if (added.length === 0) return;
    const base = this.totalsRow(this.statements.newestTotals.get());
    if (!inOrderAfter(base, added)) {
      this.refoldFrom(Math.min(...added.map((e) => e.ts)));
      return;
    }
    for (const row of foldTotals(base, added)) this.writeTotals(row);
  }

  /** Recomputes the totals from second `ts` on, from the rows (in time order). */
  private refoldFrom(ts: number): void {
    this.statements.deleteTotalsFrom.run(ts);
    const base = this.totalsRow(this.statements.totalsBefore.get(ts));
    const events = (this.statements.eventsFromInTimeOrder.all(ts) as EventRow[]).map(toStoredEvent);
    for (const row of foldTotals(base, events)) this.writeTotals(row);
  }

  private writeTotals(row: TotalsRow): void {
    this.statements.upsertTotals.run(row.ts, ...totalsToText(row));
  }

  private totalsRow(row: unknown): TotalsRow | undefined {
    if (row === undefined) return undefined;
    const r = row as Record<string, string | number>;
    return { ...totalsFromText(r), ts: Number(r.ts) };
  }

  private prepared(sql: string): Database.Statement {
    let statement = this.shaped.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.shaped.set(sql, statement);
    }
    return statement;
  }

  async insert(
    events: StoredEvent[],
    cursor: IndexCursor,
    unverified: readonly UnverifiedTransaction[] = [],
  ): Promise<StoredEvent[]> {
    return this.insertBatch(events, cursor, unverified);
  }

  async cursor(): Promise<IndexCursor | undefined> {
    const meta = new Map(
      (this.statements.cursor.all() as { key: string; value: string }[]).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const signature = meta.get("cursor");
    if (signature === undefined) return undefined;
    const slot = meta.get("cursor_slot");
    return { signature, slot: slot === undefined ? null : Number(slot) };
  }

  async unverified(limit: number): Promise<{ count: number; newest: UnverifiedTransaction[] }> {
    return {
      count: Number(this.statements.unverifiedCount.get()),
      newest: this.statements.newestUnverified.all(limit) as UnverifiedTransaction[],
    };
  }

  async eventsSince(fromTs: number, names?: readonly string[]): Promise<StoredEvent[]> {
    const params: (string | number)[] = [fromTs];
    let where = "ts >= ?";
    if (names) {
      where += ` AND name IN (${names.map(() => "?").join(", ")})`;
      params.push(...names);
    }
    const rows = this.prepared(`SELECT ${COLUMNS} FROM events WHERE ${where} ORDER BY seq`).all(
      ...params,
    ) as EventRow[];
    return rows.map(toStoredEvent);
  }

  async totalsAt(times: readonly number[]): Promise<HistoryTotals[]> {
    return times.map((t) =>
      totalsFromText(this.statements.totalsAt.get(t) as Record<string, string> | undefined),
    );
  }

  async saveCheckpoint(kind: string, ts: number, state: string): Promise<void> {
    this.prepared("INSERT OR IGNORE INTO checkpoints (kind, ts, state) VALUES (?, ?, ?)").run(
      kind,
      ts,
      state,
    );
  }

  async checkpointAtOrBefore(
    kind: string,
    ts: number,
  ): Promise<{ ts: number; state: string } | undefined> {
    return this.prepared(
      "SELECT ts, state FROM checkpoints WHERE kind = ? AND ts <= ? ORDER BY ts DESC LIMIT 1",
    ).get(kind, ts) as { ts: number; state: string } | undefined;
  }

  async latestEvents(
    names: readonly string[],
    options: LatestEventsOptions,
  ): Promise<StoredEvent[]> {
    const { limit, cursor } = options;
    if (names.length === 0) return [];
    const where = [`name IN (${names.map(() => "?").join(", ")})`, "ts <= ?"];
    const params: (string | number)[] = [...names, pageUpperTs(options)];
    if (cursor) {
      where.push("(ts < ? OR seq < ?)");
      params.push(cursor.ts, cursor.seq);
    }
    partyWhere(options, where, params);
    const rows = this.prepared(
      `SELECT ${COLUMNS} FROM events
       WHERE ${where.join(" AND ")} ORDER BY ts DESC, seq DESC LIMIT ?`,
    ).all(...params, limit) as EventRow[];
    return rows.map(toStoredEvent);
  }

  async workerTotals(worker: string): Promise<WorkerTotals> {
    return this.readWorkerTotals(worker);
  }

  async count(): Promise<number> {
    return Number(this.statements.count.get());
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
