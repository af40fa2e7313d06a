/**
 * The snapshot's bounded consistency checks against a real validator whose notifications are
 * lost on the way (a websocket relay drops them) or whose snapshot entry is written wrong: the
 * rolling re-read of positions repairs a stale or wrong position, a position whose creation was
 * never heard of is found through the config's totals and read again, and the figures and a
 * staker's answer stay the chain's (the SDK's exact math at the snapshot's chain time). Also:
 * the SDK's fast position decoder equals Anchor's.
 */
import { Wallet } from "@anchor-lang/core";
import type { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import type { LocalEconomy } from "../../app/localnet/economy";
import { advanceClock } from "../../app/localnet/validator";
import type { ApiServer } from "../../app/server/src";
import {
  decodeStakePosition,
  decodeStakePositionRecord,
  fetchAllStakePositions,
  fetchStakePosition,
  fetchStakePositionRecords,
  fetchTreasuryOrThrow,
  requestUnstake,
  stake,
  stakePositionPda,
  stakerSummary,
} from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import { waitFor } from "../utils/wait";
import { type RelayedApi, startRelayedApi, type WsFaultProxy } from "../utils/ws-fault-proxy";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

interface StakerAnswer {
  exists: boolean;
  position: string;
  staked: { raw: string };
  pendingRewards: { raw: string };
  asOfChainTime: number;
}

describe("API snapshot: bounded consistency checks repair what notifications missed", () => {
  let relayed: RelayedApi | undefined;
  let economy: LocalEconomy;
  let proxy: WsFaultProxy;
  let api: ApiServer;
  let first: Keypair;
  let second: Keypair;

  const get = async <T>(path: string) => (await (await fetch(`${api.url}${path}`)).json()) as T;
  const positionOf = (wallet: Keypair) =>
    stakePositionPda(wallet.publicKey, economy.program.programId).address.toBase58();
  /** Loses the next program notification for `wallet`'s position. */
  const loseNotificationOf = (wallet: Keypair) =>
    proxy.loseNext(
      (text) => text.includes("programNotification") && text.includes(positionOf(wallet)),
    );

  /** The staker's answer once it shows `staked`, and the SDK's answer from the chain's position. */
  async function stakerAgreesWithChain(wallet: Keypair, staked: bigint) {
    const answer = await waitFor(`the API serving ${staked} staked`, async () => {
      const a = await get<StakerAnswer>(`/api/stakers/${wallet.publicKey.toBase58()}`);
      return a.staked.raw === staked.toString() ? a : undefined;
    });
    const state = await fetchTreasuryOrThrow(economy.program);
    const position = await fetchStakePosition(economy.program, wallet.publicKey);
    const expected = stakerSummary(
      economy.program.programId,
      state,
      wallet.publicKey,
      position,
      BigInt(answer.asOfChainTime),
    );
    expect(answer).to.deep.include({
      exists: true,
      position: expected.position,
      staked: expected.staked,
      pendingRewards: expected.pendingRewards,
    });
  }

  /** The figures once the snapshot's config shows `totalStaked`, against the chain's. */
  async function figuresAgreeWithChain() {
    const state = await fetchTreasuryOrThrow(economy.program);
    const answer = await waitFor("the figures at the chain's totals", async () => {
      const a = await get<{ totalStaked: { raw: string }; stakers: number }>("/api/treasury");
      return a.totalStaked.raw === state.totalStaked.toString() ? a : undefined;
    });
    expect(answer.stakers).to.equal(state.stakerCount);
    const positions = await fetchAllStakePositions(economy.program);
    expect(api.snapshot.positionCount).to.equal(positions.length);
    // The positions' sums equal the config's totals again at the next check.
    await waitFor("no difference", () =>
      api.snapshot.consistency.difference === null ? true : undefined,
    );
  }

  before(async () => {
    relayed = await startRelayedApi({ checkEverySecs: 0.2 });
    ({ economy, proxy, api } = relayed);
    first = await fundedWallet(economy, 1_000n * ASHAO);
    second = await fundedWallet(economy, 1_000n * ASHAO);
    await payRevenue(economy, 100n * USDC);
    await stake(economy.program, new Wallet(first), 100n * ASHAO);
    await stakerAgreesWithChain(first, 100n * ASHAO);
  });

  after(async () => {
    await relayed?.stop();
  });

  it("the SDK's position decoder reads every field as Anchor's coder does", async () => {
    const { connection } = economy.validator;
    const address = stakePositionPda(first.publicKey, economy.program.programId).address;
    const info = (await connection.getAccountInfo(address, "confirmed"))!;
    const anchor = decodeStakePosition(economy.program, address, info.data);
    const record = decodeStakePositionRecord(address.toBase58(), info.data)!;
    expect(record).to.deep.equal({
      ...anchor,
      address: anchor.address.toBase58(),
      owner: anchor.owner.toBase58(),
    });
    // With unstake tickets: two requests a few seconds apart, each its own ticket.
    const third = await fundedWallet(economy, 10n * ASHAO);
    await stake(economy.program, new Wallet(third), 10n * ASHAO);
    await requestUnstake(economy.program, new Wallet(third), 3n * ASHAO);
    await advanceClock(connection, 5);
    await requestUnstake(economy.program, new Wallet(third), 2n * ASHAO);
    const ticketed = stakePositionPda(third.publicKey, economy.program.programId).address;
    const bytes = (await connection.getAccountInfo(ticketed, "confirmed"))!.data;
    const decoded = decodeStakePosition(economy.program, ticketed, bytes);
    expect(decoded.unstakeTickets.map((t) => t.amount)).to.deep.equal([3n * ASHAO, 2n * ASHAO]);
    const ticketedRecord = decodeStakePositionRecord(ticketed.toBase58(), bytes)!;
    expect(ticketedRecord).to.deep.equal({
      ...decoded,
      address: ticketed.toBase58(),
      owner: third.publicKey.toBase58(),
    });
    // Not a position: the config (another discriminator), or too few bytes.
    const config = (await connection.getAccountInfo(economy.accounts.config, "confirmed"))!;
    expect(decodeStakePositionRecord("x", config.data)).to.equal(null);
    expect(decodeStakePositionRecord("x", info.data.subarray(0, 100))).to.equal(null);
    const { records, slot } = await fetchStakePositionRecords(
      connection,
      economy.program.programId,
    );
    expect(slot).to.be.greaterThan(0);
    const byAddress = (a: { address: string }, b: { address: string }) =>
      a.address.localeCompare(b.address);
    expect([...records].sort(byAddress)).to.deep.equal([record, ticketedRecord].sort(byAddress));
  });

  it("a position whose notification was lost is repaired by the rolling re-read", async () => {
    const { fullReads } = api.snapshot.consistency;
    const lost = new Promise((resolve) => proxy.once("lost", resolve));
    loseNotificationOf(first);
    await stake(economy.program, new Wallet(first), 50n * ASHAO);
    await lost;
    const before = api.snapshot.consistency.corrections;
    await stakerAgreesWithChain(first, 150n * ASHAO);
    expect(api.snapshot.consistency.corrections).to.be.greaterThan(before);
    // Found by the sweep, not by reading every position again.
    expect(api.snapshot.consistency.fullReads).to.equal(fullReads);
    await figuresAgreeWithChain();
  });

  it("a wrong entry in the snapshot is replaced by the chain's position", async () => {
    const owner = first.publicKey.toBase58();
    const held = api.snapshot.positionRecord(owner)!;
    api.snapshot.overwritePosition(owner, { ...held, staked: 1n, owedRewards: 7n });
    expect(api.snapshot.positionRecord(owner)?.staked).to.equal(1n);
    await stakerAgreesWithChain(first, 150n * ASHAO);
    await figuresAgreeWithChain();
  });

  it("a position whose creation was never heard of is found by the totals and read again", async () => {
    const { fullReads } = api.snapshot.consistency;
    const lost = new Promise((resolve) => proxy.once("lost", resolve));
    loseNotificationOf(second);
    await stake(economy.program, new Wallet(second), 30n * ASHAO);
    await lost;
    await stakerAgreesWithChain(second, 30n * ASHAO);
    // Found by reading every position again: the position is served as soon as the read
    // merges it, and the read counts itself once it has finished with the rest.
    await waitFor("the full read to finish", () =>
      api.snapshot.consistency.fullReads > fullReads ? true : undefined,
    );
    expect(api.snapshot.consistency.fullReads).to.equal(fullReads + 1);
    await figuresAgreeWithChain();
  });
});
