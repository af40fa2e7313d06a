/**
 * Buybacks as the API serves them, from the indexed `buybackExecuted` events: what was spent and
 * burned, the effective price, the oracle price the guard accepted, and how far the execution
 * was from it (execution quality).
 */
import {
  type Amount,
  amount,
  ASHAO_DECIMALS,
  type Cluster,
  explorerTxUrl,
  USDC_DECIMALS,
} from "../../sdk/src";
import type { StoredEvent } from "./store/store";

export interface BuybackRow {
  signature: string;
  /** The transaction on a block explorer for the configured cluster. */
  explorerUrl: string;
  slot: number;
  at: string;
  crank: string;
  usdcSpent: Amount;
  usdcReturned: Amount;
  ashaoBurned: Amount;
  /** USDC per whole $ASHAO paid (the event's `priceUsdcPerAshao`, floored). */
  effectivePrice: Amount;
  /** The oracle's USDC per whole $ASHAO (`oraclePriceUsdcPerAshao`, floored); null before the guard. */
  oraclePrice: Amount | null;
  /**
   * (effective − oracle) / oracle in basis points, to 0.01, from the exact amounts (not the
   * floored prices): above 0 the buyback paid more than the oracle price, below 0 less.
   */
  deviationBps: number | null;
  /** The Pyth price as published: `price × 10^exponent` USD per $ASHAO. */
  oracle: {
    price: string;
    exponent: number;
    publishTime: string;
    /** The least $ASHAO the oracle price less the slippage bound allowed. */
    minAshaoOut: Amount;
  } | null;
  buybackCount: number;
}

const big = (value: unknown) => BigInt(String(value));
const pow10 = (n: number) => 10n ** BigInt(n);

/** `num / den` rounded half away from zero. */
function roundedDiv(num: bigint, den: bigint): bigint {
  const negative = num < 0n !== den < 0n;
  const [n, d] = [num < 0n ? -num : num, den < 0n ? -den : den];
  const q = (2n * n + d) / (2n * d);
  return negative ? -q : q;
}

/**
 * How far `usdcSpent` for `ashaoBurned` is from the oracle's `price × 10^exponent` USD per whole
 * $ASHAO (USDC valued at $1, as the program does), in hundredths of a basis point.
 */
export function deviationCentiBps(
  usdcSpent: bigint,
  ashaoBurned: bigint,
  oraclePrice: bigint,
  exponent: number,
): bigint | null {
  if (ashaoBurned <= 0n || oraclePrice <= 0n) return null;
  // effective / oracle = usdcSpent·10^ashaoDecimals / (ashaoBurned·price·10^(exponent+usdcDecimals))
  const num = usdcSpent * pow10(ASHAO_DECIMALS + Math.max(0, -exponent));
  const den = ashaoBurned * oraclePrice * pow10(USDC_DECIMALS + Math.max(0, exponent));
  return roundedDiv((num - den) * 1_000_000n, den);
}

export function buybackRow(event: StoredEvent, cluster: Cluster): BuybackRow {
  const { data } = event;
  const usdcSpent = big(data.usdcSpent);
  const ashaoBurned = big(data.ashaoBurned);
  // Events from before the price guard carry no oracle fields.
  const guarded = data.oraclePrice !== undefined && data.oraclePrice !== null;
  const deviation = guarded
    ? deviationCentiBps(usdcSpent, ashaoBurned, big(data.oraclePrice), Number(data.oracleExponent))
    : null;
  return {
    signature: event.signature,
    explorerUrl: explorerTxUrl(event.signature, cluster),
    slot: event.slot,
    at: new Date(event.ts * 1000).toISOString(),
    crank: String(data.crank),
    usdcSpent: amount(usdcSpent, USDC_DECIMALS),
    usdcReturned: amount(big(data.usdcReturned), USDC_DECIMALS),
    ashaoBurned: amount(ashaoBurned, ASHAO_DECIMALS),
    effectivePrice: amount(big(data.priceUsdcPerAshao), USDC_DECIMALS),
    oraclePrice: guarded ? amount(big(data.oraclePriceUsdcPerAshao), USDC_DECIMALS) : null,
    deviationBps: deviation === null ? null : Number(deviation) / 100,
    oracle: guarded
      ? {
          price: String(data.oraclePrice),
          exponent: Number(data.oracleExponent),
          publishTime: new Date(Number(data.oraclePublishTime) * 1000).toISOString(),
          minAshaoOut: amount(big(data.oracleMinAshaoOut), ASHAO_DECIMALS),
        }
      : null,
    buybackCount: Number(data.buybackCount),
  };
}
