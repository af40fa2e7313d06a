/**
 * The server database switch: two API instances on one PostgreSQL database index the same
 * history without double counting, and serve equal totals, the same admin log, the same
 * staker's history paged by cursor (PostgreSQL's owner and cursor queries) and the same yield.
 */
import { Wallet } from "@anchor-lang/core";
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { advanceClock } from "../../app/localnet/validator";
import { type ApiServer, startApiServer } from "../../app/server/src";
import { claim, requestUnstake, stake } from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import { startPostgres, type TestPostgres } from "../utils/postgres";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

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
    await server.ready;
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

  it("both serve a staker's history paged by cursor, only theirs, and the same yield", async () => {
    const [first, second] = servers;
    const staker = await fundedWallet(economy, 1_000n * ASHAO);
    const other = await fundedWallet(economy, 1_000n * ASHAO);
    const wallet = new Wallet(staker);
    const signatures = [await stake(economy.program, wallet, 800n * ASHAO)];
    await stake(economy.program, new Wallet(other), 200n * ASHAO);
    await payRevenue(economy, 50n * USDC);
    await advanceClock(economy.validator.connection, 3_700);
    signatures.push(await claim(economy.program, wallet));
    signatures.push(await requestUnstake(economy.program, wallet, 300n * ASHAO));

    const pages = async (server: ApiServer) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : "";
        const page = (await (
          await fetch(
            `${server.url}/api/stakers/${staker.publicKey.toBase58()}/history?limit=1${query}`,
          )
        ).json()) as { entries: { signature: string }[]; nextCursor: string | null };
        seen.push(...page.entries.map((e) => e.signature));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    for (const server of [first, second]) {
      await waitFor("the unstake request in the shared history", async () =>
        (await pages(server))[0] === signatures[2] ? true : undefined,
      );
      expect(await pages(server)).to.deep.equal([...signatures].reverse());
    }
    const yieldOf = async (server: ApiServer) =>
      (
        (await (await fetch(`${server.url}/api/treasury`)).json()) as {
          yield: { trailing7d: { perAshao: { raw: string }; released: { raw: string } } };
        }
      ).yield.trailing7d;
    // The stakers' halves of all three deposits (the first two waited, streaming paused, for a
    // staker): 86.5 USDC released. Per $ASHAO it is 0.0865 over the 1,000 staked, a little more
    // for what streamed in the second between the two stakes (800 staked then): the chain's clock
    // runs with the wall clock. Both instances serve the same figure.
    const served = await yieldOf(first);
    expect(served.released).to.deep.equal({ raw: "86500000", ui: 86.5, decimals: 6 });
    const perAshao = BigInt(served.perAshao.raw);
    expect(perAshao >= 86_500_000_000_000_000n && perAshao <= 108_125_000_000_000_000n).to.equal(
      true,
    );
    expect((await yieldOf(second)).perAshao).to.deep.equal(served.perAshao);
  });
});
