/**
 * The server database switch: two API instances on one PostgreSQL database index the same
 * history without double counting, and serve equal totals and the same admin log.
 */
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { type ApiServer, startApiServer } from "../../app/server/src";
import { payRevenue } from "../utils/economy";
import { startPostgres, type TestPostgres } from "../utils/postgres";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;

describe("API on PostgreSQL (several instances, one history)", () => {
  let economy: LocalEconomy;
  let postgres: TestPostgres;
  const servers: ApiServer[] = [];

  before(async function () {
    this.timeout(60_000);
    postgres = await startPostgres();
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
  });

  after(async () => {
    for (const server of servers) await server.close();
    await economy?.stop();
    await postgres?.stop();
  });

  const start = async () => {
    const server = await startApiServer({
      rpcUrl: economy.validator.rpcUrl,
      wsUrl: economy.validator.wsUrl,
      database: postgres.url,
    });
    servers.push(server);
    return server;
  };

  /** Well before anything happened on this chain. */
  const from = Math.floor(Date.now() / 1000) - 7_200;
  const cumulativeRevenue = async (server: ApiServer) => {
    const body = (await (
      await fetch(`${server.url}/api/treasury/history?interval=1h&from=${from}`)
    ).json()) as { points: { cumulativeRevenue: string }[] };
    return BigInt(body.points[body.points.length - 1].cumulativeRevenue);
  };

  it("both instances index every deposit exactly once", async () => {
    const first = await start();
    await payRevenue(economy, 100n * USDC);
    const second = await start();
    await payRevenue(economy, 23n * USDC);
    for (const server of [first, second]) {
      await waitFor("the shared history to hold both deposits", async () =>
        (await cumulativeRevenue(server)) === 123n * USDC ? true : undefined,
      );
    }
    await Promise.all([first.indexer.catchUp(), second.indexer.catchUp()]);
    expect(await first.store.count()).to.equal(await second.store.count());
    expect(await cumulativeRevenue(first)).to.equal(123n * USDC);
    expect(await cumulativeRevenue(second)).to.equal(123n * USDC);

    // The admin log reads the same shared rows: the one initialisation, once, with its guard.
    const adminLog = async (server: ApiServer) =>
      (await (await fetch(`${server.url}/api/treasury/admin-log`)).json()) as {
        actions: { event: string; signature: string; data: Record<string, unknown> }[];
      };
    const [one, two] = await Promise.all([adminLog(first), adminLog(second)]);
    expect(one).to.deep.equal(two);
    const initialised = one.actions.filter((a) => a.event === "treasuryInitialized");
    expect(initialised).to.have.length(1);
    expect((initialised[0].data.priceGuard as { kind: string }).kind).to.equal("pythPull");
  });
});
