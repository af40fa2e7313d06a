/**
 * The test AMM's exact-in swap quote on bigints: the same function as
 * `programs/test-amm/src/math.rs::quote_exact_in`, checked against the same cases
 * (`programs/test-amm/tests/fixtures/swap_cases.json`), so a quote equals what the program pays.
 */

export const BPS_DENOMINATOR = 10_000n;
const U64_MAX = (1n << 64n) - 1n;

/** The program's error names for the quote's failure cases. */
export type AmmMathErrorName =
  | "ZeroAmount"
  | "EmptyPool"
  | "ZeroAmountOut"
  | "FeeTooHigh"
  | "MathOverflow";

export class AmmMathError extends Error {
  constructor(public readonly errorName: AmmMathErrorName) {
    super(`test AMM quote failed: ${errorName}`);
    this.name = "AmmMathError";
  }
}

export interface SwapQuote {
  amountIn: bigint;
  /** Part of `amountIn` the pool keeps as its fee (in the input mint). */
  feeAmount: bigint;
  amountOut: bigint;
}

function checkU64(value: bigint): bigint {
  if (value < 0n || value > U64_MAX) {
    throw new AmmMathError("MathOverflow");
  }
  return value;
}

/**
 * `inAfterFee = floor(amountIn * (10_000 - feeBps) / 10_000)`,
 * `amountOut = floor(reserveOut * inAfterFee / (reserveIn + inAfterFee))`.
 */
export function quoteExactIn(
  reserveIn: bigint,
  reserveOut: bigint,
  amountIn: bigint,
  feeBps: number,
): SwapQuote {
  checkU64(reserveIn);
  checkU64(reserveOut);
  checkU64(amountIn);
  if (amountIn === 0n) {
    throw new AmmMathError("ZeroAmount");
  }
  if (reserveIn === 0n || reserveOut === 0n) {
    throw new AmmMathError("EmptyPool");
  }
  const fee = BigInt(feeBps);
  if (fee < 0n || fee >= BPS_DENOMINATOR) {
    throw new AmmMathError("FeeTooHigh");
  }
  const inAfterFee = (amountIn * (BPS_DENOMINATOR - fee)) / BPS_DENOMINATOR;
  const amountOut = (reserveOut * inAfterFee) / (reserveIn + inAfterFee);
  if (amountOut === 0n) {
    throw new AmmMathError("ZeroAmountOut");
  }
  return { amountIn, feeAmount: amountIn - inAfterFee, amountOut };
}

/** The least output a swap may return for `slippageBps`: Jupiter's `otherAmountThreshold` (ExactIn). */
export function minimumOut(amountOut: bigint, slippageBps: number): bigint {
  return (amountOut * (BPS_DENOMINATOR - BigInt(slippageBps))) / BPS_DENOMINATOR;
}

/**
 * Price impact as Jupiter reports it: a decimal fraction string, the shortfall of `amountOut`
 * against the spot price for the input left after the fee.
 */
export function priceImpact(reserveIn: bigint, reserveOut: bigint, quote: SwapQuote): string {
  const inAfterFee = quote.amountIn - quote.feeAmount;
  const ideal = inAfterFee * reserveOut; // amountOut at spot, times reserveIn
  if (ideal === 0n) {
    return "0";
  }
  const scale = 10n ** 18n;
  const shortfall = ideal - quote.amountOut * reserveIn;
  const scaled = (shortfall * scale) / ideal;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(18, "0").replace(/0+$/, "");
  return frac.length > 0 ? `${whole}.${frac}` : whole.toString();
}
