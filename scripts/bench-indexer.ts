/**
 * Indexer catch-up on localnet (prints figures; not a test): `npm run bench:indexer -- [--events
 * N] [--store sqlite|postgres]...`. Makes N revenue deposits by real transactions (one event
 * each), then for each store indexes them from empty with the API's indexer and prints the
 * events per second, with the part of the time spent in the store's insert.
 */
import { performance } from "perf_hooks";
import { parseArgs } from "util";

import { startLocalEconomy } from "../app/localnet/economy";
import { EventIndexer, openEventStore } from "../app/server/src";
import { depositHistory } from "../tests/utils/history";
import { startPostgres } from "../tests/utils/postgres";

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "5000" },
      store: { type: "string", multiple: true },
    },
  });
  const kinds = values.store ?? ["sqlite", "postgres"];
  const economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
  const postgres = kinds.includes("postgres") ? await startPostgres() : undefined;
  try {
    let t0 = performance.now();
    await depositHistory(economy, Number(values.events));
    const made = (performance.now() - t0) / 1000;
    process.stderr.write(`${values.events} deposits in ${made.toFixed(1)} s\n`);
    console.log("| store | events | catch-up | events/s | in insert |\n|---|---|---|---|---|");
    for (const kind of kinds) {
      const store = await openEventStore(kind === "sqlite" ? "sqlite::memory:" : postgres!.url);
      const insert = store.insert.bind(store);
      let insertMs = 0;
      store.insert = async (events, cursor) => {
        const start = performance.now();
        try {
          return await insert(events, cursor);
        } finally {
          insertMs += performance.now() - start;
        }
      };
      const indexer = new EventIndexer(economy.validator.connection, economy.program, store);
      t0 = performance.now();
      await indexer.start();
      const secs = (performance.now() - t0) / 1000;
      await indexer.stop();
      const events = await store.count();
      console.log(
        `| ${kind} | ${events} | ${secs.toFixed(2)} s | ${Math.round(events / secs)} | ` +
          `${(insertMs / 1000).toFixed(2)} s |`,
      );
      await store.close();
    }
  } finally {
    await economy.stop();
    await postgres?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
