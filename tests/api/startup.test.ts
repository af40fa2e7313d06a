/**
 * The API listens at once: while the snapshot loads and the indexer catches up with a history
 * of real transactions (its transactions' reads held at the RPC proxy), `/healthz` answers 503
 * with the catch-up's progress and the treasury's figures are already served from the snapshot;
 * once caught up, 200. And a health check costs no RPC call, however many are asked.
 */
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { type ApiServer, startApiServer } from "../../app/server/src";
import { fetchTreasuryOrThrow } from "../../app/sdk/src";
import { depositHistory } from "../utils/history";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";
import { waitFor } from "../utils/wait";

const DEPOSITS = 300;

interface Health {
  status: string;
  startup: { step: string };
  snapshot: { ready: boolean };
  indexer: {
    events: number;
    caughtUp: boolean;
    catchUp: { running: boolean; transactionsToGo: number | null; transactionsDone: number };
  };
}

describe("API start-up: listens at once, 503 with the catch-up's progress, then 200", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let proxy: RpcFaultProxy;
  let api: ApiServer | undefined;

  const health = async () => {
    const response = await fetch(`${api!.url}/healthz`);
    return { code: response.status, body: (await response.json()) as Health };
  };

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    await depositHistory(economy, DEPOSITS);
    proxy = new RpcFaultProxy(economy.validator.rpcUrl);
    await proxy.start();
  });

  after(async () => {
    await api?.close();
    await proxy?.stop();
    await economy?.stop();
  });

  it("answers 503 with events to go while it catches up, serves the snapshot meanwhile, then 200", async () => {
    proxy.hold("getTransaction");
    api = await startApiServer({ rpcUrl: proxy.url, wsUrl: economy.validator.wsUrl });
    const first = await health();
    expect(first.code).to.equal(503);
    expect(first.body.status).to.equal("starting");

    // The history is listed; its transactions wait at the proxy.
    const catchingUp = await waitFor("the catch-up's progress in /healthz", async () => {
      const h = await health();
      return h.body.indexer.catchUp.transactionsToGo ? h : undefined;
    });
    expect(catchingUp.code).to.equal(503);
    expect(catchingUp.body.status).to.equal("starting");
    expect(catchingUp.body.startup.step).to.equal("catching up with the chain's history");
    expect(catchingUp.body.snapshot.ready).to.equal(true);
    expect(catchingUp.body.indexer.caughtUp).to.equal(false);
    expect(catchingUp.body.indexer.catchUp).to.deep.include({
      running: true,
      transactionsDone: 0,
    });
    // Every deposit, the treasury's initialisation and the rest of the set-up are to go.
    expect(catchingUp.body.indexer.catchUp.transactionsToGo).to.be.greaterThan(DEPOSITS);
    const treasury = await fetch(`${api.url}/api/treasury`);
    expect(treasury.status).to.equal(200);
    const state = await fetchTreasuryOrThrow(economy.program);
    expect(
      ((await treasury.json()) as { totalRevenue: { raw: string } }).totalRevenue.raw,
    ).to.equal(state.totalRevenue.toString());

    proxy.release("getTransaction");
    await api.ready;
    const ready = await health();
    expect(ready.code).to.equal(200);
    expect(ready.body.status).to.equal("ok");
    expect(ready.body.startup.step).to.equal("ready");
    expect(ready.body.indexer.caughtUp).to.equal(true);
    expect(ready.body.indexer.events).to.be.greaterThan(DEPOSITS);
  });

  it("answers /healthz from what it knows: a flood of health checks makes no RPC call", async () => {
    await api!.ready;
    const before = new Map(proxy.calls);
    const answers = await Promise.all(
      Array.from({ length: 500 }, async () => (await fetch(`${api!.url}/healthz`)).status),
    );
    expect(answers.every((code) => code === 200)).to.equal(true);
    expect(proxy.calls.get("getSlot") ?? 0).to.equal(before.get("getSlot") ?? 0);
    // What the server asked meanwhile is its own bounded work (checks every second, polls),
    // not one call per health check.
    const asked = [...proxy.calls].reduce(
      (n, [method, count]) => n + count - (before.get(method) ?? 0),
      0,
    );
    expect(asked).to.be.lessThan(50);
  });
});
