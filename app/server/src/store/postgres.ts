/**
 * The server store: PostgreSQL, for several API instances sharing one history (each runs its own
 * indexer; the (signature, idx) key makes their inserts idempotent).
 */
import { Pool } from "pg";

import type { EventStore, LatestEventsOptions, StoredEvent } from "./store";

interface EventRow {
  seq: string;
  signature: string;
  idx: number;
  slot: string;
  ts: string;
  name: string;
  data: StoredEvent["data"];
}

const toStoredEvent = (r: EventRow): StoredEvent => ({
  signature: r.signature,
  index: r.idx,
  slot: Number(r.slot),
  ts: Number(r.ts),
  name: r.name,
  data: r.data,
  seq: Number(r.seq),
});

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ashao_events (
  seq BIGSERIAL PRIMARY KEY,
  signature TEXT NOT NULL,
  idx INTEGER NOT NULL,
  slot BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  name TEXT NOT NULL,
  data JSONB NOT NULL,
  UNIQUE (signature, idx)
);
CREATE INDEX IF NOT EXISTS ashao_events_ts ON ashao_events (ts);
CREATE INDEX IF NOT EXISTS ashao_events_owner ON ashao_events ((data->>'owner'), ts);
CREATE TABLE IF NOT EXISTS ashao_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export class PostgresEventStore implements EventStore {
  private constructor(private readonly pool: Pool) {}

  static async open(url: string): Promise<PostgresEventStore> {
    const pool = new Pool({ connectionString: url, max: 4 });
    // An idle connection the server drops (a restart, or a shutdown racing `end()`, which does
    // not wait for sockets to close) is an 'error' on the pool, fatal to the process unless
    // handled. The pool has already discarded it and the next query connects afresh; a query
    // that fails reports its own error.
    pool.on("error", () => undefined);
    await pool.query(SCHEMA);
    return new PostgresEventStore(pool);
  }

  async insert(events: StoredEvent[], cursor: string): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      let inserted = 0;
      for (const e of events) {
        const result = await client.query(
          `INSERT INTO ashao_events (signature, idx, slot, ts, name, data)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (signature, idx) DO NOTHING`,
          [e.signature, e.index, e.slot, e.ts, e.name, JSON.stringify(e.data)],
        );
        inserted += result.rowCount ?? 0;
      }
      await client.query(
        `INSERT INTO ashao_meta (key, value) VALUES ('cursor', $1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [cursor],
      );
      await client.query("COMMIT");
      return inserted;
    } catch (err) {
      await client.query("ROLLBACK");
      throw err;
    } finally {
      client.release();
    }
  }

  async cursor(): Promise<string | undefined> {
    const result = await this.pool.query<{ value: string }>(
      "SELECT value FROM ashao_meta WHERE key = 'cursor'",
    );
    return result.rows[0]?.value;
  }

  async eventsUntil(toTs: number): Promise<StoredEvent[]> {
    const result = await this.pool.query<EventRow>(
      "SELECT seq, signature, idx, slot, ts, name, data FROM ashao_events WHERE ts <= $1 ORDER BY seq",
      [toTs],
    );
    return result.rows.map(toStoredEvent);
  }

  async latestEvents(
    names: readonly string[],
    { limit, beforeTs, cursor, owner }: LatestEventsOptions,
  ): Promise<StoredEvent[]> {
    const params: unknown[] = [names, beforeTs ?? Number.MAX_SAFE_INTEGER];
    const where = ["name = ANY($1)", "ts < $2"];
    if (cursor) {
      params.push(cursor.ts, cursor.seq);
      where.push(
        `(ts < $${params.length - 1} OR (ts = $${params.length - 1} AND seq < $${params.length}))`,
      );
    }
    if (owner !== undefined) {
      params.push(owner);
      where.push(`data->>'owner' = $${params.length}`);
    }
    params.push(limit);
    const result = await this.pool.query<EventRow>(
      `SELECT seq, signature, idx, slot, ts, name, data FROM ashao_events
       WHERE ${where.join(" AND ")} ORDER BY ts DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    return result.rows.map(toStoredEvent);
  }

  async count(): Promise<number> {
    const result = await this.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM ashao_events");
    return Number(result.rows[0].n);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
