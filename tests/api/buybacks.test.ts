/**
 * A buyback row's figures from its event: the deviation of the price paid from the oracle's, in
 * basis points to 0.01, computed exactly from the amounts whatever the oracle's exponent, and
 * rows from before the price guard served without oracle fields; each links its signature to an
 * explorer for the configured cluster.
 */
import { expect } from "chai";

import { buybackRow, deviationCentiBps, type StoredEvent } from "../../app/server/src";

const USDC = 1_000_000n;
const DEVNET = { name: "devnet" } as const;
const ASHAO = 1_000_000_000n;

describe("API: buyback rows", () => {
  it("deviation: paid above, at and below the oracle price, at any exponent", () => {
    // 99 USDC for 5 $ASHAO is 19.8 USDC each, 1% under a $20 oracle.
    expect(deviationCentiBps(99n * USDC, 5n * ASHAO, 2_000_000_000n, -8)).to.equal(-10_000n);
    expect(deviationCentiBps(100n * USDC, 5n * ASHAO, 2_000_000_000n, -8)).to.equal(0n);
    // The same $20 as 2 × 10^1.
    expect(deviationCentiBps(101n * USDC, 5n * ASHAO, 2n, 1)).to.equal(10_000n);
    // 250 USDC for 12.437810945 $ASHAO: 20.0999999992 each, 49.9999996 bps above: 50.00.
    expect(deviationCentiBps(250n * USDC, 12_437_810_945n, 2_000_000_000n, -8)).to.equal(5_000n);
    // A cheap token: 0.02 USDC each at an oracle of 0.0199 → +50.25… bps, rounded half away.
    expect(deviationCentiBps(2n * USDC, 100n * ASHAO, 1_990_000n, -8)).to.equal(5_025n);
    expect(deviationCentiBps(1n * USDC, 0n, 2n, 0)).to.equal(null);
  });

  const event = (data: StoredEvent["data"]): StoredEvent => ({
    signature: "sig",
    index: 0,
    slot: 7,
    ts: 1_800_000_000,
    name: "buybackExecuted",
    data,
  });

  it("serves the event's prices and the deviation, or nulls before the price guard", () => {
    const base = {
      crank: "Crank1111111111111111111111111111111111111",
      usdcSpent: "99000000",
      usdcReturned: "1000000",
      ashaoBurned: "5000000000",
      priceUsdcPerAshao: "19800000",
      buybackCount: "3",
      unixTimestamp: "1800000000",
    };
    const guarded = buybackRow(
      event({
        ...base,
        oraclePrice: "2000000000",
        oracleExponent: -8,
        oraclePublishTime: "1799999990",
        oraclePriceUsdcPerAshao: "20000000",
        oracleMinAshaoOut: "4900500000",
      }),
      DEVNET,
    );
    expect(guarded).to.deep.include({
      explorerUrl: "https://explorer.solana.com/tx/sig?cluster=devnet",
      at: "2027-01-15T08:00:00.000Z",
      effectivePrice: { raw: "19800000", ui: 19.8, decimals: 6 },
      oraclePrice: { raw: "20000000", ui: 20, decimals: 6 },
      deviationBps: -100,
      buybackCount: 3,
    });
    expect(guarded.oracle).to.deep.equal({
      price: "2000000000",
      exponent: -8,
      publishTime: "2027-01-15T07:59:50.000Z",
      minAshaoOut: { raw: "4900500000", ui: 4.9005, decimals: 9 },
    });
    const before = buybackRow(event(base), DEVNET);
    expect([before.oraclePrice, before.oracle, before.deviationBps]).to.deep.equal([
      null,
      null,
      null,
    ]);
    expect(before.effectivePrice.raw).to.equal("19800000");
  });
});
