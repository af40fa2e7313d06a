/**
 * The main job's economy, driven step by step: the simulator's revenue and stakers go through
 * the real program, the crank buys back and burns against the local $ASHAO/USD feed the treasury's
 * price guard reads, and the treasury's books balance against the vaults afterwards.
 */
import { getMint } from "@solana/spl-token";
import { expect } from "chai";

import { runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { LOCAL_PRICE_GUARD, spotPrice } from "../../app/localnet/price-feed";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import {
  decodePriceUpdateV2,
  fetchChainTime,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  MIN_BUYBACK_INTERVAL_SECS,
  oracleMinAshaoOut,
  PYTH_RECEIVER_PROGRAM_ID,
} from "../../app/sdk/src";

describe("local economy (ashao localnet)", () => {
  let economy: LocalEconomy;

  before(async () => {
    // The crank is driven cycle by cycle below rather than on its wall-clock loop.
    economy = await startLocalEconomy({ simulate: true, simulatorStepMs: 60_000, crank: false });
  });

  after(async () => {
    await economy?.stop();
  });

  async function poolReserves(): Promise<[bigint, bigint]> {
    const { connection } = economy.validator;
    const { venue, usdc } = economy;
    const [a, b] = await Promise.all([
      tokenBalance(connection, venue.vaultA),
      tokenBalance(connection, venue.vaultB),
    ]);
    return venue.mintA.equals(usdc.mint) ? [a, b] : [b, a];
  }

  it("starts with the venue quoting USDC to $ASHAO, the treasury naming the crank and its guard on the feed", async () => {
    const state = await fetchTreasuryOrThrow(economy.program);
    expect(state.cranks.map((c) => c.toBase58())).to.deep.equal([
      economy.crank.publicKey.toBase58(),
    ]);
    expect(state.priceGuard).to.deep.equal(LOCAL_PRICE_GUARD);
    const url = new URL("/quote", economy.jupiter.url);
    url.searchParams.set("inputMint", economy.usdc.mint.toBase58());
    url.searchParams.set("outputMint", economy.ashao.mint.toBase58());
    url.searchParams.set("amount", "1000000");
    const quote = (await (await fetch(url)).json()) as { outAmount: string };
    expect(BigInt(quote.outAmount) > 0n, quote.outAmount).to.equal(true);

    // The feed: a fully verified PriceUpdateV2 owned by the Pyth receiver, at the pool's price
    // of 1,000,000 USDC : 50,000,000 $ASHAO ($0.02, 2,000,000 × 10^-8), fresh by the chain's clock.
    const { connection } = economy.validator;
    const account = await connection.getAccountInfo(economy.priceFeed.address, "confirmed");
    expect(account?.owner.equals(PYTH_RECEIVER_PROGRAM_ID)).to.equal(true);
    const update = decodePriceUpdateV2(account!.data)!;
    expect(update.feedId.equals(LOCAL_PRICE_GUARD.feedId)).to.equal(true);
    expect(update.verification).to.deep.equal({ kind: "full" });
    expect([update.price, update.exponent]).to.deep.equal([2_000_000n, -8]);
    expect(update.price).to.equal(spotPrice(...(await poolReserves())));
    const age = (await fetchChainTime(connection)) - update.publishTime;
    expect(Number(age)).to.be.at.most(LOCAL_PRICE_GUARD.maxAgeSecs);
  });

  it("simulated revenue and stakers keep the books equal to the vaults", async () => {
    const simulator = economy.simulator!;
    const { connection } = economy.validator;
    // Revenue accrues on the chain's clock (5,000 USDC a day): three hours before each payment.
    for (let i = 0; i < 24; i++) {
      if (i % 3 === 0) await advanceClock(connection, 3 * 3_600);
      await simulator.step();
    }
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

  it("the crank buys back and burns each interval, every buyback held to the oracle's floor", async () => {
    const { connection } = economy.validator;
    const supplyBefore = (await getMint(connection, economy.ashao.mint, "confirmed")).supply;
    const bucketBefore = (await fetchTreasuryOrThrow(economy.program)).buybackBucket;
    expect(bucketBefore >= 3n * 250_000_000n, `bucket ${bucketBefore}`).to.equal(true);
    let burned = 0n;
    for (let i = 0; i < 3; i++) {
      if (i > 0) await advanceClock(connection, MIN_BUYBACK_INTERVAL_SECS);
      const result = await runCrankCycle(economy.crankDeps(), economy.crankConfig);
      expect(
        result.status,
        JSON.stringify(result, (_, v) => String(v)),
      ).to.equal("bought");
      if (result.status !== "bought") return;
      const tx = await connection.getTransaction(result.signature!, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      const [{ data: event }] = findTreasuryEvents(
        economy.program,
        tx!.meta!.logMessages!,
        "buybackExecuted",
      );
      // The floor is priced at the low end of the feed's confidence interval.
      const oracle = {
        price: event.oraclePrice,
        conf: event.oracleConfidence,
        exponent: event.oracleExponent,
      };
      expect(event.oracleMinAshaoOut).to.equal(
        oracleMinAshaoOut(event.usdcSpent, oracle, { usdc: 6, ashao: 9 }, 100),
      );
      expect(event.ashaoBurned >= event.oracleMinAshaoOut).to.equal(true);
      expect(Number(event.unixTimestamp - event.oraclePublishTime)).to.be.at.most(
        LOCAL_PRICE_GUARD.maxAgeSecs,
      );
      // Paid at most 1% over the feed's price (the pool's fee and impact are less).
      expect(event.priceUsdcPerAshao * 99n <= event.oraclePriceUsdcPerAshao * 100n).to.equal(true);
      burned += event.ashaoBurned;
    }
    const state = await fetchTreasuryOrThrow(economy.program);
    const supplyAfter = (await getMint(connection, economy.ashao.mint, "confirmed")).supply;
    expect(supplyAfter).to.equal(supplyBefore - burned);
    expect(state.totalAshaoBurned).to.equal(burned);
    expect(state.buybackBucket).to.equal(bucketBefore - 3n * 250_000_000n);
    expect(await tokenBalance(connection, economy.accounts.buybackVault)).to.equal(
      state.buybackBucket,
    );
  });
});
