/**
 * The snapshot after its websocket is cut (a network failure: no closing handshake) while
 * positions change on a real validator: every notification of the outage is lost, web3.js
 * reconnects on its own (rpc-websockets retries an abnormal close every second), and the reopened
 * socket makes the snapshot read everything again, so the figures and the stakers' answers are
 * the chain's. The periodic checks are held off (one an hour) so that only the reconnect can
 * repair the snapshot.
 */
import { Wallet } from "@anchor-lang/core";
import type { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import type { LocalEconomy } from "../../app/localnet/economy";
import type { ApiServer } from "../../app/server/src";
import {
  fetchAllStakePositions,
  fetchTreasuryOrThrow,
  requestUnstake,
  stake,
} from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import { waitFor } from "../utils/wait";
import { type RelayedApi, startRelayedApi, type WsFaultProxy } from "../utils/ws-fault-proxy";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

interface StakerAnswer {
  exists: boolean;
  staked: { raw: string };
  unstaking: { raw: string };
}

interface TreasuryAnswer {
  totalStaked: { raw: string };
  totalUnstaking: { raw: string };
  stakers: number;
}

describe("API snapshot: a websocket reconnect reads everything again", () => {
  let relayed: RelayedApi | undefined;
  let economy: LocalEconomy;
  let proxy: WsFaultProxy;
  let api: ApiServer;
  let first: Keypair;
  let second: Keypair;

  const get = async <T>(path: string) => (await (await fetch(`${api.url}${path}`)).json()) as T;
  const stakerAnswer = (wallet: Keypair) =>
    get<StakerAnswer>(`/api/stakers/${wallet.publicKey.toBase58()}`);

  before(async () => {
    relayed = await startRelayedApi({ checkEverySecs: 3600 });
    ({ economy, proxy, api } = relayed);
    first = await fundedWallet(economy, 1_000n * ASHAO);
    second = await fundedWallet(economy, 1_000n * ASHAO);
    await payRevenue(economy, 100n * USDC);
    await stake(economy.program, new Wallet(first), 100n * ASHAO);
    await waitFor("the first stake through notifications", async () =>
      (await stakerAnswer(first)).staked.raw === (100n * ASHAO).toString() ? true : undefined,
    );
  });

  after(async () => {
    await relayed?.stop();
  });

  it("positions changed while the socket was cut are served as the chain holds them after it reopens", async () => {
    const { fullReads, checks } = api.snapshot.consistency;
    const connections = proxy.connections;

    proxy.cut();
    // While cut: a position changes, one is created, another's stake starts unstaking.
    await stake(economy.program, new Wallet(first), 50n * ASHAO);
    await stake(economy.program, new Wallet(second), 30n * ASHAO);
    await requestUnstake(economy.program, new Wallet(first), 20n * ASHAO);
    // Nothing of it reached the snapshot.
    expect(api.snapshot.positionRecord(first.publicKey.toBase58())?.staked).to.equal(100n * ASHAO);
    expect(api.snapshot.positionRecord(second.publicKey.toBase58())).to.equal(undefined);

    proxy.restore();
    const state = await fetchTreasuryOrThrow(economy.program);
    const figures = await waitFor(
      "the figures at the chain's totals after the reconnect",
      async () => {
        const a = await get<TreasuryAnswer>("/api/treasury");
        return a.totalStaked.raw === state.totalStaked.toString() &&
          a.totalUnstaking.raw === state.totalUnstaking.toString()
          ? a
          : undefined;
      },
      20_000,
    );
    expect(figures.stakers).to.equal(state.stakerCount);
    expect(state.totalStaked).to.equal(130n * ASHAO + 30n * ASHAO);
    await waitFor("the positions as the chain holds them", async () => {
      const [a, b] = await Promise.all([stakerAnswer(first), stakerAnswer(second)]);
      return a.staked.raw === (130n * ASHAO).toString() &&
        a.unstaking.raw === (20n * ASHAO).toString() &&
        b.exists &&
        b.staked.raw === (30n * ASHAO).toString()
        ? true
        : undefined;
    });
    const positions = await fetchAllStakePositions(economy.program);
    expect(api.snapshot.positionCount).to.equal(positions.length);

    // Repaired by one full read on the reopened socket, not by a periodic check.
    expect(proxy.connections).to.be.greaterThan(connections);
    await waitFor("the full read to be counted", () =>
      api.snapshot.consistency.fullReads > fullReads ? true : undefined,
    );
    expect(api.snapshot.consistency.fullReads).to.equal(fullReads + 1);
    expect(api.snapshot.consistency.checks).to.equal(checks);

    // The resubscribed socket carries notifications again.
    await stake(economy.program, new Wallet(second), 5n * ASHAO);
    await waitFor("a notification after the reconnect", async () =>
      (await stakerAnswer(second)).staked.raw === (35n * ASHAO).toString() ? true : undefined,
    );
    expect(api.snapshot.consistency.fullReads).to.equal(fullReads + 1);
  });
});
