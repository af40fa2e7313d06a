/**
 * The main job's economy, driven step by step: the simulator's usage (five workers, stakers at
 * different tiers paid their boost), deposits and stakers go through the real program, the crank buys back and burns against the local $ASHAO/USD feed the treasury's
 * price guard reads, and the treasury's books balance against the vaults afterwards.
 */
import { getMint } from "@solana/spl-token";
import { expect } from "chai";

import { runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { LOCAL_PRICE_GUARD, spotPrice } from "../../app/localnet/price-feed";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import type { HistoryPoint } from "../../app/server/src";
import { WORKER_STAKES } from "../../app/simulator/src/simulator";
import {
  decodePriceUpdateV2,
  fetchChainTime,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  MIN_BUYBACK_INTERVAL_SECS,
  oracleMinAshaoOut,
  PYTH_RECEIVER_PROGRAM_ID,
  type WorkerEarning,
  type WorkerSummary,
} from "../../app/sdk/src";
import { waitFor } from "../utils/wait";

type WorkerAnswer = WorkerSummary & {
  earnings: { settlements: number; paid: { raw: string } };
  settlements: WorkerEarning[];
};

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
    expect(Object.keys(simulator.stats.actions)).to.include.members([
      "settle_usage",
      "deposit_revenue",
      "stake",
    ]);
    expect(state.totalPaidToWorkers).to.equal(simulator.stats.paidToWorkers);
    expect(state.totalBoostPaid).to.equal(simulator.stats.boostPaid);
    expect(simulator.stats.boostPaid > 0n).to.equal(true);
  });

  it("usage pays the workers their tier's boost: on chain, in /api/workers/:wallet and in the history", async () => {
    const simulator = economy.simulator!;
    const url = economy.api!.url;
    const state = await fetchTreasuryOrThrow(economy.program);
    const get = async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T;
    // None, below the first tier (1,000), the first, the second's edge (10,000), above it.
    const expectedBps = [0, 0, 500, 1_500, 1_500];
    expect(WORKER_STAKES.length).to.equal(expectedBps.length);
    for (const [i, worker] of simulator.workerWallets.entries()) {
      const answer = await waitFor(
        `worker ${i}'s settlements indexed`,
        async () => {
          const a = await get<WorkerAnswer>(`/api/workers/${worker.toBase58()}?limit=500`);
          return a.earnings.settlements >= simulator.stats.actions.settle_usage ? a : undefined;
        },
        60_000,
      );
      expect(answer.boost.boostBps, `worker ${i}`).to.equal(expectedBps[i]);
      expect(answer.hasPosition, `worker ${i}`).to.equal(WORKER_STAKES[i] !== null);
      expect(answer.settlements.length, `worker ${i}`).to.be.greaterThan(0);
      const boosted = answer.settlements.some((r) => BigInt(r.boost.raw) > 0n);
      expect(boosted, `worker ${i}: paid a boost`).to.equal(expectedBps[i] > 0);
      for (const row of answer.settlements) {
        expect(row.boostBps, `worker ${i}`).to.equal(expectedBps[i]);
        const boost = BigInt(row.boost.raw);
        expect(boost, `worker ${i}`).to.equal(
          (BigInt(row.base.raw) * BigInt(expectedBps[i])) / 10_000n,
        );
      }
      expect(BigInt(answer.earnings.paid.raw)).to.equal(
        answer.settlements.reduce((s, r) => s + BigInt(r.paid.raw), 0n),
      );
    }
    // The history's charts hold the same usage as the chain's books.
    const history = await waitFor(
      "the history to hold every settlement",
      async () => {
        const h = await get<{ points: HistoryPoint[] }>("/api/treasury/history?range=all");
        const last = h.points[h.points.length - 1];
        return last && BigInt(last.cumulativePaidToWorkers) >= state.totalPaidToWorkers
          ? h
          : undefined;
      },
      60_000,
    );
    const sum = (field: keyof HistoryPoint) =>
      history.points.reduce((s, p) => s + BigInt(p[field]), 0n);
    expect(sum("usageRevenue") > 0n).to.equal(true);
    expect(sum("directRevenue") > 0n).to.equal(true);
    expect(sum("boostPaid") > 0n).to.equal(true);
    expect(sum("usageRevenue") + sum("directRevenue")).to.equal(sum("revenue"));
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
