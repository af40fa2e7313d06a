/**
 * The indexer stays exact across a kill -9 in the middle of a catch-up: a history of thousands
 * of real deposit transactions, an API process started on an empty store (SQLite file, then
 * PostgreSQL) and SIGKILLed while it is catching up, then an API started again on the same
 * store; the stored rows must equal the chain's events exactly (same signatures, event
 * indexes, slots, names and amounts, in chain order, none missing, none twice), parsed here
 * independently from the transactions web3.js reads.
 */
import { ChildProcess, spawn } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { type EventStore, openEventStore, startApiServer } from "../../app/server/src";
import { chainTreasuryEvents, depositHistory } from "../utils/history";
import { startPostgres, type TestPostgres } from "../utils/postgres";
import { waitFor } from "../utils/wait";

const DEPOSITS = 4_000;
const ROOT = join(__dirname, "../..");

interface ChainEvent {
  signature: string;
  index: number;
  slot: number;
  name: string;
  amount: string | null;
}

describe("indexer: exact across a kill -9 in the middle of a catch-up", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let postgres: TestPostgres;
  let chain: ChainEvent[];

  /** Every treasury event on the chain, oldest first, read and parsed here. */
  const chainEvents = async (): Promise<ChainEvent[]> =>
    (await chainTreasuryEvents(economy, "confirmed")).map(({ signature, index, slot, event }) => {
      const { amount } = event.data as { amount?: bigint };
      return {
        signature,
        index,
        slot,
        name: event.name,
        amount: amount === undefined ? null : amount.toString(),
      };
    });

  const stored = async (store: EventStore): Promise<ChainEvent[]> =>
    (await store.eventsSince(Number.MIN_SAFE_INTEGER)).map((e) => ({
      signature: e.signature,
      index: e.index,
      slot: e.slot,
      name: e.name,
      amount: e.data.amount === undefined ? null : String(e.data.amount),
    }));

  before(async () => {
    postgres = await startPostgres();
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    await depositHistory(economy, DEPOSITS);
    chain = await chainEvents();
    expect(chain.filter((e) => e.name === "revenueDeposited")).to.have.length(DEPOSITS);
  });

  after(async () => {
    await economy?.stop();
    await postgres?.stop();
  });

  /** The API in its own process, started through its public start function. */
  function apiProcess(database: string): ChildProcess {
    const options = {
      rpcUrl: economy.validator.rpcUrl,
      wsUrl: economy.validator.wsUrl,
      database,
    };
    return spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-e",
        'require("./app/server/src").startApiServer(JSON.parse(process.argv[1]))',
        JSON.stringify(options),
      ],
      { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
    );
  }

  for (const kind of ["sqlite", "postgres"] as const) {
    it(`${kind}: killed mid catch-up, restarted, the rows equal the chain's events`, async () => {
      const database =
        kind === "sqlite"
          ? `sqlite:${join(mkdtempSync(join(tmpdir(), "ashao-crash-")), "events.sqlite")}`
          : postgres.url;
      // Opened first, so the watcher and the API share one schema from the start.
      const store = await openEventStore(database);
      const api = apiProcess(database);
      try {
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          api.once("exit", (_code, signal) => resolve(signal)),
        );
        const atKill = await waitFor(
          "the API to have stored part of the history",
          async () => {
            const n = await store.count();
            if (n > 0) api.kill("SIGKILL");
            return n > 0 ? n : undefined;
          },
          60_000,
        );
        expect(await exited).to.equal("SIGKILL");
        const afterKill = await store.count();
        expect(atKill).to.be.lessThan(chain.length);
        expect(afterKill, "the kill landed in the middle of the catch-up").to.be.lessThan(
          chain.length,
        );
        // What the killed process committed is a prefix of the chain's events, cursor included.
        expect(await stored(store)).to.deep.equal(chain.slice(0, afterKill));

        const restarted = await startApiServer({
          rpcUrl: economy.validator.rpcUrl,
          wsUrl: economy.validator.wsUrl,
          database,
        });
        try {
          await restarted.ready;
          expect(await stored(restarted.store)).to.deep.equal(chain);
          expect(restarted.indexer.status.events).to.equal(chain.length);
          // Indexing again changes nothing.
          await restarted.indexer.catchUp();
          expect(await restarted.store.count()).to.equal(chain.length);
        } finally {
          await restarted.close();
        }
      } finally {
        if (api.exitCode === null && api.signalCode === null) api.kill("SIGKILL");
        await store.close();
      }
    });
  }
});
