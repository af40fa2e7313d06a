/**
 * The crank against the local economy: the treasury with its price guard on the local $ASHAO/USD
 * feed, the seeded test-AMM pool and the Jupiter-shaped venue, reached through the real
 * @jup-ag/api client. End to end, dry run, the price-impact limit, the byte budget; the price
 * guard's refusals (a stale price, the wrong feed or owner, a quote below the oracle's floor,
 * Hermes unreachable, no guard) named before anything is sent; and the faults: the venue down,
 * the RPC failing mid-cycle, a lost transaction whose blockhash expires. After each, nothing is
 * lost and the next run works.
 */
import { createHash } from "crypto";
import { readFileSync } from "fs";

import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { type CrankConfig, CrankError, runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { LOCAL_PRICE_GUARD, spotPrice, writePriceUpdate } from "../../app/localnet/price-feed";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock, freePort } from "../../app/localnet/validator";
import {
  applyConfigChangeIx,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  NO_PRICE_GUARD,
  oracleMinAshaoOut,
  queueConfigChangeIx,
  sendAndConfirm,
  updateConfigIx,
} from "../../app/sdk/src";
import {
  buybackSnapshot,
  capturedCrank as capturedCrankOf,
  crankCommand,
  crankEnv,
  failureOf,
  passInterval as passIntervalOf,
} from "../utils/crank";
import { payRevenue } from "../utils/economy";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";

const USDC = 1_000_000n;

describe("crank: buyback and burn through the Jupiter-shaped venue", () => {
  let economy: LocalEconomy;
  let base: CrankConfig;

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false });
    base = { ...economy.crankConfig, intervalSecs: 1 };
  });

  const capturedCrank = (config: CrankConfig, options?: { refreshesPrice?: boolean }) =>
    capturedCrankOf(economy, config, options);
  const commandEnv = () => crankEnv(economy);
  const snapshot = () => buybackSnapshot(economy);
  const passInterval = () => passIntervalOf(economy);

  after(async () => {
    await economy?.stop();
  });

  /** The pool's USDC and $ASHAO reserves. */
  async function poolReserves(): Promise<[bigint, bigint]> {
    const { connection } = economy.validator;
    const { venue, usdc } = economy;
    const [a, b] = await Promise.all([
      tokenBalance(connection, venue.vaultA),
      tokenBalance(connection, venue.vaultB),
    ]);
    return venue.mintA.equals(usdc.mint) ? [a, b] : [b, a];
  }

  it("buys back and burns: supply, bucket and totals move by exactly the event's amounts", async () => {
    await payRevenue(economy, 1_000n * USDC);
    const before = await snapshot();
    const { deps } = capturedCrank(base);
    const started = Date.now();
    const result = await runCrankCycle(deps, base);
    const ms = Date.now() - started;
    expect(result.status).to.equal("bought");
    if (result.status !== "bought") return;

    const tx = await economy.validator.connection.getTransaction(result.signature!, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const [event] = findTreasuryEvents(economy.program, tx!.meta!.logMessages!, "buybackExecuted");
    const after = await snapshot();
    expect(event.data.crank.equals(economy.crank.publicKey)).to.equal(true);
    expect(after.supply).to.equal(before.supply - event.data.ashaoBurned);
    expect(after.bucket).to.equal(before.bucket - event.data.usdcSpent);
    expect(after.buybackVault).to.equal(after.bucket);
    expect(after.spent).to.equal(event.data.totalBuybackUsdcSpent);
    expect(after.burned).to.equal(event.data.totalAshaoBurned);
    expect(event.data.usdcSpent).to.equal(result.usdcAmount);
    expect(event.data.ashaoBurned >= result.minAshaoOut).to.equal(true);
    // The crank held itself to the price guard's floor, computed as the program computes it.
    expect(event.data.oraclePrice).to.equal(result.oraclePrice);
    expect(event.data.oracleExponent).to.equal(result.oracleExponent);
    expect(event.data.oracleMinAshaoOut).to.equal(result.oracleMinAshaoOut);
    expect(result.minAshaoOut >= result.oracleMinAshaoOut).to.equal(true);
    expect(result.oraclePriceUsdcPerAshao).to.equal(event.data.oraclePriceUsdcPerAshao);
    expect(result.bytes).to.be.at.most(1232);
    expect(deps.metrics.current.bought).to.equal(1);
    console.log(
      `      one cycle: ${ms} ms, ${result.bytes} bytes, ${result.accounts} accounts, ` +
        `${event.data.usdcSpent} USDC units -> ${event.data.ashaoBurned} $ASHAO units burned`,
    );
  });

  it("skips inside the interval, and while the bucket is below the minimum", async () => {
    const { deps } = capturedCrank(base);
    const inside = await runCrankCycle(deps, base);
    expect(inside).to.deep.include({ status: "skipped" });
    expect(inside.status === "skipped" && inside.reason).to.match(/^interval/);

    await passInterval();
    const bucket = (await snapshot()).bucket;
    const high = await runCrankCycle(deps, { ...base, minBuybackUsdc: bucket + 1n });
    expect(high.status === "skipped" && high.reason).to.match(/below the minimum/);
  });

  it("--dry-run quotes, builds and simulates but moves nothing", async () => {
    await passInterval();
    const before = await snapshot();
    const { deps, lines } = capturedCrank(base);
    const result = await runCrankCycle(deps, { ...base, dryRun: true });
    expect(result.status).to.equal("dry-run");
    expect(lines.map((l) => l.msg)).to.include("simulated");
    expect(await snapshot()).to.deep.equal(before);
  });

  it("refuses a quote over the price-impact limit by name and moves nothing", async () => {
    const before = await snapshot();
    const { deps } = capturedCrank(base);
    let failure: unknown;
    await runCrankCycle(deps, { ...base, maxPriceImpactBps: 1 }).catch((err) => (failure = err));
    expect(failure).to.be.instanceOf(CrankError);
    expect((failure as CrankError).reason).to.equal("price-impact");
    expect(deps.metrics.current.failed).to.deep.equal({ "price-impact": 1 });
    expect(await snapshot()).to.deep.equal(before);
  });

  it("re-quotes with fewer accounts while the transaction is over its byte budget", async () => {
    await passInterval();
    const before = await snapshot();
    const { deps, lines } = capturedCrank(base);
    let failure: unknown;
    await runCrankCycle(deps, { ...base, maxTransactionBytes: 300 }).catch((e) => (failure = e));
    expect((failure as CrankError).reason).to.equal("transaction-too-large");
    const tried = lines.filter((l) => /re-quoting/.test(String(l.msg))).map((l) => l.maxAccounts);
    // The venue's route needs 10 accounts: every rung down to 16 was tried, then no route.
    expect(tried).to.deep.equal([49, 40, 32, 24, 16]);
    expect(await snapshot()).to.deep.equal(before);
  });

  it("the venue down: exit code 3, a clear log line, nothing lost; the next run buys", async () => {
    const { env } = commandEnv();
    await economy.priceFeed.publish();
    const before = await snapshot();
    const closedPort = await freePort();
    const down = await crankCommand(
      ["once", "--jupiter-url", `http://127.0.0.1:${closedPort}`],
      env,
    );
    expect(down).to.equal(3);
    expect(await snapshot()).to.deep.equal(before);

    const up = await crankCommand(["once", "--jupiter-url", economy.jupiter.url], env);
    expect(up).to.equal(0);
    const after = await snapshot();
    expect(after.buybacks).to.equal(before.buybacks + 1n);
    expect(after.supply < before.supply).to.equal(true);

    const venue = ["--jupiter-url", economy.jupiter.url];
    expect(await crankCommand(["once", ...venue, "--slippage-bps", "lots"], env)).to.equal(2);
    expect(await crankCommand(["sometimes"], env)).to.equal(2);
  });

  describe("the price guard: a buyback it would refuse is never built", () => {
    const stranger = new PublicKey(createHash("sha256").update("a lookalike's owner").digest());

    // The feed stops following the chain: each test sets the price it needs.
    before(async () => {
      await economy.priceFeed.stopFollowing();
      // Three buybacks of the 250 USDC cap, with some left for the next suite.
      await payRevenue(economy, 3_000n * USDC);
    });

    after(async () => {
      await economy.priceFeed.publish();
      economy.priceFeed.startFollowing();
    });

    beforeEach(passInterval);

    it("a stale price and no way to refresh it: oracle-stale, exit code 4, nothing moved; with the local publisher it refreshes and buys", async () => {
      await advanceClock(economy.validator.connection, 2 * LOCAL_PRICE_GUARD.maxAgeSecs);
      const before = await snapshot();
      const { deps, lines } = capturedCrank(base, { refreshesPrice: false });
      const failure = await failureOf(runCrankCycle(deps, base));
      expect(failure.reason).to.equal("oracle-stale");
      expect(failure.message).to.match(/\(OracleStale\): the price was published 1\d\d s ago/);
      expect(lines.some((l) => l.reason === "oracle-stale" && l.retrying === false)).to.equal(true);
      expect(deps.metrics.current.failed).to.deep.equal({ "oracle-stale": 1 });

      const { env, statusFile } = commandEnv();
      expect(await crankCommand(["once"], env)).to.equal(4);
      const status = JSON.parse(readFileSync(statusFile, "utf8")) as { failed: object };
      expect(status.failed).to.deep.equal({ "oracle-stale": 1 });
      expect(await snapshot()).to.deep.equal(before);

      const refreshing = capturedCrank(base);
      const result = await runCrankCycle(refreshing.deps, base);
      expect(result.status).to.equal("bought");
      expect(refreshing.lines.map((l) => l.msg)).to.include(
        "price too old for the guard: posting a fresh one",
      );
      expect((await snapshot()).buybacks).to.equal(before.buybacks + 1n);
    });

    it("--price-update naming another feed or a lookalike: oracle-wrong-feed, oracle-wrong-owner, exit code 4", async () => {
      const { connection } = economy.validator;
      const current = await economy.priceFeed.current();
      const otherFeed = Keypair.generate().publicKey;
      const sol = createHash("sha256").update("SOL/USD").digest();
      await writePriceUpdate(connection, otherFeed, { ...current, feedId: sol });
      const lookalike = Keypair.generate().publicKey;
      await writePriceUpdate(connection, lookalike, current, stranger);
      const before = await snapshot();
      const { env } = commandEnv();
      for (const [priceUpdate, reason] of [
        [otherFeed, "oracle-wrong-feed"],
        [lookalike, "oracle-wrong-owner"],
      ] as const) {
        const config = { ...base, priceUpdate };
        // Even a crank that can refresh prices only refreshes a stale one.
        const { deps } = capturedCrank(config);
        expect((await failureOf(runCrankCycle(deps, config))).reason).to.equal(reason);
        expect(
          await crankCommand(["once", "--price-update", priceUpdate.toBase58()], env),
        ).to.equal(4);
      }
      expect(await snapshot()).to.deep.equal(before);
    });

    it("a quote below the oracle's floor: quote-below-oracle, exit code 4, no transaction built", async () => {
      const current = await economy.priceFeed.current();
      // The feed says $ASHAO is 3% cheaper than the pool sells it: no route meets the floor.
      await writePriceUpdate(economy.validator.connection, economy.priceFeed.address, {
        ...current,
        price: (current.price * 97n) / 100n,
      });
      const before = await snapshot();
      const { deps, lines } = capturedCrank(base);
      const failure = await failureOf(runCrankCycle(deps, base));
      expect(failure.reason).to.equal("quote-below-oracle");
      expect(lines.map((l) => l.msg)).to.not.include("quoted and built the buyback transaction");
      expect(await crankCommand(["once"], commandEnv().env)).to.equal(4);
      expect(await snapshot()).to.deep.equal(before);

      // At the pool's own price the same cycle buys, held to the floor the program computes.
      const published = await economy.priceFeed.publish();
      expect(published.price).to.equal(spotPrice(...(await poolReserves())));
      const result = await runCrankCycle(capturedCrank(base).deps, base);
      expect(result.status).to.equal("bought");
      if (result.status !== "bought") return;
      expect(result.oracleMinAshaoOut).to.equal(
        oracleMinAshaoOut(result.usdcAmount, published, { usdc: 6, ashao: 9 }, 100),
      );
    });

    it("Hermes unreachable for a fresh price: hermes-unreachable, exit code 3, nothing moved", async () => {
      await advanceClock(economy.validator.connection, 2 * LOCAL_PRICE_GUARD.maxAgeSecs);
      const before = await snapshot();
      const hermesUrl = `http://127.0.0.1:${await freePort()}`;
      // The mainnet path: Pyth's SDKs post into the feed's own account (the local feed's address
      // is the one Pyth's push oracle would use), after fetching the update from Hermes.
      const config = { ...base, hermesUrl, maxAttempts: 1 };
      const { deps, lines } = capturedCrank(config, { refreshesPrice: false });
      const failure = await failureOf(runCrankCycle(deps, config));
      expect(failure.reason).to.equal("hermes-unreachable");
      expect(failure.message).to.include(hermesUrl);
      expect(lines.map((l) => l.msg)).to.include(
        "price too old for the guard: posting a fresh one",
      );
      expect(await crankCommand(["once", "--hermes-url", hermesUrl], commandEnv().env)).to.equal(3);
      expect(await snapshot()).to.deep.equal(before);
    });

    it("no price guard: the crank skips (no-price-guard); the guard back after the timelock, it buys", async () => {
      const { program, accounts, authority } = economy;
      const { connection } = economy.validator;
      const asAuthority = async (ix: Parameters<typeof sendAndConfirm>[1][number]) =>
        sendAndConfirm(connection, [ix], { keypairs: [authority] });
      await asAuthority(
        await updateConfigIx(program, accounts, {
          authority: authority.publicKey,
          change: { priceGuard: NO_PRICE_GUARD },
        }),
      );
      const { deps } = capturedCrank(base);
      const skipped = await runCrankCycle(deps, base);
      expect(skipped.status === "skipped" && skipped.reason).to.match(/^no-price-guard/);
      expect(await crankCommand(["once"], commandEnv().env)).to.equal(0);

      await asAuthority(
        await queueConfigChangeIx(program, accounts, {
          authority: authority.publicKey,
          change: { priceGuard: LOCAL_PRICE_GUARD },
        }),
      );
      await advanceClock(connection, (await fetchTreasuryOrThrow(program)).timelockSecs);
      await asAuthority(
        await applyConfigChangeIx(program, accounts, { caller: authority.publicKey }),
      );
      const result = await runCrankCycle(deps, base);
      expect(result.status).to.equal("bought");
    });
  });

  describe("with the RPC behind a faulty link", () => {
    let proxy: RpcFaultProxy;

    before(async () => {
      proxy = new RpcFaultProxy(economy.validator.rpcUrl);
      await proxy.start();
      await payRevenue(economy, 1_000n * USDC);
    });

    after(async () => proxy?.stop());

    it("sendTransaction failing before the node (503): the same transaction is sent again, lands once", async () => {
      await passInterval();
      const before = await snapshot();
      const config = { ...base, rpcUrl: proxy.url };
      const { deps } = capturedCrank(config);
      proxy.failNext("sendTransaction", "unavailable");
      const result = await runCrankCycle(deps, config);
      expect(result.status).to.equal("bought");
      expect(result.status === "bought" && result.attempts).to.equal(1);
      const after = await snapshot();
      expect(after.buybacks).to.equal(before.buybacks + 1n);
      expect(after.bucket).to.equal(after.buybackVault);
    });

    it("the reply to sendTransaction lost after the node took it: found landed, never bought twice", async () => {
      await payRevenue(economy, 1_000n * USDC);
      await passInterval();
      const before = await snapshot();
      const config = { ...base, rpcUrl: proxy.url };
      const { deps } = capturedCrank(config);
      proxy.failNext("sendTransaction", "lose-reply");
      const result = await runCrankCycle(deps, config);
      expect(result.status).to.equal("bought");
      expect(result.status === "bought" && result.attempts).to.equal(1);
      const after = await snapshot();
      expect(after.buybacks).to.equal(before.buybacks + 1n);
      expect(after.supply < before.supply).to.equal(true);
    });

    it("a lost transaction whose blockhash expires: seen not to land, then bought with a new one", async () => {
      await payRevenue(economy, 1_000n * USDC);
      await passInterval();
      const before = await snapshot();
      const config = { ...base, rpcUrl: proxy.url };
      const { deps, lines } = capturedCrank(config);
      // Every send (and resend) is lost until the clock has moved past the blockhash.
      for (let i = 0; i < 1_000; i++) proxy.failNext("sendTransaction", "drop");
      proxy.once("fault", () => {
        void advanceClock(economy.validator.connection, 120).then(() =>
          proxy.clearFaults("sendTransaction"),
        );
      });
      const result = await runCrankCycle(deps, config);
      expect(result.status).to.equal("bought");
      expect(lines.some((l) => l.reason === "expired" && l.retrying === true)).to.equal(true);
      const after = await snapshot();
      expect(after.buybacks).to.equal(before.buybacks + 1n);
      expect(after.supply < before.supply).to.equal(true);
    });
  });
});
