/**
 * How the API reads every stake position, against a real validator holding 300 seeded positions
 * and three stakers who stake by transaction: in 256 shards by the owner's first byte (as it does
 * past 20,000 stakers), and, on a node that refuses `getProgramAccounts` for the program or caps
 * its answer (the RPC proxy plays that node), without them: the totals from the config, each
 * staker's position read by its address when asked and kept in a bounded cache, the mode named
 * in `/healthz`.
 */
import { Wallet } from "@anchor-lang/core";
import { type Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { type ApiServer, type ApiServerOptions, startApiServer } from "../../app/server/src";
import {
  fetchStakePosition,
  fetchStakePositionRecords,
  fetchTreasuryOrThrow,
  stake,
  stakerSummary,
} from "../../app/sdk/src";
import { fundedWallet } from "../utils/economy";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";
import { type SeededPositions, seedPositions } from "../utils/seed-positions";
import { waitFor } from "../utils/wait";

const ASHAO = 1_000_000_000n;
const SEEDED = 300;

interface Health {
  status: string;
  snapshot: {
    positions: { mode: string; held: number; reason: string | null; cacheSize: number | null };
  };
}

interface StakerAnswer {
  exists: boolean;
  position: string;
  staked: { raw: string };
  pendingRewards: { raw: string };
  asOfChainTime: number;
}

describe("API positions: read in shards, or on demand where getProgramAccounts is refused or capped", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let seeded: SeededPositions;
  let proxy: RpcFaultProxy;
  let stakers: Keypair[];
  const apis: ApiServer[] = [];

  async function startApi(options: Partial<ApiServerOptions> = {}): Promise<ApiServer> {
    const api = await startApiServer({
      rpcUrl: proxy.url,
      wsUrl: economy.validator.wsUrl,
      ...options,
    });
    apis.push(api);
    await api.ready;
    return api;
  }

  const get = async <T>(api: ApiServer, path: string) =>
    (await (await fetch(`${api.url}${path}`)).json()) as T;

  /** `wallet`'s answer, and the SDK's from the chain's position at the answer's chain time. */
  async function agreesWithChain(api: ApiServer, wallet: PublicKey): Promise<StakerAnswer> {
    const answer = await get<StakerAnswer>(api, `/api/stakers/${wallet.toBase58()}`);
    const state = await fetchTreasuryOrThrow(economy.program);
    const position = await fetchStakePosition(economy.program, wallet);
    const expected = stakerSummary(
      economy.program.programId,
      state,
      wallet,
      position,
      BigInt(answer.asOfChainTime),
    );
    expect(answer).to.deep.include({
      exists: expected.exists,
      position: expected.position,
      staked: expected.staked,
      pendingRewards: expected.pendingRewards,
    });
    return answer;
  }

  before(async () => {
    economy = await startLocalEconomy({
      simulate: false,
      crank: false,
      api: false,
      allowProgramStateWrites: true,
    });
    seeded = await seedPositions(economy, SEEDED);
    stakers = [];
    for (const amount of [100n, 200n, 300n]) {
      const wallet = await fundedWallet(economy, 1_000n * ASHAO);
      await stake(economy.program, new Wallet(wallet), amount * ASHAO);
      stakers.push(wallet);
    }
  });

  beforeEach(async () => {
    proxy = new RpcFaultProxy(economy.validator.rpcUrl);
    await proxy.start();
  });

  afterEach(async () => {
    for (const api of apis.splice(0)) await api.close();
    await proxy.stop();
  });

  after(async () => {
    await economy?.stop();
  });

  it("reads every position in 256 shards by the owner's first byte", async () => {
    const api = await startApi({ shardPositionsAbove: 0 });
    expect(proxy.calls.get("getProgramAccounts")).to.equal(256);
    const { records } = await fetchStakePositionRecords(
      economy.validator.connection,
      economy.program.programId,
    );
    expect(records).to.have.length(SEEDED + stakers.length);
    expect(api.snapshot.positionCount).to.equal(records.length);
    for (const record of records) {
      expect(api.snapshot.positionRecord(record.owner)).to.deep.include(record);
    }
    await agreesWithChain(api, seeded.owner(SEEDED - 1));
    const health = await get<Health>(api, "/healthz");
    expect(health.snapshot.positions).to.deep.equal({
      mode: "all",
      held: records.length,
      reason: null,
      cacheSize: null,
    });
  });

  it("where getProgramAccounts is refused: totals from the config, positions read by address on demand into a bounded cache", async () => {
    proxy.refuseProgramAccounts(economy.program.programId.toBase58());
    const api = await startApi({ positionsCacheSize: 2 });
    const health = await get<Health>(api, "/healthz");
    expect(health.status).to.equal("ok");
    expect(health.snapshot.positions.mode).to.equal("onDemand");
    expect(health.snapshot.positions.reason).to.match(/refused getProgramAccounts.*-32010/);
    expect(health.snapshot.positions.cacheSize).to.equal(2);
    expect(health.snapshot.positions.held).to.equal(0);

    const state = await fetchTreasuryOrThrow(economy.program);
    const treasury = await get<{ totalStaked: { raw: string }; stakers: number }>(
      api,
      "/api/treasury",
    );
    expect(treasury.totalStaked.raw).to.equal(state.totalStaked.toString());
    expect(treasury.stakers).to.equal(state.stakerCount);

    const reads = () => proxy.calls.get("getMultipleAccounts") ?? 0;
    for (const wallet of stakers) await agreesWithChain(api, wallet.publicKey);
    await agreesWithChain(api, seeded.owner(7));
    expect(api.snapshot.positionCount).to.equal(2);
    const nobody = await agreesWithChain(api, PublicKey.unique());
    expect(nobody.exists).to.equal(false);
    // The last two asked are held: asked again, they cost no read.
    const before = reads();
    await agreesWithChain(api, seeded.owner(7));
    expect(reads() - before).to.be.lessThan(2); // at most the consistency check's own read
    // A cached position follows its notifications: the staker stakes more and is served so.
    const [, , third] = stakers;
    await agreesWithChain(api, third.publicKey);
    await stake(economy.program, new Wallet(third), 5n * ASHAO);
    await waitFor("the new stake in the cached position", async () =>
      (await get<StakerAnswer>(api, `/api/stakers/${third.publicKey.toBase58()}`)).staked.raw ===
      (305n * ASHAO).toString()
        ? true
        : undefined,
    );
    await agreesWithChain(api, third.publicKey);
  });

  it("where getProgramAccounts answers a capped list: the same, named as capped", async () => {
    proxy.capProgramAccounts(economy.program.programId.toBase58(), 50);
    const api = await startApi({ positionsCacheSize: 10 });
    const health = await get<Health>(api, "/healthz");
    expect(health.snapshot.positions.mode).to.equal("onDemand");
    expect(health.snapshot.positions.reason).to.match(/answered 50 staking positions .* caps/);
    await agreesWithChain(api, seeded.owner(SEEDED - 2));
    await agreesWithChain(api, stakers[0].publicKey);
  });
});
