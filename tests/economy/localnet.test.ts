/**
 * The main job's economy, driven step by step: the simulator's revenue and stakers go through
 * the real program, and the treasury's books balance against the vaults afterwards.
 */
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { fetchTreasuryOrThrow } from "../../app/sdk/src";

describe("local economy (ashao localnet)", () => {
  let economy: LocalEconomy;

  before(async () => {
    economy = await startLocalEconomy({ simulate: true, simulatorStepMs: 60_000 });
  });

  after(async () => {
    await economy?.stop();
  });

  it("starts with the venue quoting USDC to $ASHAO and the treasury naming the crank", async () => {
    const state = await fetchTreasuryOrThrow(economy.program);
    expect(state.cranks.map((c) => c.toBase58())).to.deep.equal([
      economy.crank.publicKey.toBase58(),
    ]);
    const url = new URL("/quote", economy.jupiter.url);
    url.searchParams.set("inputMint", economy.usdc.mint.toBase58());
    url.searchParams.set("outputMint", economy.ashao.mint.toBase58());
    url.searchParams.set("amount", "1000000");
    const quote = (await (await fetch(url)).json()) as { outAmount: string };
    expect(BigInt(quote.outAmount) > 0n, quote.outAmount).to.equal(true);
  });

  it("simulated revenue and stakers keep the books equal to the vaults", async () => {
    const simulator = economy.simulator!;
    for (let i = 0; i < 24; i++) await simulator.step();
    const { connection } = economy.validator;
    const state = await fetchTreasuryOrThrow(economy.program);
    const [buyback, rewards, staked] = await Promise.all([
      tokenBalance(connection, economy.accounts.buybackVault),
      tokenBalance(connection, economy.accounts.rewardsVault),
      tokenBalance(connection, economy.accounts.stakeVault),
    ]);

    expect(simulator.stats.refusals).to.deep.equal({});
    expect(state.totalRevenue).to.equal(simulator.stats.revenueUsdc);
    expect(state.totalRevenue).to.equal(state.totalToBuyback + state.totalToStakers);
    expect(buyback).to.equal(state.buybackBucket);
    expect(rewards).to.equal(
      state.streamRemaining + state.totalRewardsReleased - state.totalRewardsClaimed,
    );
    expect(staked).to.equal(state.totalStaked + state.totalUnstaking);
    expect(state.stakerCount).to.be.greaterThan(0);
    expect(Object.keys(simulator.stats.actions)).to.include.members(["deposit_revenue", "stake"]);
  });
});
