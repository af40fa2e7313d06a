/**
 * The server store: PostgreSQL, for several API instances sharing one history (each runs its own
 * indexer; the (signature, idx) key makes their inserts idempotent, and an advisory lock held
 * by each batch's transaction keeps the running totals in chain order).
 */
import { Pool, type PoolClient } from "pg";

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

const TOTALS = TOTALS_COLUMNS.map(([, column]) => column).join(", ");

/**
 * The conditions on a party's field, each written as its index's expression (a database written
 * before an index existed gets it on open: `CREATE INDEX IF NOT EXISTS`).
 */
function partyWhere(party: EventParty, where: string[], params: unknown[]): void {
  for (const field of ["owner", "worker"] as const) {
    const address = party[field];
    if (address === undefined) continue;
    params.push(address);
    where.push(`data->>'${field}' = $${params.length}`);
  }
}

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
CREATE INDEX IF NOT EXISTS ashao_events_name_ts ON ashao_events (name, ts, seq);
CREATE INDEX IF NOT EXISTS ashao_events_owner ON ashao_events ((data->>'owner'), ts);
CREATE INDEX IF NOT EXISTS ashao_events_worker ON ashao_events ((data->>'worker'), ts);
CREATE TABLE IF NOT EXISTS ashao_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ashao_history_totals (
  ts BIGINT PRIMARY KEY,
  ${TOTALS_COLUMNS.map(([, column]) => `${column} NUMERIC NOT NULL`).join(",\n  ")}
);
CREATE TABLE IF NOT EXISTS ashao_worker_totals (
  worker TEXT PRIMARY KEY,
  settlements BIGINT NOT NULL,
  base NUMERIC NOT NULL,
  boost NUMERIC NOT NULL,
  paid NUMERIC NOT NULL
);
CREATE TABLE IF NOT EXISTS ashao_unverified (
  signature TEXT PRIMARY KEY,
  slot BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ashao_checkpoints (
  kind TEXT NOT NULL,
  ts BIGINT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (kind, ts)
);
`;

/** The advisory lock key of the totals' writers (any constant the database does not use). */
const TOTALS_LOCK = 0x61736861;

export class PostgresEventStore implements EventStore {
  private constructor(private readonly pool: Pool) {}

  static async open(url: string): Promise<PostgresEventStore> {
    const pool = new Pool({ connectionString: url, max: 4 });
    // An idle connection the server drops (a restart, or a shutdown racing `end()`, which does
    // not wait for sockets to close) is an 'error' on the pool, fatal to the process unless
    // handled. The pool has already discarded it and the next query connects afresh; a query
    // that fails reports its own error.
    pool.on("error", () => undefined);
    const store = new PostgresEventStore(pool);
    // Instances starting together would race on CREATE ... IF NOT EXISTS; the lock orders them.
    await store.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [TOTALS_LOCK]);
      await client.query(SCHEMA);
      // A database written before the running totals existed, or before some of their columns
      // did, gets them (zero) and then its totals from its rows, once.
      const present = await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'ashao_history_totals'`,
      );
      const have = new Set(present.rows.map((r) => r.column_name));
      const missing = TOTALS_COLUMNS.filter(([, column]) => !have.has(column));
      for (const [, column] of missing) {
        await client.query(
          `ALTER TABLE ashao_history_totals ADD COLUMN ${column} NUMERIC NOT NULL DEFAULT 0`,
        );
      }
      const totals = await client.query("SELECT 1 FROM ashao_history_totals LIMIT 1");
      const events = await client.query("SELECT 1 FROM ashao_events LIMIT 1");
      if ((totals.rowCount === 0 || missing.length > 0) && events.rowCount !== 0) {
        await store.refoldFrom(client, Number.MIN_SAFE_INTEGER);
      }
      // A database written before the workers' totals existed gets them from its rows, once.
      const built = await client.query("SELECT 1 FROM ashao_meta WHERE key = $1", [
        WORKER_TOTALS_BUILT,
      ]);
      if (built.rowCount === 0) {
        await client.query("DELETE FROM ashao_worker_totals");
        await client.query(
          `INSERT INTO ashao_worker_totals (worker, settlements, base, boost, paid)
           SELECT data->>'worker', COUNT(*), SUM((data->>'base')::numeric),
             SUM((data->>'boost')::numeric), SUM((data->>'paid')::numeric)
           FROM ashao_events WHERE name = 'workerPaid' GROUP BY 1`,
        );
        await client.query("INSERT INTO ashao_meta (key, value) VALUES ($1, '1')", [
          WORKER_TOTALS_BUILT,
        ]);
      }
    });
    return store;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK");
      throw err;
    } finally {
      client.release();
    }
  }

  async insert(
    events: StoredEvent[],
    cursor: IndexCursor,
    unverified: readonly UnverifiedTransaction[] = [],
  ): Promise<StoredEvent[]> {
    return this.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [TOTALS_LOCK]);
      let added: StoredEvent[] = [];
      if (events.length > 0) {
        // One statement for the batch; unnest keeps the array order, so `seq` is chain order.
        const result = await client.query<{ signature: string; idx: number }>(
          `INSERT INTO ashao_events (signature, idx, slot, ts, name, data)
           SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::text[], $6::jsonb[])
           ON CONFLICT (signature, idx) DO NOTHING RETURNING signature, idx`,
          [
            events.map((e) => e.signature),
            events.map((e) => e.index),
            events.map((e) => e.slot),
            events.map((e) => e.ts),
            events.map((e) => e.name),
            events.map((e) => JSON.stringify(e.data)),
          ],
        );
        const inserted = new Set(result.rows.map((r) => `${r.signature}:${r.idx}`));
        added = events.filter((e) => inserted.has(`${e.signature}:${e.index}`));
      }
      await this.addTotals(client, added);
      const payments = [...workerPayments(added)];
      if (payments.length > 0) {
        // Added to what is stored (the advisory lock orders the writers: nothing counted twice).
        await client.query(
          `INSERT INTO ashao_worker_totals AS t (worker, settlements, base, boost, paid)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::numeric[], $4::numeric[], $5::numeric[])
           ON CONFLICT (worker) DO UPDATE SET settlements = t.settlements + EXCLUDED.settlements,
             base = t.base + EXCLUDED.base, boost = t.boost + EXCLUDED.boost,
             paid = t.paid + EXCLUDED.paid`,
          [
            payments.map(([worker]) => worker),
            payments.map(([, p]) => p.settlements),
            payments.map(([, p]) => p.base.toString()),
            payments.map(([, p]) => p.boost.toString()),
            payments.map(([, p]) => p.paid.toString()),
          ],
        );
      }
      if (unverified.length > 0) {
        await client.query(
          `INSERT INTO ashao_unverified (signature, slot, ts, reason)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])
           ON CONFLICT (signature) DO NOTHING`,
          [
            unverified.map((u) => u.signature),
            unverified.map((u) => u.slot),
            unverified.map((u) => u.ts),
            unverified.map((u) => u.reason),
          ],
        );
      }
      await client.query(
        `INSERT INTO ashao_meta (key, value) VALUES ('cursor', $1), ('cursor_slot', $2)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [cursor.signature, cursor.slot === null ? "" : String(cursor.slot)],
      );
      return added;
    });
  }

  private async addTotals(client: PoolClient, added: StoredEvent[]): Promise<void> {
    if (added.length === 0) return;
    const newest = await client.query<Record<string, string>>(
      `SELECT ts, ${TOTALS} FROM ashao_history_totals ORDER BY ts DESC LIMIT 1`,
    );
    const base = totalsRow(newest.rows[0]);
    if (!inOrderAfter(base, added)) {
      await this.refoldFrom(client, Math.min(...added.map((e) => e.ts)));
      return;
    }
    await writeTotals(client, foldTotals(base, added));
  }

  /** Recomputes the totals from second `ts` on, from the rows (in time order). */
  private async refoldFrom(client: PoolClient, ts: number): Promise<void> {
    await client.query("DELETE FROM ashao_history_totals WHERE ts >= $1", [ts]);
    const before = await client.query<Record<string, string>>(
      `SELECT ts, ${TOTALS} FROM ashao_history_totals WHERE ts < $1 ORDER BY ts DESC LIMIT 1`,
      [ts],
    );
    const events = await client.query<EventRow>(
      "SELECT seq, signature, idx, slot, ts, name, data FROM ashao_events WHERE ts >= $1 ORDER BY ts, seq",
      [ts],
    );
    await writeTotals(
      client,
      foldTotals(totalsRow(before.rows[0]), events.rows.map(toStoredEvent)),
    );
  }

  async cursor(): Promise<IndexCursor | undefined> {
    const result = await this.pool.query<{ key: string; value: string }>(
      "SELECT key, value FROM ashao_meta WHERE key IN ('cursor', 'cursor_slot')",
    );
    const meta = new Map(result.rows.map((r) => [r.key, r.value]));
    const signature = meta.get("cursor");
    if (signature === undefined) return undefined;
    const slot = meta.get("cursor_slot");
    return { signature, slot: slot === undefined || slot === "" ? null : Number(slot) };
  }

  async unverified(limit: number): Promise<{ count: number; newest: UnverifiedTransaction[] }> {
    const [count, newest] = await Promise.all([
      this.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM ashao_unverified"),
      this.pool.query<{ signature: string; slot: string; ts: string; reason: string }>(
        `SELECT signature, slot, ts, reason FROM ashao_unverified
         ORDER BY slot DESC, signature LIMIT $1`,
        [limit],
      ),
    ]);
    return {
      count: Number(count.rows[0].n),
      newest: newest.rows.map((r) => ({
        signature: r.signature,
        slot: Number(r.slot),
        ts: Number(r.ts),
        reason: r.reason as UnverifiedTransaction["reason"],
      })),
    };
  }

  async eventsSince(fromTs: number, names?: readonly string[]): Promise<StoredEvent[]> {
    const result = await this.pool.query<EventRow>(
      `SELECT seq, signature, idx, slot, ts, name, data FROM ashao_events
       WHERE ts >= $1 AND ($2::text[] IS NULL OR name = ANY($2)) ORDER BY seq`,
      [fromTs, names ?? null],
    );
    return result.rows.map(toStoredEvent);
  }

  async totalsAt(times: readonly number[]): Promise<HistoryTotals[]> {
    // One statement: each time is one backward step of the primary key's index.
    const result = await this.pool.query<Record<string, string>>(
      `SELECT h.* FROM unnest($1::bigint[]) WITH ORDINALITY AS t(at, i)
       LEFT JOIN LATERAL (
         SELECT ${TOTALS} FROM ashao_history_totals WHERE ts <= t.at ORDER BY ts DESC LIMIT 1
       ) h ON true ORDER BY t.i`,
      [times],
    );
    return result.rows.map((r) => totalsFromText(r.revenue === null ? undefined : r));
  }

  async saveCheckpoint(kind: string, ts: number, state: string): Promise<void> {
    await this.pool.query(
      "INSERT INTO ashao_checkpoints (kind, ts, state) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
      [kind, ts, state],
    );
  }

  async checkpointAtOrBefore(
    kind: string,
    ts: number,
  ): Promise<{ ts: number; state: string } | undefined> {
    const result = await this.pool.query<{ ts: string; state: string }>(
      "SELECT ts, state FROM ashao_checkpoints WHERE kind = $1 AND ts <= $2 ORDER BY ts DESC LIMIT 1",
      [kind, ts],
    );
    const row = result.rows[0];
    return row && { ts: Number(row.ts), state: row.state };
  }

  async latestEvents(
    names: readonly string[],
    options: LatestEventsOptions,
  ): Promise<StoredEvent[]> {
    const { limit, cursor } = options;
    const params: unknown[] = [names, pageUpperTs(options)];
    const where = ["name = ANY($1)", "ts <= $2"];
    if (cursor) {
      params.push(cursor.ts, cursor.seq);
      where.push(`(ts < $${params.length - 1} OR seq < $${params.length})`);
    }
    partyWhere(options, where, params);
    params.push(limit);
    const result = await this.pool.query<EventRow>(
      `SELECT seq, signature, idx, slot, ts, name, data FROM ashao_events
       WHERE ${where.join(" AND ")} ORDER BY ts DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    return result.rows.map(toStoredEvent);
  }

  async workerTotals(worker: string): Promise<WorkerTotals> {
    const result = await this.pool.query<Record<string, string>>(
      `SELECT settlements::text, base::text, boost::text, paid::text FROM ashao_worker_totals
       WHERE worker = $1`,
      [worker],
    );
    const row = result.rows[0];
    return row
      ? {
          settlements: Number(row.settlements),
          base: BigInt(row.base),
          boost: BigInt(row.boost),
          paid: BigInt(row.paid),
        }
      : ZERO_WORKER_TOTALS;
  }

  async count(): Promise<number> {
    const result = await this.pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM ashao_events");
    return Number(result.rows[0].n);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function totalsRow(row: Record<string, string> | undefined): TotalsRow | undefined {
  return row && { ...totalsFromText(row), ts: Number(row.ts) };
}

async function writeTotals(client: PoolClient, rows: readonly TotalsRow[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = TOTALS_COLUMNS.map(([, column]) => column);
  const texts = rows.map(totalsToText);
  await client.query(
    `INSERT INTO ashao_history_totals (ts, ${TOTALS})
     SELECT * FROM unnest($1::bigint[], ${columns.map((_, i) => `$${i + 2}::numeric[]`).join(", ")})
     ON CONFLICT (ts) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`,
    [rows.map((r) => r.ts), ...columns.map((_, i) => texts.map((t) => t[i]))],
  );
}
