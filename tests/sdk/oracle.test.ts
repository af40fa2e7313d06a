/**
 * The SDK's price-guard layer without a chain: `PriceUpdateV2` bytes as Pyth's own receiver SDK
 * reads them, the push oracle's feed address as Pyth derives it, the guard's checks in the
 * program's order, and the minimum-out arithmetic on the program's own unit-test cases
 * (programs/ashao-treasury/src/math/price.rs) plus its rounding property.
 */
import { createHash } from "crypto";

import { Wallet } from "@anchor-lang/core";
import {
  getPriceFeedAccountForProgram,
  PythSolanaReceiver,
} from "@pythnetwork/pyth-solana-receiver";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  checkPriceGuard,
  decodePriceUpdateV2,
  encodePriceUpdateV2,
  MAX_ORACLE_CLOCK_SKEW_SECS,
  oracleMinAshaoOut,
  OracleMathOverflowError,
  oracleUsdcPerAshao,
  PRICE_UPDATE_V2_SPACE,
  type PriceGuard,
  type PriceUpdateV2,
  PYTH_RECEIVER_PROGRAM_ID,
  pythPriceFeedAccount,
  treasurySidePrice,
} from "../../app/sdk/src";

const feedId = createHash("sha256").update("ASHAO/USD test").digest();
const guard: PriceGuard = { kind: "pythPull", feedId, maxAgeSecs: 60, maxConfidenceBps: 100 };
const NOW = 1_800_000_000n;

function update(overrides: Partial<PriceUpdateV2> = {}): PriceUpdateV2 {
  return {
    writeAuthority: Keypair.generate().publicKey,
    verification: { kind: "full" },
    feedId,
    price: 2_000_000n,
    conf: 2_000n,
    exponent: -8,
    publishTime: NOW - 5n,
    prevPublishTime: NOW - 6n,
    emaPrice: 1_999_000n,
    emaConf: 2_100n,
    postedSlot: 123_456n,
    ...overrides,
  };
}

const owned = (u: PriceUpdateV2, owner = PYTH_RECEIVER_PROGRAM_ID) => ({
  owner,
  data: encodePriceUpdateV2(u),
});

describe("SDK oracle: PriceUpdateV2 bytes", () => {
  // Pyth's receiver SDK decodes with its own Anchor IDL; it never talks to this endpoint.
  const pyth = new PythSolanaReceiver({
    connection: new Connection("http://127.0.0.1:1"),
    wallet: new Wallet(Keypair.generate()),
  });

  for (const verification of [
    { kind: "full" } as const,
    { kind: "partial", numSignatures: 7 } as const,
  ]) {
    it(`encodes what Pyth's receiver SDK decodes (${verification.kind}), and decodes it back`, () => {
      const u = update({ verification, price: -5n, exponent: -12 });
      const data = encodePriceUpdateV2(u);
      expect(data.length).to.equal(PRICE_UPDATE_V2_SPACE);
      expect(decodePriceUpdateV2(data)).to.deep.equal(u);

      const theirs = pyth.receiver.coder.accounts.decode("priceUpdateV2", data);
      expect(theirs.writeAuthority.equals(u.writeAuthority)).to.equal(true);
      expect(theirs.verificationLevel).to.deep.equal(
        verification.kind === "full" ? { full: {} } : { partial: { numSignatures: 7 } },
      );
      const message = theirs.priceMessage;
      expect(Buffer.from(message.feedId).equals(feedId)).to.equal(true);
      expect(
        [message.price, message.conf, message.publishTime, message.prevPublishTime].map(String),
      ).to.deep.equal(["-5", "2000", String(NOW - 5n), String(NOW - 6n)]);
      expect([message.exponent, String(message.emaPrice), String(message.emaConf)]).to.deep.equal([
        -12,
        "1999000",
        "2100",
      ]);
      expect(String(theirs.postedSlot)).to.equal("123456");
    });
  }

  it("refuses bytes that are not a PriceUpdateV2", () => {
    const data = encodePriceUpdateV2(update());
    expect(decodePriceUpdateV2(data.subarray(0, 100))).to.equal(undefined);
    const other = Buffer.from(data);
    other[0] ^= 1;
    expect(decodePriceUpdateV2(other)).to.equal(undefined);
    const badTag = Buffer.from(data);
    badTag[40] = 2;
    expect(decodePriceUpdateV2(badTag)).to.equal(undefined);
  });

  it("derives the push oracle's feed account as Pyth's SDK does", () => {
    for (const shard of [0, 1, 513]) {
      expect(pythPriceFeedAccount(feedId, shard).toBase58()).to.equal(
        getPriceFeedAccountForProgram(shard, feedId).toBase58(),
      );
    }
  });
});

describe("SDK oracle: the guard's checks", () => {
  const check = (account: Parameters<typeof checkPriceGuard>[1], now = NOW) =>
    checkPriceGuard(guard, account, now);
  const refusal = (account: Parameters<typeof checkPriceGuard>[1], now = NOW) => {
    const result = check(account, now);
    return result.ok ? "accepted" : result.error;
  };

  it("accepts a fresh, fully verified price of the feed within the confidence bound", () => {
    const result = check(owned(update({ conf: 20_000n })));
    expect(result).to.deep.equal({
      ok: true,
      price: { price: 2_000_000n, conf: 20_000n, exponent: -8, publishTime: NOW - 5n },
    });
    // Exactly maxAgeSecs old is still fresh (age <= max), one more second is not.
    expect(refusal(owned(update({ publishTime: NOW - 60n })))).to.equal("accepted");
    expect(refusal(owned(update({ publishTime: NOW - 61n })))).to.equal("OracleStale");
  });

  it(`accepts a price published up to ${MAX_ORACLE_CLOCK_SKEW_SECS} s ahead of the clock, refuses one later by name`, () => {
    const skew = BigInt(MAX_ORACLE_CLOCK_SKEW_SECS);
    expect(refusal(owned(update({ publishTime: NOW + skew })))).to.equal("accepted");
    expect(refusal(owned(update({ publishTime: NOW + skew + 1n })))).to.equal(
      "OraclePublishedInFuture",
    );
    expect(refusal(owned(update({ publishTime: NOW + 3_600n })))).to.equal(
      "OraclePublishedInFuture",
    );
  });

  it("names each refusal as the program does", () => {
    expect(checkPriceGuard({ kind: "none" }, owned(update()), NOW)).to.deep.include({
      ok: false,
      error: "NoPriceGuard",
    });
    expect(refusal(null)).to.equal("OracleWrongOwner");
    expect(refusal(owned(update(), Keypair.generate().publicKey))).to.equal("OracleWrongOwner");
    expect(refusal({ owner: PYTH_RECEIVER_PROGRAM_ID, data: Buffer.alloc(134) })).to.equal(
      "OracleInvalidAccount",
    );
    expect(refusal(owned(update({ feedId: Buffer.alloc(32, 7) })))).to.equal("OracleWrongFeed");
    expect(
      refusal(owned(update({ verification: { kind: "partial", numSignatures: 13 } }))),
    ).to.equal("OracleNotFullyVerified");
    expect(refusal(owned(update({ price: 0n })))).to.equal("OraclePriceInvalid");
    expect(refusal(owned(update({ price: -1n })))).to.equal("OraclePriceInvalid");
    expect(refusal(owned(update({ exponent: -19 })))).to.equal("OraclePriceInvalid");
    // 100 bps of 2,000,000 is 20,000.
    expect(refusal(owned(update({ conf: 20_001n })))).to.equal("OracleConfidenceTooWide");
  });

  it("checks in the program's order: owner, layout, feed, verification, age, price, confidence", () => {
    const everythingWrong = update({
      feedId: Buffer.alloc(32, 1),
      verification: { kind: "partial", numSignatures: 1 },
      publishTime: 0n,
      price: 0n,
      conf: 1n << 62n,
    });
    const stranger = new PublicKey(Buffer.alloc(32, 9));
    expect(refusal(owned(everythingWrong, stranger))).to.equal("OracleWrongOwner");
    expect(refusal(owned(everythingWrong))).to.equal("OracleWrongFeed");
    expect(refusal(owned({ ...everythingWrong, feedId }))).to.equal("OracleNotFullyVerified");
    const full = { ...everythingWrong, feedId, verification: { kind: "full" } as const };
    expect(refusal(owned(full))).to.equal("OracleStale");
    expect(refusal(owned({ ...full, publishTime: NOW }))).to.equal("OraclePriceInvalid");
    expect(refusal(owned({ ...full, publishTime: NOW, price: 1n }))).to.equal(
      "OracleConfidenceTooWide",
    );
  });
});

describe("SDK oracle: the minimum $ASHAO at the oracle price (math/price.rs)", () => {
  const six9 = { usdc: 6, ashao: 9 };
  const none = { usdc: 0, ashao: 0 };

  it("matches the program's unit cases", () => {
    const dollar = { price: 100_000_000n, conf: 0n, exponent: -8 };
    expect(oracleMinAshaoOut(1_000_000n, dollar, six9, 0)).to.equal(1_000_000_000n);
    expect(oracleMinAshaoOut(1_000_000n, dollar, six9, 100)).to.equal(990_000_000n);
    expect(oracleUsdcPerAshao(dollar, 6)).to.equal(1_000_000n);
    expect(oracleMinAshaoOut(10n, { price: 3n, conf: 0n, exponent: 0 }, none, 0)).to.equal(4n);
    expect(oracleMinAshaoOut(10n, { price: 3n, conf: 0n, exponent: 1 }, none, 0)).to.equal(1n);
    expect(oracleUsdcPerAshao({ price: 3n, exponent: 2 }, 6)).to.equal(300_000_000n);
    expect(oracleMinAshaoOut(0n, { price: 3n, conf: 0n, exponent: 0 }, six9, 0)).to.equal(0n);
    expect(
      oracleMinAshaoOut(1_000_000_000_000n, { price: 10_000n, conf: 0n, exponent: -8 }, six9, 0),
    ).to.equal(10_000_000_000_000_000_000n);
    expect(() =>
      oracleMinAshaoOut((1n << 64n) - 1n, { price: 1n, conf: 0n, exponent: -18 }, six9, 0),
    ).to.throw(OracleMathOverflowError);
  });

  it("prices the floor at the low end of the confidence interval, as finish_buyback does", () => {
    // $2.00 ± 0.02 (6 decimals both): 1,000 USDC units at $1.98 less 1% must buy 500, not 495.
    const sixes = { usdc: 6, ashao: 6 };
    const wide = { price: 200n, conf: 2n, exponent: -2 };
    expect(treasurySidePrice(wide)).to.equal(198n);
    expect(oracleMinAshaoOut(1_000n, wide, sixes, 100)).to.equal(500n);
    expect(oracleMinAshaoOut(1_000n, { ...wide, conf: 0n }, sixes, 100)).to.equal(495n);
    // The same as the mid-price floor at price − conf.
    expect(oracleMinAshaoOut(1_000n, wide, sixes, 100)).to.equal(
      oracleMinAshaoOut(1_000n, { price: 198n, conf: 0n, exponent: -2 }, sixes, 100),
    );
    expect(() => treasurySidePrice({ price: 5n, conf: 5n })).to.throw(/OraclePriceInvalid/);
  });

  it("a buy at the oracle price meets it: the minimum is the exact amount rounded up", () => {
    // The program's proptest, on a seeded sample.
    let seed = 0x5eedn;
    const next = (bound: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % (1n << 64n);
      return (seed >> 16n) % bound;
    };
    for (let i = 0; i < 2_000; i++) {
      const usdc = 1n + next(1_000_000_000_000n);
      const oracle = {
        price: 1n + next(1_000_000_000_000n),
        conf: 0n,
        exponent: -Number(next(13n)),
      };
      const slippage = Number(next(1_001n));
      const fair = oracleMinAshaoOut(usdc, oracle, six9, 0);
      expect(oracleMinAshaoOut(usdc, oracle, six9, slippage) <= fair).to.equal(true);
      // fair - 1 < usdc × 10^9 / (price × 10^(exponent + 6)) <= fair
      const k = oracle.exponent + 6;
      const numerator = usdc * 10n ** 9n * (k < 0 ? 10n ** BigInt(-k) : 1n);
      const denominator = oracle.price * (k >= 0 ? 10n ** BigInt(k) : 1n);
      expect(fair * denominator >= numerator).to.equal(true);
      expect(fair === 0n || (fair - 1n) * denominator < numerator).to.equal(true);
    }
  });
});
