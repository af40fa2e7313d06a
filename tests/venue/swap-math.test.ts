import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";

import { AmmMathError, quoteExactIn } from "../../app/jupiter-local/src/math";

interface SwapCase {
  reserve_in: string;
  reserve_out: string;
  amount_in: string;
  fee_bps: number;
  fee_amount?: string;
  amount_out?: string;
  error?: string;
}

const cases: SwapCase[] = JSON.parse(
  readFileSync(join(__dirname, "../../programs/test-amm/tests/fixtures/swap_cases.json"), "utf8"),
);

describe("local venue quotes equal the test AMM's on-chain math", () => {
  it(`replays ${cases.length} swap cases, errors included`, () => {
    expect(cases.length).to.be.greaterThan(0);
    for (const c of cases) {
      const run = () =>
        quoteExactIn(BigInt(c.reserve_in), BigInt(c.reserve_out), BigInt(c.amount_in), c.fee_bps);
      if (c.error !== undefined) {
        expect(run, JSON.stringify(c)).to.throw(AmmMathError, c.error);
        continue;
      }
      const quote = run();
      expect(quote.amountOut, JSON.stringify(c)).to.equal(BigInt(c.amount_out ?? "-1"));
      expect(quote.feeAmount, JSON.stringify(c)).to.equal(BigInt(c.fee_amount ?? "-1"));
    }
  });
});
