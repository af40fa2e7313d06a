/**
 * Figures for people (SDK display.ts) and CSV (csv.ts): rounding on exact base units, compact
 * suffixes and their carry, prices to four significant digits, the exact text for hover; RFC
 * 4180 quoting and formula-safe cells.
 */
import { expect } from "chai";

import {
  amountText,
  bpsText,
  countdownText,
  deviationText,
  exactAmountText,
  formatDuration,
  percentText,
  priceText,
  toCsv,
} from "../../app/sdk/src";

const ashao = (raw: bigint) => ({ raw, decimals: 9 });
const usdc = (raw: bigint) => ({ raw: raw.toString(), decimals: 6 });

describe("SDK display: figures for people", () => {
  it("groups, keeps two decimals from 1 up, three significant digits below 1, rounding half up", () => {
    expect(amountText(ashao(21_254_643_261_122n), "$ASHAO")).to.equal("21,254.64 $ASHAO");
    expect(amountText(usdc(800_000_000n), "USDC")).to.equal("800 USDC");
    expect(amountText(usdc(1_234_500_000n), "USDC")).to.equal("1,234.5 USDC");
    expect(amountText(usdc(1_234_005_000n), "USDC")).to.equal("1,234.01 USDC");
    expect(amountText(usdc(20_100n), "USDC")).to.equal("0.0201 USDC");
    expect(amountText(ashao(12_345n), "$ASHAO")).to.equal("0.0000123 $ASHAO");
    expect(amountText(ashao(1n), "$ASHAO")).to.equal("0.000000001 $ASHAO");
    expect(amountText(usdc(9_995n), "USDC")).to.equal("0.01 USDC");
    expect(amountText(usdc(0n), "USDC")).to.equal("0 USDC");
    expect(amountText(usdc(-1_500_000n), "USDC")).to.equal("-1.5 USDC");
  });

  it("compacts millions and up to three significant digits, carrying into the next suffix", () => {
    expect(amountText(usdc(1_250_000_000_000n), "USDC")).to.equal("1.25M USDC");
    expect(amountText(ashao(50_000_000n * 10n ** 9n), "$ASHAO")).to.equal("50M $ASHAO");
    expect(amountText(usdc(123_456_789_000_000n), "USDC")).to.equal("123M USDC");
    expect(amountText(usdc(999_600_000_000_000n), "USDC")).to.equal("1B USDC");
    expect(amountText(usdc(999_999_999_999n), "USDC")).to.equal("1M USDC");
    expect(amountText(usdc(1_250_000_000_000n), "USDC", { compact: false })).to.equal(
      "1,250,000 USDC",
    );
  });

  it("prices to four significant digits; the exact figure with its base units", () => {
    expect(priceText(usdc(20_134n), "USDC")).to.equal("0.02013 USDC");
    expect(priceText(usdc(20_100_000n), "USDC")).to.equal("20.1 USDC");
    expect(exactAmountText(ashao(21_254_643_261_122n), "$ASHAO")).to.equal(
      "21,254.643261122 $ASHAO (21254643261122 base units)",
    );
  });

  it("durations, countdowns, percentages and deviations", () => {
    expect(formatDuration(90_061)).to.equal("1 d 1 h 1 m 1 s");
    expect(formatDuration(3_600)).to.equal("1 h");
    expect(countdownText(100, 40)).to.equal("in 1 m");
    expect(countdownText(100, 100)).to.equal("now");
    expect(percentText(0.123456)).to.equal("12.35%");
    expect(percentText(23_450.6)).to.equal("2,345,060.00%");
    expect(bpsText(150)).to.equal("1.5%");
    expect(deviationText(-3)).to.equal("−3 bps");
    expect(deviationText(12.5)).to.equal("+12.5 bps");
    expect(deviationText(null)).to.equal("—");
  });
});

describe("SDK csv", () => {
  it("quotes what needs quoting, ends lines with CRLF and defuses formulas", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x,y", 'say "hi"'],
          [1n, null],
          ["=SUM(A1)", "-5"],
          ["-x", "ok"],
        ],
      ),
    ).to.equal('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n\'=SUM(A1),-5\r\n\'-x,ok\r\n');
  });
});
