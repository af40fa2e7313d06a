/**
 * The price guard off chain: Pyth's `PriceUpdateV2` account bytes (read and written), the checks
 * `finish_buyback` makes on it, and the least $ASHAO a buyback must receive at the oracle price.
 * Each mirrors the program (`programs/ashao-treasury/src/oracle/`, `math/price.rs`) step for step,
 * so the crank refuses exactly what the program would, by the program's error names, and the
 * local economy publishes the bytes a Pyth receiver would write.
 */
import { PublicKey } from "@solana/web3.js";

import { BPS_DENOMINATOR, MAX_ORACLE_CLOCK_SKEW_SECS, PYTH_RECEIVER_PROGRAM_ID } from "./constants";
import type { PriceGuard } from "./params";

/** Pyth's push oracle: it keeps one `PriceUpdateV2` account per feed and shard up to date. */
export const PYTH_PUSH_ORACLE_PROGRAM_ID = new PublicKey(
  "pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT",
);

/** Anchor's account discriminator of `PriceUpdateV2` (sha256("account:PriceUpdateV2")[..8]). */
export const PRICE_UPDATE_V2_DISCRIMINATOR = Buffer.from([34, 241, 35, 99, 157, 126, 244, 205]);
/** The bytes the receiver allocates (a `Partial` update serialises to all of them). */
export const PRICE_UPDATE_V2_SPACE = 134;
/** Exponents beyond this are refused (`OraclePriceInvalid`); mirrors `MAX_ABS_EXPONENT`. */
export const MAX_ABS_ORACLE_EXPONENT = 18;
const PRICE_MESSAGE_AND_SLOT_BYTES = 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8;

/** Wormhole verification of the update: only `full` passes the guard. */
export type VerificationLevel = { kind: "full" } | { kind: "partial"; numSignatures: number };

/** A `PriceUpdateV2` account: `price × 10^exponent` US dollars per whole token, at `publishTime`. */
export interface PriceUpdateV2 {
  writeAuthority: PublicKey;
  verification: VerificationLevel;
  feedId: Buffer;
  price: bigint;
  conf: bigint;
  exponent: number;
  publishTime: bigint;
  prevPublishTime: bigint;
  emaPrice: bigint;
  emaConf: bigint;
  postedSlot: bigint;
}

/** Borsh bytes of the account, zero-padded to the allocated size. */
export function encodePriceUpdateV2(update: PriceUpdateV2): Buffer {
  if (update.feedId.length !== 32) throw new RangeError("feedId must be 32 bytes");
  const data = Buffer.alloc(PRICE_UPDATE_V2_SPACE);
  let at = PRICE_UPDATE_V2_DISCRIMINATOR.copy(data, 0);
  at += update.writeAuthority.toBuffer().copy(data, at);
  if (update.verification.kind === "partial") {
    at = data.writeUInt8(0, at);
    at = data.writeUInt8(update.verification.numSignatures, at);
  } else {
    at = data.writeUInt8(1, at);
  }
  at += update.feedId.copy(data, at);
  at = data.writeBigInt64LE(update.price, at);
  at = data.writeBigUInt64LE(update.conf, at);
  at = data.writeInt32LE(update.exponent, at);
  at = data.writeBigInt64LE(update.publishTime, at);
  at = data.writeBigInt64LE(update.prevPublishTime, at);
  at = data.writeBigInt64LE(update.emaPrice, at);
  at = data.writeBigUInt64LE(update.emaConf, at);
  data.writeBigUInt64LE(update.postedSlot, at);
  return data;
}

/** Decodes a `PriceUpdateV2` account's data; `undefined` when it is not one. */
export function decodePriceUpdateV2(data: Buffer): PriceUpdateV2 | undefined {
  if (data.length < 8 || !data.subarray(0, 8).equals(PRICE_UPDATE_V2_DISCRIMINATOR)) {
    return undefined;
  }
  let at = 8;
  const writeAuthority = new PublicKey(data.subarray(at, at + 32));
  at += 32;
  const tag = data[at++];
  let verification: VerificationLevel;
  if (tag === 0) verification = { kind: "partial", numSignatures: data[at++] };
  else if (tag === 1) verification = { kind: "full" };
  else return undefined;
  // The price message (feed id 32, price, conf, exponent i32, three i64/u64 times and prices,
  // ema conf) and the posted slot.
  if (data.length < at + PRICE_MESSAGE_AND_SLOT_BYTES) return undefined;
  const feedId = Buffer.from(data.subarray(at, at + 32));
  at += 32;
  const price = data.readBigInt64LE(at);
  const conf = data.readBigUInt64LE(at + 8);
  const exponent = data.readInt32LE(at + 16);
  const publishTime = data.readBigInt64LE(at + 20);
  const prevPublishTime = data.readBigInt64LE(at + 28);
  const emaPrice = data.readBigInt64LE(at + 36);
  const emaConf = data.readBigUInt64LE(at + 44);
  const postedSlot = data.readBigUInt64LE(at + 52);
  return {
    writeAuthority,
    verification,
    feedId,
    price,
    conf,
    exponent,
    publishTime,
    prevPublishTime,
    emaPrice,
    emaConf,
    postedSlot,
  };
}

/** The push oracle's account for `feedId` in `shardId`: on mainnet, the sponsored feed's account. */
export function pythPriceFeedAccount(feedId: Buffer, shardId = 0): PublicKey {
  const shard = Buffer.alloc(2);
  shard.writeUInt16LE(shardId);
  return PublicKey.findProgramAddressSync([shard, feedId], PYTH_PUSH_ORACLE_PROGRAM_ID)[0];
}

/**
 * A price the guard accepts: `price × 10^exponent` US dollars per whole $ASHAO, give or take
 * `conf` (the oracle's confidence interval, same unit).
 */
export interface OraclePrice {
  price: bigint;
  conf: bigint;
  exponent: number;
  publishTime: bigint;
}

/**
 * The low end of the confidence interval, `price − conf`: the price `finish_buyback` computes
 * its floor at, so the oracle's uncertainty counts for the treasury (`treasury_side_price`).
 */
export function treasurySidePrice(oracle: { price: bigint; conf: bigint }): bigint {
  const low = oracle.price - oracle.conf;
  if (low <= 0n) throw new RangeError("OraclePriceInvalid: the confidence interval reaches zero");
  return low;
}

/** The program's name for each way a price account fails the guard. */
export type PriceGuardError =
  | "NoPriceGuard"
  | "OracleWrongOwner"
  | "OracleInvalidAccount"
  | "OracleWrongFeed"
  | "OracleNotFullyVerified"
  | "OracleStale"
  | "OraclePublishedInFuture"
  | "OraclePriceInvalid"
  | "OracleConfidenceTooWide";

export type PriceGuardCheck =
  | { ok: true; price: OraclePrice }
  | { ok: false; error: PriceGuardError; message: string };

const refuse = (error: PriceGuardError, message: string): PriceGuardCheck => ({
  ok: false,
  error,
  message,
});

/**
 * `finish_buyback`'s checks of its `priceUpdate` account at `nowSecs`, in the program's order:
 * a guard is configured, the owner is the Pyth receiver, the layout, the feed, full
 * verification, the age (not older than the guard's `maxAgeSecs`, not published more than
 * `MAX_ORACLE_CLOCK_SKEW_SECS` ahead of the clock), a positive price with a sane exponent, the
 * confidence interval.
 * A missing account is owned by nobody: `OracleWrongOwner`, as on chain.
 */
export function checkPriceGuard(
  guard: PriceGuard,
  account: { owner: PublicKey; data: Buffer } | null,
  nowSecs: bigint,
): PriceGuardCheck {
  if (guard.kind === "none") return refuse("NoPriceGuard", "the treasury has no price guard");
  if (!account || !account.owner.equals(PYTH_RECEIVER_PROGRAM_ID)) {
    return refuse(
      "OracleWrongOwner",
      account
        ? `the price account is owned by ${account.owner.toBase58()}, not the Pyth receiver`
        : "the price account does not exist",
    );
  }
  const update = decodePriceUpdateV2(account.data);
  if (!update) return refuse("OracleInvalidAccount", "the price account is not a PriceUpdateV2");
  if (!update.feedId.equals(guard.feedId)) {
    return refuse(
      "OracleWrongFeed",
      `the price account is feed ${update.feedId.toString("hex")}, the guard wants ${guard.feedId.toString("hex")}`,
    );
  }
  if (update.verification.kind !== "full") {
    return refuse("OracleNotFullyVerified", "the price update is only partially verified");
  }
  const age = nowSecs - update.publishTime;
  if (age > BigInt(guard.maxAgeSecs)) {
    return refuse(
      "OracleStale",
      `the price was published ${age} s ago; the guard accepts at most ${guard.maxAgeSecs} s`,
    );
  }
  if (age < -BigInt(MAX_ORACLE_CLOCK_SKEW_SECS)) {
    return refuse(
      "OraclePublishedInFuture",
      `the price is published ${-age} s ahead of the chain's clock; at most ${MAX_ORACLE_CLOCK_SKEW_SECS} s are allowed`,
    );
  }
  if (update.price <= 0n || Math.abs(update.exponent) > MAX_ABS_ORACLE_EXPONENT) {
    return refuse(
      "OraclePriceInvalid",
      `price ${update.price} × 10^${update.exponent} is not a usable price`,
    );
  }
  if (update.conf * BigInt(BPS_DENOMINATOR) > update.price * BigInt(guard.maxConfidenceBps)) {
    return refuse(
      "OracleConfidenceTooWide",
      `confidence ${update.conf} is wider than ${guard.maxConfidenceBps} bps of price ${update.price}`,
    );
  }
  return {
    ok: true,
    price: {
      price: update.price,
      conf: update.conf,
      exponent: update.exponent,
      publishTime: update.publishTime,
    },
  };
}

// ------------------------------------------------------------------- math/price.rs mirrored

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

/** The program's `MathOverflow` (a checked u128/u64 operation failed). */
export class OracleMathOverflowError extends RangeError {
  constructor(what: string) {
    super(`MathOverflow: ${what}`);
    this.name = "OracleMathOverflowError";
  }
}

function u128(value: bigint, what: string): bigint {
  if (value > U128_MAX) throw new OracleMathOverflowError(what);
  return value;
}

const pow10 = (exponent: number) => u128(10n ** BigInt(exponent), `10^${exponent}`);

/** Token decimals of the two mints (USDC 6, $ASHAO 9 on mainnet). */
export interface MintDecimals {
  usdc: number;
  ashao: number;
}

/**
 * The least $ASHAO (base units) a buyback spending `usdcSpent` USDC base units must receive at
 * `oracle`'s price taken at the low end of its confidence interval (`treasurySidePrice`), less
 * `slippageBps`, rounded up: `finish_buyback`'s `oracleMinAshaoOut`. USDC is valued at one US
 * dollar.
 */
export function oracleMinAshaoOut(
  usdcSpent: bigint,
  oracle: { price: bigint; conf: bigint; exponent: number },
  decimals: MintDecimals,
  slippageBps: number,
): bigint {
  const k = oracle.exponent + decimals.usdc;
  let numerator = pow10(decimals.ashao);
  let denominator = treasurySidePrice(oracle);
  if (k >= 0) denominator = u128(denominator * pow10(k), "oracle denominator");
  else numerator = u128(numerator * pow10(-k), "oracle numerator");
  if (denominator <= 0n) throw new RangeError("OraclePriceInvalid: the price is not positive");
  if (slippageBps < 0 || slippageBps > BPS_DENOMINATOR) {
    throw new OracleMathOverflowError(`slippage ${slippageBps} bps`);
  }
  const keptBps = BigInt(BPS_DENOMINATOR - slippageBps);
  const top = u128(u128(usdcSpent * keptBps, "usdc × kept bps") * numerator, "oracle top");
  const bottom = u128(denominator * BigInt(BPS_DENOMINATOR), "oracle bottom");
  const out = (top + bottom - 1n) / bottom;
  if (out > U64_MAX) throw new OracleMathOverflowError("oracle minimum beyond u64");
  return out;
}

/**
 * The oracle price in USDC base units per whole $ASHAO, floored: the event's
 * `oraclePriceUsdcPerAshao`, in the unit of its effective `priceUsdcPerAshao`.
 */
export function oracleUsdcPerAshao(
  oracle: { price: bigint; exponent: number },
  usdcDecimals: number,
): bigint {
  const k = oracle.exponent + usdcDecimals;
  const scaled = k >= 0 ? u128(oracle.price * pow10(k), "oracle price") : oracle.price / pow10(-k);
  if (scaled > U64_MAX) throw new OracleMathOverflowError("oracle price beyond u64");
  return scaled;
}
