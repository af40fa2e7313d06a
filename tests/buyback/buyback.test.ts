/**
 * begin_buyback / finish_buyback on the local validator with the real test AMM between them and
 * the price guard reading the local $ASHAO/USD feed: the burn, the books and the event; then
 * every way around the rules a crank holding the lent USDC could try, each refused by name with
 * nothing moved (vaults, books, supply and the crank's own balances).
 */
import { createHash } from "crypto";

import {
  createAccount,
  createAssociatedTokenAccountIdempotentInstruction,
  createRecoverNestedInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { Keypair, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";

import { LOCAL_PRICE_GUARD, writePriceUpdate } from "../../app/localnet/price-feed";
import { advanceClock, setAccount } from "../../app/localnet/validator";
import {
  applyConfigChangeIx,
  beginBuybackIx,
  buybackCapacity,
  crankAccounts,
  MAX_ORACLE_CLOCK_SKEW_SECS,
  MIN_BUYBACK_INTERVAL_SECS,
  NO_PRICE_GUARD,
  oracleMinAshaoOut,
  oracleUsdcPerAshao,
  PRICE_UPDATE_V2_SPACE,
  type PriceUpdateV2,
  PYTH_RECEIVER_PROGRAM_ID,
  queueConfigChangeIx,
  setPausedIx,
  updateConfigIx,
} from "../../app/sdk/src";
import { fundedTokenAccount, mintTokens, tokenBalance } from "../utils/tokens";
import { expectTreasuryError, send, transactionEvent } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";
import { ASHAO, type BuybackFixture, setupBuyback, USDC } from "./fixture";

/** programs/test-buyback-proxy: forwards an instruction through a CPI. */
const TEST_BUYBACK_PROXY_ID = new PublicKey("GEKKSQoD85mdqSLpRbhLZHYfW3Ct3godEM8vdxo5j2Pt");
const DECIMALS = { usdc: 6, ashao: 9 };

describe("buyback: begin_buyback, a swap, finish_buyback", () => {
  const validator = useTestValidator();
  let f: BuybackFixture;

  before(async () => {
    f = await setupBuyback(validator.current);
  });

  // Each test may buy: the interval has passed, and the feed has the pool's price at that time.
  beforeEach(async () => {
    await advanceClock(validator.current.connection, MIN_BUYBACK_INTERVAL_SECS);
    await f.oracle.publish();
  });

  /** Sends `ixs` as the crank and expects the named error with every balance unchanged. */
  async function refused(
    ixs: TransactionInstruction[],
    name: string,
    alsoUnchanged: PublicKey[] = [],
  ) {
    const conn = validator.current.connection;
    const others = () => Promise.all(alsoUnchanged.map((a) => tokenBalance(conn, a)));
    const before = { ...(await f.balances()), others: await others() };
    await expectTreasuryError(send(validator.current, ixs, f.crank), name);
    expect({ ...(await f.balances()), others: await others() }).to.deep.equal(before);
  }

  it("burns exactly what the swap bought, spends the bucket and books both, at the oracle's price", async () => {
    const before = await f.balances();
    const usdcAmount = 400n * USDC;
    const expectedOut = await f.quote(usdcAmount);
    const published = await f.oracle.publish();
    const signature = await send(
      validator.current,
      await f.buybackIxs({ usdcAmount, minAshaoOut: expectedOut }),
      f.crank,
    );
    const after = await f.balances();

    expect(after.supply).to.equal(before.supply - expectedOut);
    expect(after.bucket).to.equal(before.bucket - usdcAmount);
    expect(after.buybackVault).to.equal(after.bucket);
    expect(after.spent).to.equal(before.spent + usdcAmount);
    expect(after.burned).to.equal(before.burned + expectedOut);
    expect(after.buybacks).to.equal(before.buybacks + 1n);
    // The crank ends where it started: it only passes the treasury's USDC and $ASHAO through.
    expect([after.crankUsdc, after.crankAshao]).to.deep.equal([
      before.crankUsdc,
      before.crankAshao,
    ]);

    const event = await transactionEvent(f.t, signature, "buybackExecuted");
    expect(event.crank.equals(f.crank.publicKey)).to.equal(true);
    expect(event.usdcSpent).to.equal(usdcAmount);
    expect(event.usdcReturned).to.equal(0n);
    expect(event.ashaoBurned).to.equal(expectedOut);
    expect(event.priceUsdcPerAshao).to.equal((usdcAmount * ASHAO) / expectedOut);
    expect(event.totalBuybackUsdcSpent).to.equal(after.spent);
    expect(event.totalAshaoBurned).to.equal(after.burned);
    expect(event.buybackBucket).to.equal(after.bucket);
    // The feed was published at this chain time from this pool: 1,000,000 USDC : 50,000,000
    // $ASHAO less earlier buybacks, about $0.02.
    expect(event.oraclePrice).to.equal(published.price);
    expect(event.oracleExponent).to.equal(-8);
    expect(event.oraclePublishTime).to.equal(published.publishTime);
    expect(event.oracleMinAshaoOut).to.equal(
      oracleMinAshaoOut(usdcAmount, published, DECIMALS, 100),
    );
  });

  it("returns what the swap did not spend to the bucket", async () => {
    const before = await f.balances();
    const swapIn = 150n * USDC;
    const out = await f.quote(swapIn);
    await send(
      validator.current,
      await f.buybackIxs({ usdcAmount: 500n * USDC, swapIn, minAshaoOut: out }),
      f.crank,
    );
    const after = await f.balances();
    expect(after.bucket).to.equal(before.bucket - swapIn);
    expect(after.buybackVault).to.equal(after.bucket);
    expect(after.supply).to.equal(before.supply - out);
    expect(after.crankUsdc).to.equal(before.crankUsdc);
  });

  it("refuses a crank not on the allow-list (CrankNotAllowed)", async () => {
    const stranger = await validator.current.fundedKeypair(1e9);
    const c = crankAccounts(stranger.publicKey, f.t.accounts);
    const conn = validator.current.connection;
    await fundedTokenAccount(conn, f.t.authority, f.t.usdc, stranger.publicKey);
    await fundedTokenAccount(conn, f.t.authority, f.t.ashao, stranger.publicKey);
    const before = await f.balances();
    await expectTreasuryError(
      send(validator.current, await f.buybackIxs({ usdcAmount: USDC, crank: c }), stranger),
      "CrankNotAllowed",
    );
    expect(await f.balances()).to.deep.equal(before);
  });

  it("refuses begin without finish (MissingFinishBuyback)", async () => {
    const [begin, swap] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    await refused([begin, swap], "MissingFinishBuyback");
    await refused([begin], "MissingFinishBuyback");
  });

  it("refuses finish without begin (NoBuybackInProgress)", async () => {
    // The crank swaps 1 USDC of its own; finish has nothing to close.
    const [, swap, finish] = await f.buybackIxs({ usdcAmount: USDC });
    await refused([swap, finish], "NoBuybackInProgress");
  });

  it("refuses two begins sharing one finish (BuybackInstructionNotAllowed)", async () => {
    const [begin, swap, finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    await refused([begin, begin, swap, finish], "BuybackInstructionNotAllowed");
  });

  it("refuses begin called through another program (BuybackNotTopLevel)", async () => {
    const [begin, swap, finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    const viaProxy = new TransactionInstruction({
      programId: TEST_BUYBACK_PROXY_ID,
      keys: [{ pubkey: begin.programId, isSigner: false, isWritable: false }, ...begin.keys],
      data: begin.data,
    });
    await refused([viaProxy, swap, finish], "BuybackNotTopLevel");
  });

  it("refuses a program off the allow-list between the halves (BuybackInstructionNotAllowed)", async () => {
    const [begin, swap, finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    const lamports = SystemProgram.transfer({
      fromPubkey: f.crank.publicKey,
      toPubkey: f.t.authority.publicKey,
      lamports: 1,
    });
    await refused([begin, lamports, swap, finish], "BuybackInstructionNotAllowed");
  });

  it("refuses an allowed program naming a treasury account between the halves (BuybackTouchesTreasury)", async () => {
    const [begin, , finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    // The swap paying from the buyback vault itself.
    const fromVault = await f.swapIx(10n * USDC, {
      user: f.crank.publicKey,
      userSource: f.t.accounts.buybackVault,
      userDestination: f.crankAccounts.crankAshao,
    });
    await refused([begin, fromVault, finish], "BuybackTouchesTreasury");
    // An associated-token create naming the config as the owner.
    const configAta = createAssociatedTokenAccountIdempotentInstruction(
      f.crank.publicKey,
      getAssociatedTokenAddressSync(f.t.usdc.mint, f.t.accounts.config, true),
      f.t.accounts.config,
      f.t.usdc.mint,
    );
    const [, swap] = await f.buybackIxs({ usdcAmount: 10n * USDC });
    await refused([begin, configAta, swap, finish], "BuybackTouchesTreasury");
  });

  it("refuses a swap that delivers less than min_ashao_out (MinAshaoOutNotMet)", async () => {
    const usdcAmount = 10n * USDC;
    const out = await f.quote(usdcAmount);
    await refused(await f.buybackIxs({ usdcAmount, minAshaoOut: out + 1n }), "MinAshaoOutNotMet");
  });

  it("refuses more than the cap, and zero amounts (BuybackTooLarge, ZeroAmount)", async () => {
    const state = await f.t.state();
    await refused(
      await f.buybackIxs({ usdcAmount: state.maxBuybackUsdc + 1n, swapIn: USDC }),
      "BuybackTooLarge",
    );
    const c = f.crankAccounts;
    const swap = await f.swapIx(USDC);
    const finish = await f.finishIx();
    const begin = (usdcAmount: bigint, minAshaoOut: bigint) =>
      beginBuybackIx(f.t.program, f.t.accounts, { ...c, usdcAmount, minAshaoOut });
    await refused([await begin(0n, 1n), swap, finish], "ZeroAmount");
    await refused([await begin(USDC, 0n), swap, finish], "ZeroAmount");
    expect(state.buybackBucket > state.maxBuybackUsdc).to.equal(true);
  });

  it("refuses buybacks while paused (Paused), and runs again once unpaused", async () => {
    const { t } = f;
    await send(
      validator.current,
      await setPausedIx(t.program, t.accounts, { authority: t.authority.publicKey, paused: true }),
      t.authority,
    );
    await refused(await f.buybackIxs({ usdcAmount: 10n * USDC }), "Paused");
    await send(
      validator.current,
      await setPausedIx(t.program, t.accounts, { authority: t.authority.publicKey, paused: false }),
      t.authority,
    );
    await send(validator.current, await f.buybackIxs({ usdcAmount: 10n * USDC }), f.crank);
  });

  describe("what a crank could try with the USDC it is lent", () => {
    /** An $ASHAO account of the crank's that is not the one the buyback registered. */
    let otherAshao: PublicKey;

    before(async () => {
      const conn = validator.current.connection;
      otherAshao = await createAccount(
        conn,
        f.crank,
        f.t.ashao.mint,
        f.crank.publicKey,
        Keypair.generate(),
        { commitment: "confirmed" },
      );
      await mintTokens(conn, f.t.ashao, otherAshao, 10n * ASHAO);
    });

    it("diverting the swap's output to another of its accounts, with a dust swap into the registered one (PriceBelowOracle)", async () => {
      const usdcAmount = 1_000n * USDC;
      const dust = USDC;
      const begin = await beginBuybackIx(f.t.program, f.t.accounts, {
        ...f.crankAccounts,
        usdcAmount,
        minAshaoOut: 1n,
      });
      const diverted = await f.swapIx(usdcAmount - dust, {
        user: f.crank.publicKey,
        userSource: f.crankAccounts.crankUsdc,
        userDestination: otherAshao,
      });
      const dustSwap = await f.swapIx(dust);
      // The crank's own bound (1) is met; the oracle's is ~49,500 $ASHAO for 1,000 USDC.
      const floor = oracleMinAshaoOut(usdcAmount, await f.oracle.current(), DECIMALS, 100);
      expect(floor > 49_000n * ASHAO).to.equal(true);
      await refused([begin, diverted, dustSwap, await f.finishIx()], "PriceBelowOracle", [
        otherAshao,
      ]);
    });

    it("the associated token program's RecoverNested between the halves (BuybackInstructionNotAllowed)", async () => {
      const [begin, swap, finish] = await f.buybackIxs({ usdcAmount: 10n * USDC });
      // $ASHAO held by an associated account owned by the crank's USDC account.
      const nested = getAssociatedTokenAddressSync(f.t.ashao.mint, f.crankAccounts.crankUsdc, true);
      const recover = createRecoverNestedInstruction(
        nested,
        f.t.ashao.mint,
        f.crankAccounts.crankAshao,
        f.crankAccounts.crankUsdc,
        f.t.usdc.mint,
        f.crank.publicKey,
      );
      await refused([begin, swap, recover, finish], "BuybackInstructionNotAllowed");
    });

    it("any SPL Token instruction between the halves: topping up, diverting, paying the vault (BuybackInstructionNotAllowed)", async () => {
      const usdcAmount = 10n * USDC;
      const [begin, swap, finish] = await f.buybackIxs({ usdcAmount, minAshaoOut: 1n });
      const divertedSwap = await f.swapIx(usdcAmount, {
        user: f.crank.publicKey,
        userSource: f.crankAccounts.crankUsdc,
        userDestination: otherAshao,
      });
      const conn = validator.current.connection;
      const elsewhere = {
        usdc: await fundedTokenAccount(conn, f.t.authority, f.t.usdc, f.t.authority.publicKey),
        ashao: await fundedTokenAccount(conn, f.t.authority, f.t.ashao, f.t.authority.publicKey),
      };
      const transfer = (from: PublicKey, mint: typeof f.t.usdc, to: PublicKey, amount: bigint) =>
        createTransferCheckedInstruction(
          from,
          mint.mint,
          to,
          f.crank.publicKey,
          amount,
          mint.decimals,
        );
      const { crankUsdc, crankAshao } = f.crankAccounts;
      const attempts: TransactionInstruction[][] = [
        // The swap's output kept, the registered account topped up from its own holdings.
        [divertedSwap, transfer(otherAshao, f.t.ashao, crankAshao, 10n * ASHAO)],
        // Walking away with the lent USDC.
        [transfer(crankUsdc, f.t.usdc, elsewhere.usdc, usdcAmount)],
        // Diverting the $ASHAO bought before it is burned.
        [swap, transfer(crankAshao, f.t.ashao, elsewhere.ashao, 1n)],
        // Paying the vault back directly.
        [transfer(crankUsdc, f.t.usdc, f.t.accounts.buybackVault, usdcAmount)],
      ];
      for (const between of attempts) {
        await refused([begin, ...between, finish], "BuybackInstructionNotAllowed", [otherAshao]);
      }
    });

    it("a route worse than the oracle less slippage (PriceBelowOracle); within it, bought at the figures the SDK predicts", async () => {
      const conn = validator.current.connection;
      const usdcAmount = 400n * USDC;
      const oracle = await f.oracle.publish();
      const fair = oracleMinAshaoOut(usdcAmount, oracle, DECIMALS, 0);

      // Someone buys 24,300 USDC of $ASHAO first: the pool's price moves ~4.9% above the feed.
      const whale = await validator.current.fundedKeypair(1e9);
      const whaleUsdc = await fundedTokenAccount(
        conn,
        f.t.authority,
        f.t.usdc,
        whale.publicKey,
        24_300n * USDC,
      );
      const whaleAshao = await fundedTokenAccount(conn, f.t.authority, f.t.ashao, whale.publicKey);
      await send(
        validator.current,
        await f.swapIx(24_300n * USDC, {
          user: whale.publicKey,
          userSource: whaleUsdc,
          userDestination: whaleAshao,
        }),
        whale,
      );
      const worse = await f.quote(usdcAmount);
      // The route now gets 5% less than the oracle says; the guard allows 1% less.
      expect(Number((worse * 10_000n) / fair)).to.be.within(9_450, 9_550);
      await refused(await f.buybackIxs({ usdcAmount, minAshaoOut: worse }), "PriceBelowOracle");

      // The feed catches up with the pool: the same route is within slippage.
      const caughtUp = await f.oracle.publish();
      const out = await f.quote(usdcAmount);
      const before = await f.balances();
      const signature = await send(
        validator.current,
        await f.buybackIxs({ usdcAmount, minAshaoOut: out }),
        f.crank,
      );
      const event = await transactionEvent(f.t, signature, "buybackExecuted");
      const floor = oracleMinAshaoOut(usdcAmount, caughtUp, DECIMALS, 100);
      expect(event.ashaoBurned).to.equal(out);
      expect(out >= floor && out < oracleMinAshaoOut(usdcAmount, caughtUp, DECIMALS, 0)).to.equal(
        true,
      );
      expect(event.oraclePrice).to.equal(caughtUp.price);
      expect(event.oracleExponent).to.equal(caughtUp.exponent);
      expect(event.oraclePublishTime).to.equal(caughtUp.publishTime);
      expect(event.oraclePriceUsdcPerAshao).to.equal(oracleUsdcPerAshao(caughtUp, 6));
      expect(event.oracleMinAshaoOut).to.equal(floor);
      expect(event.priceUsdcPerAshao).to.equal((usdcAmount * ASHAO) / out);
      // Effective price within 1% (plus the pool's fee and impact) of the oracle's.
      expect(event.priceUsdcPerAshao > event.oraclePriceUsdcPerAshao).to.equal(true);
      expect(event.priceUsdcPerAshao * 99n <= event.oraclePriceUsdcPerAshao * 100n).to.equal(true);
      expect((await f.balances()).supply).to.equal(before.supply - out);
    });

    it("the program's floor is exactly the SDK's, at the low end of the confidence interval: one unit below it refused, at it bought", async () => {
      const usdcAmount = 100n * USDC;
      const current = await f.oracle.current();
      const out = await f.quote(usdcAmount);
      // The lowest price (most $ASHAO demanded) whose floor this route still meets.
      const exact = (price: bigint) => ({ ...current, price, conf: 0n });
      let [lo, hi] = [1n, current.price * 2n];
      while (lo < hi) {
        const mid = (lo + hi) / 2n;
        if (oracleMinAshaoOut(usdcAmount, exact(mid), DECIMALS, 100) <= out) {
          hi = mid;
        } else {
          lo = mid + 1n;
        }
      }
      const publish = (price: bigint, conf: bigint) =>
        writePriceUpdate(validator.current.connection, f.oracle.address, {
          ...current,
          price,
          conf,
        });
      await publish(lo - 1n, 0n);
      await refused(await f.buybackIxs({ usdcAmount, minAshaoOut: out }), "PriceBelowOracle");
      // A mid price above the boundary does not help the crank when the interval's low end is
      // below it: the uncertainty counts for the treasury (half a percent, within the guard).
      const conf = lo / 200n;
      await publish(lo + conf, conf + 1n);
      await refused(await f.buybackIxs({ usdcAmount, minAshaoOut: out }), "PriceBelowOracle");
      await publish(lo + conf, conf);
      const signature = await send(
        validator.current,
        await f.buybackIxs({ usdcAmount, minAshaoOut: out }),
        f.crank,
      );
      const event = await transactionEvent(f.t, signature, "buybackExecuted");
      expect([event.oraclePrice, event.oracleConfidence]).to.deep.equal([lo + conf, conf]);
      expect(event.oracleMinAshaoOut).to.equal(
        oracleMinAshaoOut(usdcAmount, { ...current, price: lo + conf, conf }, DECIMALS, 100),
      );
      expect(event.oracleMinAshaoOut).to.equal(
        oracleMinAshaoOut(usdcAmount, exact(lo), DECIMALS, 100),
      );
      expect(event.oracleMinAshaoOut <= event.ashaoBurned).to.equal(true);
    });

    it("refuses a price published beyond the clock skew with OraclePublishedInFuture, nothing moved", async () => {
      const current = await f.oracle.current();
      await writePriceUpdate(validator.current.connection, f.oracle.address, {
        ...current,
        publishTime: current.publishTime + BigInt(MAX_ORACLE_CLOCK_SKEW_SECS) + 60n,
      });
      await refused(await f.buybackIxs({ usdcAmount: 100n * USDC }), "OraclePublishedInFuture");
    });

    describe("the price account it passes", () => {
      const stranger = new PublicKey(createHash("sha256").update("an attacker's program").digest());

      /** A price update written at a fresh address, as a crank would pass it. */
      async function priceAccount(
        changes: Partial<PriceUpdateV2>,
        owner = PYTH_RECEIVER_PROGRAM_ID,
      ): Promise<PublicKey> {
        const address = Keypair.generate().publicKey;
        const update = { ...(await f.oracle.current()), ...changes };
        await writePriceUpdate(validator.current.connection, address, update, owner);
        return address;
      }

      async function refusedWith(priceUpdate: PublicKey, name: string) {
        const usdcAmount = 100n * USDC;
        await refused(await f.buybackIxs({ usdcAmount, minAshaoOut: 1n, priceUpdate }), name);
      }

      it("the feed's account gone stale (OracleStale)", async () => {
        const current = await f.oracle.current();
        await writePriceUpdate(validator.current.connection, f.oracle.address, {
          ...current,
          publishTime: current.publishTime - BigInt(LOCAL_PRICE_GUARD.maxAgeSecs) - 1n,
        });
        await refusedWith(f.oracle.address, "OracleStale");
      });

      it("another feed's price (OracleWrongFeed)", async () => {
        const btc = createHash("sha256").update("BTC/USD").digest();
        await refusedWith(await priceAccount({ feedId: btc }), "OracleWrongFeed");
      });

      it("a lookalike the attacker wrote, owned by its own program (OracleWrongOwner)", async () => {
        await refusedWith(await priceAccount({ price: 1n }, stranger), "OracleWrongOwner");
        // No account at all is owned by nobody.
        await refusedWith(Keypair.generate().publicKey, "OracleWrongOwner");
      });

      it("a partially verified update (OracleNotFullyVerified)", async () => {
        await refusedWith(
          await priceAccount({ verification: { kind: "partial", numSignatures: 5 } }),
          "OracleNotFullyVerified",
        );
      });

      it("a confidence interval wider than the guard's 100 bps (OracleConfidenceTooWide)", async () => {
        const { price } = await f.oracle.current();
        await refusedWith(
          await priceAccount({ conf: (price * 100n) / 10_000n + 1n }),
          "OracleConfidenceTooWide",
        );
      });

      it("a zero or negative price (OraclePriceInvalid), another receiver account (OracleInvalidAccount)", async () => {
        await refusedWith(await priceAccount({ price: 0n }), "OraclePriceInvalid");
        await refusedWith(await priceAccount({ price: -2_000_000n }), "OraclePriceInvalid");
        const notAPrice = Keypair.generate().publicKey;
        const lamports =
          await validator.current.connection.getMinimumBalanceForRentExemption(
            PRICE_UPDATE_V2_SPACE,
          );
        await setAccount(validator.current.connection, notAPrice, {
          lamports,
          data: Buffer.alloc(PRICE_UPDATE_V2_SPACE, 1),
          owner: PYTH_RECEIVER_PROGRAM_ID,
        });
        await refusedWith(notAPrice, "OracleInvalidAccount");
      });
    });
  });

  it("no price guard, no buyback (NoPriceGuard): switching it off is immediate, back on waits the timelock", async () => {
    const { t } = f;
    const conn = validator.current.connection;
    await send(
      validator.current,
      await updateConfigIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change: { priceGuard: NO_PRICE_GUARD },
      }),
      t.authority,
    );
    await refused(await f.buybackIxs({ usdcAmount: 10n * USDC }), "NoPriceGuard");

    await send(
      validator.current,
      await queueConfigChangeIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change: { priceGuard: LOCAL_PRICE_GUARD },
      }),
      t.authority,
    );
    const apply = await applyConfigChangeIx(t.program, t.accounts, { caller: f.crank.publicKey });
    await expectTreasuryError(send(validator.current, apply, f.crank), "TimelockNotElapsed");
    await refused(await f.buybackIxs({ usdcAmount: 10n * USDC }), "NoPriceGuard");

    await advanceClock(conn, (await t.state()).timelockSecs);
    // Anyone may apply a change whose timelock has passed; here the crank does.
    await send(validator.current, apply, f.crank);
    expect((await t.state()).priceGuard).to.deep.equal(LOCAL_PRICE_GUARD);
    await f.oracle.publish();
    const before = await f.balances();
    await send(validator.current, await f.buybackIxs({ usdcAmount: 10n * USDC }), f.crank);
    expect((await f.balances()).buybacks).to.equal(before.buybacks + 1n);
  });
});

describe("buyback: what one crank can move is bounded by the cap and the interval", () => {
  const validator = useTestValidator();
  let f: BuybackFixture;

  before(async () => {
    f = await setupBuyback(
      validator.current,
      { minBuybackIntervalSecs: 600, maxBuybackUsdc: 5_000n * USDC },
      2_000n * USDC,
    );
  });

  it("refuses more than the bucket holds or the cap allows (BuybackExceedsBucket, BuybackTooLarge)", async () => {
    const before = await f.balances();
    expect(before.bucket).to.equal(1_000n * USDC);
    await expectTreasuryError(
      send(
        validator.current,
        await f.buybackIxs({ usdcAmount: before.bucket + 1n, swapIn: USDC }),
        f.crank,
      ),
      "BuybackExceedsBucket",
    );
    // Lowering the cap reduces risk: it applies at once.
    await send(
      validator.current,
      await updateConfigIx(f.t.program, f.t.accounts, {
        authority: f.t.authority.publicKey,
        change: { maxBuybackUsdc: 400n * USDC },
      }),
      f.t.authority,
    );
    await expectTreasuryError(
      send(
        validator.current,
        await f.buybackIxs({ usdcAmount: 400n * USDC + 1n, swapIn: USDC }),
        f.crank,
      ),
      "BuybackTooLarge",
    );
    expect(await f.balances()).to.deep.equal(before);
  });

  it("two buybacks inside the interval: the second is refused (BuybackTooSoon), in one transaction or two", async () => {
    const cap = (await f.t.state()).maxBuybackUsdc;
    await send(validator.current, await f.buybackIxs({ usdcAmount: cap }), f.crank);
    const after = await f.t.state();
    const capacity = buybackCapacity(after, after.lastBuybackTs + 1n);
    expect(capacity.blocked).to.equal("interval");
    expect(capacity.nextAllowedAtSecs).to.equal(after.lastBuybackTs + 600n);

    const before = await f.balances();
    await expectTreasuryError(
      send(validator.current, await f.buybackIxs({ usdcAmount: 100n * USDC }), f.crank),
      "BuybackTooSoon",
    );
    expect(await f.balances()).to.deep.equal(before);

    // Past the interval, two buybacks back to back in one transaction: the second is too soon.
    await advanceClock(validator.current.connection, 600);
    await f.oracle.publish();
    const first = await f.buybackIxs({ usdcAmount: 100n * USDC, minAshaoOut: 1n });
    const second = await f.buybackIxs({ usdcAmount: 100n * USDC, minAshaoOut: 1n });
    await expectTreasuryError(
      send(validator.current, [...first, ...second], f.crank),
      "BuybackTooSoon",
    );
    expect(await f.balances()).to.deep.equal(before);

    await send(validator.current, await f.buybackIxs({ usdcAmount: cap }), f.crank);
    const end = await f.balances();
    expect(end.buybacks).to.equal(before.buybacks + 1n);
    // Two intervals, two caps: all one crank could move.
    expect(end.spent).to.equal(2n * cap);
  });
});
