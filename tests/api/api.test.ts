/**
 * The API against a real validator: figures equal the chain's after deposits, stakes and a
 * claim; caching headers; the stakers endpoint equals the SDK's math; a buyback by the crank
 * appears with its oracle and effective prices and their deviation; history equals the events
 * and survives downtime without gaps or double counting; named 4xx; health and metrics.
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { getMint } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import { Wallet } from "@anchor-lang/core";
import { expect } from "chai";
import pino from "pino";

import { runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import { type ApiServer, startApiServer } from "../../app/server/src";
import {
  claim,
  fetchStakePosition,
  findTreasuryEvents,
  fetchTreasuryOrThrow,
  pendingRewards,
  settleUsage,
  stake,
  type TreasuryFigures,
} from "../../app/sdk/src";
import { fundedWallet, payRevenue as payRevenueIn } from "../utils/economy";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

type TreasuryAnswer = TreasuryFigures & { ageMs: number; chainTime: number };

interface AmountAnswer {
  raw: string;
  ui: number;
  decimals: number;
}

interface BuybackAnswer {
  signature: string;
  at: string;
  crank: string;
  usdcSpent: AmountAnswer;
  ashaoBurned: AmountAnswer;
  effectivePrice: AmountAnswer;
  oraclePrice: AmountAnswer | null;
  deviationBps: number | null;
  oracle: { price: string; exponent: number; publishTime: string; minAshaoOut: AmountAnswer };
  buybackCount: number;
}

describe("API: /api/treasury, history, stakers, health", () => {
  let economy: LocalEconomy;
  let api: ApiServer;
  let database: string;
  let staker: Keypair;
  const revenuePaid: bigint[] = [];

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, { headers });
  const treasury = async () => (await (await get("/api/treasury")).json()) as TreasuryAnswer;
  /** The API's figures once its snapshot has seen `slot`. */
  const treasuryAt = (slot: number) =>
    waitFor(`the snapshot at slot ${slot}`, async () => {
      const answer = await treasury();
      return answer.slot >= slot ? answer : undefined;
    });
  const slotOf = async (signature: string) =>
    (await economy.validator.connection.getSignatureStatus(signature)).value!.slot;

  function payRevenue(amount: bigint): Promise<string> {
    revenuePaid.push(amount);
    return payRevenueIn(economy, amount);
  }

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    database = `sqlite:${join(mkdtempSync(join(tmpdir(), "ashao-api-")), "events.sqlite")}`;
    api = await startApiServer({
      rpcUrl: economy.validator.rpcUrl,
      wsUrl: economy.validator.wsUrl,
      database,
    });
    await api.ready;
    staker = await fundedWallet(economy, 5_000n * ASHAO);
  });

  after(async () => {
    await api?.close();
    await economy?.stop();
  });

  it("serves the chain's figures after deposits, a stake and a claim", async () => {
    await payRevenue(1_001n * USDC + 1n);
    await stake(economy.program, new Wallet(staker), 2_000n * ASHAO);
    await advanceClock(economy.validator.connection, 700);
    await payRevenue(250n * USDC);
    const last = await claim(economy.program, new Wallet(staker));
    const answer = await treasuryAt(await slotOf(last));

    const { connection } = economy.validator;
    const state = await fetchTreasuryOrThrow(economy.program);
    const [buyback, rewards, stakeVault] = await Promise.all([
      tokenBalance(connection, economy.accounts.buybackVault),
      tokenBalance(connection, economy.accounts.rewardsVault),
      tokenBalance(connection, economy.accounts.stakeVault),
    ]);
    const supply = (await getMint(connection, economy.ashao.mint, "confirmed")).supply;

    expect(answer.treasuryUsdc.raw).to.equal((buyback + rewards).toString());
    expect(answer.buybackBucket.raw).to.equal(state.buybackBucket.toString());
    expect(answer.totalRevenue.raw).to.equal((1_251n * USDC + 1n).toString());
    expect(answer.totalToBuyback.raw).to.equal(state.totalToBuyback.toString());
    expect(answer.rewardsOwed.raw).to.equal(
      (state.streamRemaining + state.totalRewardsReleased - state.totalRewardsClaimed).toString(),
    );
    expect(answer.rewardsPaid.raw).to.equal(state.totalRewardsClaimed.toString());
    expect(state.totalRewardsClaimed > 0n).to.equal(true);
    expect(answer.totalStaked.raw).to.equal((2_000n * ASHAO).toString());
    expect(answer.totalStaked.ui).to.equal(2_000);
    expect(answer.stakers).to.equal(1);
    expect(answer.totalSupply.raw).to.equal(supply.toString());
    expect(answer.nonCirculating[0].address).to.equal(economy.accounts.stakeVault.toBase58());
    expect(answer.circulatingSupply.raw).to.equal((supply - stakeVault).toString());
    expect(answer.ageMs).to.be.a("number");
  });

  it("sends an ETag and Cache-Control, answers 304 to a matching If-None-Match, and CORS", async () => {
    const first = await get("/api/treasury", { origin: "https://wallet.example" });
    const etag = first.headers.get("etag")!;
    expect(etag).to.match(/^W\/"\d+-\d+-\d+"$/);
    expect(first.headers.get("cache-control")).to.equal("public, max-age=1");
    expect(first.headers.get("access-control-allow-origin")).to.equal("https://wallet.example");
    const notModified = await get("/api/treasury", { "if-none-match": etag });
    expect(notModified.status).to.equal(304);
    // The chain's clock comes with a 304 too, for countdowns.
    expect(Number(notModified.headers.get("x-chain-time"))).to.be.greaterThan(0);
  });

  it("a buyback by the crank is listed with its oracle price, effective price and deviation", async () => {
    const { connection } = economy.validator;
    const config = { ...economy.crankConfig, intervalSecs: 1 };
    const result = await runCrankCycle(
      economy.crankDeps(config, pino({ level: "silent" })),
      config,
    );
    if (result.status !== "bought") throw new Error(`no buyback: ${JSON.stringify(result)}`);
    const signature = result.signature!;
    const tx = await connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const [{ data: event }] = findTreasuryEvents(
      economy.program,
      tx!.meta!.logMessages!,
      "buybackExecuted",
    );
    const row = await waitFor("the buyback in /api/treasury/buybacks", async () => {
      const body = (await (await get("/api/treasury/buybacks")).json()) as {
        buybacks: BuybackAnswer[];
      };
      return body.buybacks.find((b) => b.signature === signature);
    });

    expect(row.crank).to.equal(economy.crank.publicKey.toBase58());
    expect(row.usdcSpent.raw).to.equal(event.usdcSpent.toString());
    expect(row.ashaoBurned.raw).to.equal(event.ashaoBurned.toString());
    expect(row.effectivePrice).to.deep.equal({
      raw: event.priceUsdcPerAshao.toString(),
      ui: Number(event.priceUsdcPerAshao) / 1e6,
      decimals: 6,
    });
    expect(row.oraclePrice!.raw).to.equal(event.oraclePriceUsdcPerAshao.toString());
    expect(row.oracle).to.deep.equal({
      price: event.oraclePrice.toString(),
      exponent: event.oracleExponent,
      publishTime: new Date(Number(event.oraclePublishTime) * 1000).toISOString(),
      minAshaoOut: {
        raw: event.oracleMinAshaoOut.toString(),
        ui: Number(event.oracleMinAshaoOut) / 1e9,
        decimals: 9,
      },
    });
    expect(row.at).to.equal(new Date(Number(event.unixTimestamp) * 1000).toISOString());
    expect(row.buybackCount).to.equal(Number(event.buybackCount));

    // The deviation, recomputed in floating point from the event's exact amounts.
    const paid = Number(event.usdcSpent) / 1e6 / (Number(event.ashaoBurned) / 1e9);
    const oracle = Number(event.oraclePrice) * 10 ** event.oracleExponent;
    expect(row.deviationBps).to.be.closeTo((paid / oracle - 1) * 10_000, 0.0051);
    // The guard bought no worse than the oracle price less the 1% slippage bound allows.
    expect(row.deviationBps!).to.be.below(10_000 / 0.99 - 10_000);
    expect(event.ashaoBurned >= event.oracleMinAshaoOut).to.equal(true);

    // The next page, before this buyback, is empty; the figures count it.
    const older = (await (await get(`/api/treasury/buybacks?before=${row.at}`)).json()) as {
      buybacks: BuybackAnswer[];
    };
    expect(older.buybacks).to.deep.equal([]);
    expect((await treasuryAt(await slotOf(signature))).buybackCount).to.equal(1);
  });

  it("/api/stakers/:wallet equals the SDK's pending rewards at the snapshot's chain time", async () => {
    await advanceClock(economy.validator.connection, 100);
    const answer = await waitFor("a staker answer after the clock moved", async () => {
      const body = (await (await get(`/api/stakers/${staker.publicKey.toBase58()}`)).json()) as {
        pendingRewards: { raw: string };
        staked: { raw: string };
        boostBps: number;
        boostBpsOnceWarm: number;
        boostWarming: { raw: string };
        exists: boolean;
        asOfChainTime: number;
      };
      return BigInt(body.pendingRewards.raw) > 0n ? body : undefined;
    });
    const state = await fetchTreasuryOrThrow(economy.program);
    const position = (await fetchStakePosition(economy.program, staker.publicKey))!;
    expect(answer.exists).to.equal(true);
    expect(answer.staked.raw).to.equal(position.staked.toString());
    expect(answer.pendingRewards.raw).to.equal(
      pendingRewards(state, position, answer.asOfChainTime).toString(),
    );
    // Staked 800 s ago: the first tier (5%) once its hour of warm-up ends, nothing yet.
    expect(answer.boostBps).to.equal(0);
    expect(answer.boostBpsOnceWarm).to.equal(500);
    expect(answer.boostWarming.raw).to.equal(position.staked.toString());
  });

  it("refuses bad parameters with a 400 and a JSON reason, unknown routes with a 404", async () => {
    const cases: [string, string][] = [
      ["/api/stakers/not-a-wallet", "InvalidWallet"],
      ["/api/treasury/history?interval=7m", "InvalidInterval"],
      ["/api/treasury/history?from=yesterday", "InvalidTime"],
      ["/api/treasury/history?from=99999999999000&to=99999999999999", "InvalidTime"],
      ["/api/treasury/history?from=2000&to=1000", "InvalidRange"],
      ["/api/treasury/history?interval=1m&from=0&to=10000000", "TooManyPoints"],
    ];
    for (const [path, error] of cases) {
      const response = await get(path);
      expect(response.status, path).to.equal(400);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error, path).to.equal(error);
      expect(body.message, path).to.be.a("string").and.not.equal("");
    }
    const missing = await get("/api/nothing");
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: string }).error).to.equal("NotFound");
  });

  it("history equals the events, and a restart backfills what happened while it was down", async () => {
    const from = Number((await fetchTreasuryOrThrow(economy.program)).lastUpdateTs) - 3_600;
    const historyTotals = async () => {
      const body = (await (await get(`/api/treasury/history?interval=1h&from=${from}`)).json()) as {
        points: { revenue: string; cumulativeRevenue: string; cumulativeRewardsPaid: string }[];
      };
      const sum = body.points.reduce((s, p) => s + BigInt(p.revenue), 0n);
      return { sum, cumulative: BigInt(body.points[body.points.length - 1].cumulativeRevenue) };
    };
    const expected = () => revenuePaid.reduce((s, a) => s + a, 0n);
    await waitFor("the indexer to hold every deposit", async () =>
      (await historyTotals()).cumulative === expected() ? true : undefined,
    );
    expect((await historyTotals()).sum).to.equal(expected());

    // Down: events happen while nothing indexes them.
    await api.close();
    await payRevenue(7n * USDC);
    await payRevenue(3n * USDC);
    api = await startApiServer({
      rpcUrl: economy.validator.rpcUrl,
      wsUrl: economy.validator.wsUrl,
      database,
    });
    await api.ready;
    const after = await historyTotals();
    expect(after.cumulative).to.equal(expected());
    expect(after.sum).to.equal(expected());
    // Indexing the same signatures again changes nothing.
    await api.indexer.catchUp();
    expect(await historyTotals()).to.deep.equal(after);
  });

  it("the same history question asked again answers the events indexed since", async () => {
    const now = Number((await fetchTreasuryOrThrow(economy.program)).lastUpdateTs);
    // One fixed question (both ends given), so every answer below is for the same key.
    const path = `/api/treasury/history?interval=1d&from=${now - 86_400}&to=${now + 86_400}`;
    const cumulative = async () => {
      const body = (await (await get(path)).json()) as {
        points: { cumulativeRevenue: string }[];
      };
      return BigInt(body.points[body.points.length - 1].cumulativeRevenue);
    };
    const before = await waitFor("the indexer to hold every deposit", async () => {
      const value = await cumulative();
      return value === revenuePaid.reduce((s, a) => s + a, 0n) ? value : undefined;
    });
    expect(await cumulative()).to.equal(before);
    await payRevenue(11n * USDC);
    const after = await waitFor("the deposit in the same question's answer", async () => {
      const value = await cumulative();
      return value !== before ? value : undefined;
    });
    expect(after).to.equal(before + 11n * USDC);
  });

  it("/healthz reports the RPC and indexer lag; /metrics speaks Prometheus", async () => {
    const health = (await (await get("/healthz")).json()) as {
      status: string;
      rpcSlot: number;
      snapshotSlot: number;
      indexer: { lagSlots: number; events: number };
    };
    expect(health.status).to.equal("ok");
    expect(health.rpcSlot).to.be.at.least(health.snapshotSlot);
    expect(health.indexer.lagSlots).to.equal(0);
    expect(health.indexer.events).to.be.greaterThan(0);

    const metrics = await (await get("/metrics")).text();
    expect(metrics).to.match(/^ashao_snapshot_slot \d+$/m);
    expect(metrics).to.match(/^ashao_indexer_events \d+$/m);
    expect(metrics).to.match(/^ashao_api_requests_total\{route="\/healthz",status="200"\} 1$/m);
  });
  it("splits revenue into usage settled and direct deposits, with what workers and boosts were paid", async () => {
    const before = await treasury();
    // The staker's 2,000 $ASHAO (the first tier, 5%) warmed up; another worker has no stake.
    await advanceClock(economy.validator.connection, 3_600);
    const other = Keypair.generate().publicKey;
    const workers = [
      { worker: staker.publicKey, base: 100n * USDC },
      { worker: other, base: 50n * USDC },
    ];
    const { signature } = await settleUsage(economy.program, new Wallet(economy.billing), {
      gross: 200n * USDC,
      workers,
    });
    const answer = await treasuryAt(await slotOf(signature));
    const raw = (a: AmountAnswer) => BigInt(a.raw);
    expect(raw(answer.usageGross) - raw(before.usageGross)).to.equal(200n * USDC);
    expect(raw(answer.paidToWorkers) - raw(before.paidToWorkers)).to.equal(155n * USDC);
    expect(raw(answer.boostPaid) - raw(before.boostPaid)).to.equal(5n * USDC);
    expect(raw(answer.usageRevenue) - raw(before.usageRevenue)).to.equal(45n * USDC);
    expect(raw(answer.directRevenue)).to.equal(raw(before.directRevenue));
    expect(raw(answer.usageRevenue) + raw(answer.directRevenue)).to.equal(raw(answer.totalRevenue));
    expect(answer.usageBatches - before.usageBatches).to.equal(1);
    expect(answer.workerPayments - before.workerPayments).to.equal(2);
  });
});
