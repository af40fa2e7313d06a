/**
 * Indexer catch-up on localnet (prints figures; not a test): `npm run bench:indexer -- [--events
 * N] [--runs R] [--store sqlite|postgres]...`. Makes N revenue deposits by real transactions (one
 * event each), then for each store indexes them from empty with the API's indexer (SQLite in a
 * file, as the API keeps it) R times and prints the events per second with the CPU each process
 * spent (this one, the validator, PostgreSQL). Then each stage alone, one batch at a time: the
 * signatures, the transactions' reads, the parse and the store's insert, so the pipeline's
 * figure can be read against its slowest stage.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { performance } from "perf_hooks";
import { parseArgs } from "util";

import { startLocalEconomy } from "../app/localnet/economy";
import {
  EventIndexer,
  eventRows,
  JsonRpc,
  newTransactions,
  openEventStore,
  readTransactions,
  type EventStore,
  type SignatureInfo,
  type StoredEvent,
  type TransactionLogs,
} from "../app/server/src";
import { depositHistory } from "../tests/utils/history";
import { startPostgres } from "../tests/utils/postgres";

const BATCH = 100;
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of a process, from /proc. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0; // a process that has exited since it was listed
  }
}

/** The PostgreSQL server listening on `port` and its backends: their CPU seconds together. */
function postgresCpu(port: string): () => number {
  const pids = () => readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const server = pids().find((pid) => {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return args[0].endsWith("/postgres") && args[args.indexOf("-p") + 1] === port;
    } catch {
      return false;
    }
  });
  if (!server) throw new Error(`no PostgreSQL server on port ${port}`);
  return () =>
    pids()
      .filter((pid) => {
        if (pid === server) return true;
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] === server;
        } catch {
          return false;
        }
      })
      .reduce((sum, pid) => sum + cpuOf(Number(pid)), 0);
}

interface Meters {
  validator: () => number;
  postgres?: () => number;
}

/** Wall time and CPU seconds of this process, the validator and PostgreSQL over `work`. */
async function measure<T>(
  meters: Meters,
  work: () => Promise<T>,
): Promise<{ result: T; wall: number; node: number; validator: number; postgres: number }> {
  const cpu = process.cpuUsage();
  const validator = meters.validator();
  const postgres = meters.postgres?.() ?? 0;
  const t0 = performance.now();
  const result = await work();
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    result,
    wall,
    node: (used.user + used.system) / 1e6,
    validator: meters.validator() - validator,
    postgres: (meters.postgres?.() ?? 0) - postgres,
  };
}

const s = (seconds: number) => `${seconds.toFixed(2)} s`;

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "5000" },
      runs: { type: "string", default: "3" },
      store: { type: "string", multiple: true },
    },
  });
  const kinds = values.store ?? ["sqlite", "postgres"];
  const economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
  const postgres = kinds.includes("postgres") ? await startPostgres() : undefined;
  const dir = mkdtempSync(join(tmpdir(), "ashao-bench-indexer-"));
  const meters: Meters = {
    validator: () => cpuOf(economy.validator.pid!),
    postgres: postgres && postgresCpu(new URL(postgres.url).port),
  };
  let opened = 0;
  const open = async (kind: string): Promise<EventStore> => {
    if (kind === "sqlite") return openEventStore(`sqlite:${join(dir, `events-${opened++}.db`)}`);
    const store = await openEventStore(postgres!.url);
    // Each run starts from empty.
    const { Client } = await import("pg");
    const client = new Client(postgres!.url);
    await client.connect();
    await client.query(
      "TRUNCATE ashao_events, ashao_meta, ashao_history_totals, ashao_checkpoints, ashao_unverified RESTART IDENTITY",
    );
    await client.end();
    return store;
  };
  try {
    const t0 = performance.now();
    await depositHistory(economy, Number(values.events));
    const made = (performance.now() - t0) / 1000;
    process.stderr.write(`${values.events} deposits in ${made.toFixed(1)} s\n`);

    console.log(
      "| store | events | catch-up | events/s | CPU: indexer | validator | PostgreSQL |\n" +
        "|---|---|---|---|---|---|---|",
    );
    for (const kind of kinds) {
      for (let run = 0; run < Number(values.runs); run++) {
        const store = await open(kind);
        const indexer = new EventIndexer(economy.validator.connection, economy.program, store);
        const m = await measure(meters, async () => {
          await indexer.start();
          await indexer.caughtUp;
        });
        await indexer.stop();
        const events = await store.count();
        console.log(
          `| ${kind} | ${events} | ${s(m.wall)} | ${Math.round(events / m.wall)} | ` +
            `${s(m.node)} | ${s(m.validator)} | ${kind === "postgres" ? s(m.postgres) : "-"} |`,
        );
        await store.close();
      }
    }

    // Each stage alone, one batch at a time.
    const rpc = new JsonRpc(economy.validator.rpcUrl);
    const programId = economy.program.programId;
    const stages: [string, Awaited<ReturnType<typeof measure>>][] = [];
    const listing = await measure(meters, async () => {
      const all: SignatureInfo[][] = [];
      for await (const batch of newTransactions(rpc, programId, undefined)) all.push(batch);
      return all;
    });
    stages.push([
      "listing: getSignaturesForAddress (pages of 1,000) and getBlock (slots holding several)",
      listing,
    ]);
    const batches = listing.result;
    const read = await measure(meters, async () => {
      const transactions: TransactionLogs[][] = [];
      for (const batch of batches) transactions.push(await readTransactions(rpc, batch));
      return transactions;
    });
    stages.push([`getTransaction (batches of about ${BATCH}, one at a time)`, read]);
    const parsed = await measure(meters, async () =>
      batches.map((batch, i) => eventRows(economy.program, batch, read.result[i]).events),
    );
    stages.push(["parse (Anchor's EventParser, stored values)", parsed]);
    for (const kind of kinds) {
      const store = await open(kind);
      const insert = await measure(meters, async () => {
        for (const [i, rows] of (parsed.result as StoredEvent[][]).entries()) {
          const newest = batches[i][batches[i].length - 1];
          await store.insert(rows, { signature: newest.signature, slot: newest.slot });
        }
      });
      stages.push([`${kind} insert (rows, running totals, cursor)`, insert]);
      await store.close();
    }
    const events = (parsed.result as StoredEvent[][]).reduce((n, rows) => n + rows.length, 0);
    console.log(
      `\n| stage, alone (${events} events) | wall | events/s | CPU: this process | validator | PostgreSQL |\n` +
        "|---|---|---|---|---|---|",
    );
    for (const [name, m] of stages) {
      console.log(
        `| ${name} | ${s(m.wall)} | ${Math.round(events / m.wall)} | ${s(m.node)} | ` +
          `${s(m.validator)} | ${name.startsWith("postgres") ? s(m.postgres) : "-"} |`,
      );
    }
  } finally {
    await economy.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
