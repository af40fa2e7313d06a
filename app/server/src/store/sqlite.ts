/**
 * The embedded store: SQLite compiled to WebAssembly (sql.js), held in memory and written to its
 * file (atomically, by rename) after every batch. Fits one API instance and a history of up to a
 * few hundred thousand events; beyond that, or for several instances, use PostgreSQL.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import { dirname } from "path";

import initSqlJs, { type Database, type Statement } from "sql.js";

import type { EventStore, LatestEventsOptions, StoredEvent } from "./store";

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
CREATE INDEX IF NOT EXISTS events_owner ON events (json_extract(data, '$.owner'), ts);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export class SqliteEventStore implements EventStore {
  private constructor(
    private readonly db: Database,
    private readonly path: string | undefined,
  ) {}

  static async open(path?: string): Promise<SqliteEventStore> {
    const SQL = await initSqlJs();
    const db = path && existsSync(path) ? new SQL.Database(readFileSync(path)) : new SQL.Database();
    db.run(SCHEMA);
    return new SqliteEventStore(db, path);
  }

  async insert(events: StoredEvent[], cursor: string): Promise<number> {
    let inserted = 0;
    this.db.run("BEGIN");
    try {
      const statement = this.db.prepare(
        "INSERT OR IGNORE INTO events (signature, idx, slot, ts, name, data) VALUES (?, ?, ?, ?, ?, ?)",
      );
      for (const e of events) {
        statement.run([e.signature, e.index, e.slot, e.ts, e.name, JSON.stringify(e.data)]);
        inserted += this.db.getRowsModified();
      }
      statement.free();
      this.db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('cursor', ?)", [cursor]);
      this.db.run("COMMIT");
    } catch (err) {
      this.db.run("ROLLBACK");
      throw err;
    }
    this.persist();
    return inserted;
  }

  async cursor(): Promise<string | undefined> {
    const rows = this.db.exec("SELECT value FROM meta WHERE key = 'cursor'");
    return rows[0]?.values[0]?.[0] as string | undefined;
  }

  async eventsUntil(toTs: number): Promise<StoredEvent[]> {
    const statement = this.db.prepare(
      "SELECT signature, idx, slot, ts, name, data, seq FROM events WHERE ts <= ? ORDER BY seq",
    );
    statement.bind([toTs]);
    return this.rows(statement);
  }

  async latestEvents(
    names: readonly string[],
    { limit, beforeTs, cursor, owner }: LatestEventsOptions,
  ): Promise<StoredEvent[]> {
    if (names.length === 0) return [];
    const where = [`name IN (${names.map(() => "?").join(", ")})`, "ts < ?"];
    const params: (string | number)[] = [...names, beforeTs ?? Number.MAX_SAFE_INTEGER];
    if (cursor) {
      where.push("(ts < ? OR (ts = ? AND seq < ?))");
      params.push(cursor.ts, cursor.ts, cursor.seq);
    }
    if (owner !== undefined) {
      where.push("json_extract(data, '$.owner') = ?");
      params.push(owner);
    }
    const statement = this.db.prepare(
      `SELECT signature, idx, slot, ts, name, data, seq FROM events
       WHERE ${where.join(" AND ")} ORDER BY ts DESC, seq DESC LIMIT ?`,
    );
    statement.bind([...params, limit]);
    return this.rows(statement);
  }

  private rows(statement: Statement): StoredEvent[] {
    const events: StoredEvent[] = [];
    while (statement.step()) {
      const [signature, index, slot, ts, name, data, seq] = statement.get();
      events.push({
        signature: String(signature),
        index: Number(index),
        slot: Number(slot),
        ts: Number(ts),
        name: String(name),
        data: JSON.parse(String(data)) as StoredEvent["data"],
        ...(seq === undefined ? {} : { seq: Number(seq) }),
      });
    }
    statement.free();
    return events;
  }

  async count(): Promise<number> {
    return Number(this.db.exec("SELECT COUNT(*) FROM events")[0].values[0][0]);
  }

  async close(): Promise<void> {
    this.persist();
    this.db.close();
  }

  private persist() {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const partial = `${this.path}.partial`;
    writeFileSync(partial, this.db.export());
    renameSync(partial, this.path);
  }
}
