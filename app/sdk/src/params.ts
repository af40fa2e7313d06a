/**
 * The treasury's parameters, the price guard and admin changes, as SDK types, and their
 * conversion to and from Anchor's encoding (`BN` amounts, `{ variant: {...} }` enums).
 */
import { BN } from "@anchor-lang/core";
import { PublicKey } from "@solana/web3.js";

import type { BoostTier } from "./accounts";

const U64_MAX = (1n << 64n) - 1n;

/** A `u64` argument as Anchor's `BN`, refusing values the program could not receive. */
export function u64(value: bigint, what = "amount"): BN {
  if (value < 0n || value > U64_MAX) throw new RangeError(`${what} ${value} is not a u64`);
  return new BN(value.toString());
}

/**
 * Where buybacks get their reference price. `none` allows no buyback. `pythPull`: a Pyth
 * `PriceUpdateV2` account of the $ASHAO/USD feed `feedId` (32 bytes), no older than
 * `maxAgeSecs`, with a confidence interval within `maxConfidenceBps` of the price.
 */
export type PriceGuard =
  | { kind: "none" }
  | { kind: "pythPull"; feedId: Buffer; maxAgeSecs: number; maxConfidenceBps: number };

export const NO_PRICE_GUARD: PriceGuard = { kind: "none" };

/** The parameters `initialize` takes (and admin changes edit). */
export interface TreasuryParams {
  streamPeriodSecs: number;
  unstakeCooldownSecs: number;
  boostTiers: BoostTier[];
  maxBuybackUsdc: bigint;
  minBuybackIntervalSecs: number;
  maxSlippageBps: number;
  /** The swap program buybacks route through (Jupiter's). */
  swapProgram: PublicKey;
  cranks: PublicKey[];
  priceGuard: PriceGuard;
  /** How long a risk-adding change waits between queue and apply. */
  timelockSecs: number;
  /** The wallets that may settle usage (`settle_usage`): the network's billing services. */
  billingAuthorities: PublicKey[];
}

/** An admin change: each field left out keeps its value. */
export type ConfigChange = Partial<TreasuryParams>;

/** A 32-byte Pyth feed id from its hex form (with or without `0x`). */
export function feedIdFromHex(hex: string): Buffer {
  const bytes = Buffer.from(hex.replace(/^0x/, ""), "hex");
  if (bytes.length !== 32) throw new RangeError(`feed id ${hex} is not 32 bytes of hex`);
  return bytes;
}

// ------------------------------------------------------------------------- Anchor encoding

type AnchorPriceGuard =
  | { none: Record<string, never> }
  | { pythPull: { feedId: number[]; maxAgeSecs: number; maxConfidenceBps: number } };

export function priceGuardToAnchor(guard: PriceGuard): AnchorPriceGuard {
  if (guard.kind === "none") return { none: {} };
  return {
    pythPull: {
      feedId: [...guard.feedId],
      maxAgeSecs: guard.maxAgeSecs,
      maxConfidenceBps: guard.maxConfidenceBps,
    },
  };
}

/** Decodes Anchor's form of the enum (from an account or an event). */
export function priceGuardFromAnchor(raw: {
  none?: object;
  pythPull?: { feedId: number[]; maxAgeSecs: number; maxConfidenceBps: number };
}): PriceGuard {
  if (raw.pythPull) {
    return {
      kind: "pythPull",
      feedId: Buffer.from(raw.pythPull.feedId),
      maxAgeSecs: raw.pythPull.maxAgeSecs,
      maxConfidenceBps: raw.pythPull.maxConfidenceBps,
    };
  }
  return NO_PRICE_GUARD;
}

const tiersToAnchor = (tiers: BoostTier[]) =>
  tiers.map((tier) => ({ minStake: u64(tier.minStake, "minStake"), boostBps: tier.boostBps }));

export function paramsToAnchor(p: TreasuryParams) {
  return {
    streamPeriodSecs: p.streamPeriodSecs,
    unstakeCooldownSecs: p.unstakeCooldownSecs,
    boostTiers: tiersToAnchor(p.boostTiers),
    maxBuybackUsdc: u64(p.maxBuybackUsdc, "maxBuybackUsdc"),
    minBuybackIntervalSecs: p.minBuybackIntervalSecs,
    maxSlippageBps: p.maxSlippageBps,
    swapProgram: p.swapProgram,
    cranks: p.cranks,
    priceGuard: priceGuardToAnchor(p.priceGuard),
    timelockSecs: p.timelockSecs,
    billingAuthorities: p.billingAuthorities,
  };
}

export function configChangeToAnchor(c: ConfigChange) {
  return {
    streamPeriodSecs: c.streamPeriodSecs ?? null,
    unstakeCooldownSecs: c.unstakeCooldownSecs ?? null,
    boostTiers: c.boostTiers ? tiersToAnchor(c.boostTiers) : null,
    maxBuybackUsdc: c.maxBuybackUsdc !== undefined ? u64(c.maxBuybackUsdc) : null,
    minBuybackIntervalSecs: c.minBuybackIntervalSecs ?? null,
    maxSlippageBps: c.maxSlippageBps ?? null,
    swapProgram: c.swapProgram ?? null,
    cranks: c.cranks ?? null,
    priceGuard: c.priceGuard ? priceGuardToAnchor(c.priceGuard) : null,
    timelockSecs: c.timelockSecs ?? null,
    billingAuthorities: c.billingAuthorities ?? null,
  };
}

interface AnchorConfigChange {
  streamPeriodSecs: number | null;
  unstakeCooldownSecs: number | null;
  boostTiers: { minStake: BN; boostBps: number }[] | null;
  maxBuybackUsdc: BN | null;
  minBuybackIntervalSecs: number | null;
  maxSlippageBps: number | null;
  swapProgram: PublicKey | null;
  cranks: PublicKey[] | null;
  priceGuard: Parameters<typeof priceGuardFromAnchor>[0] | null;
  timelockSecs: number | null;
  billingAuthorities: PublicKey[] | null;
}

/** Decodes a stored or logged `ConfigChange` (only the fields it names). */
export function configChangeFromAnchor(raw: AnchorConfigChange): ConfigChange {
  const change: ConfigChange = {};
  if (raw.streamPeriodSecs !== null) change.streamPeriodSecs = raw.streamPeriodSecs;
  if (raw.unstakeCooldownSecs !== null) change.unstakeCooldownSecs = raw.unstakeCooldownSecs;
  if (raw.boostTiers !== null) {
    change.boostTiers = raw.boostTiers.map((t) => ({
      minStake: BigInt(t.minStake.toString()),
      boostBps: t.boostBps,
    }));
  }
  if (raw.maxBuybackUsdc !== null) change.maxBuybackUsdc = BigInt(raw.maxBuybackUsdc.toString());
  if (raw.minBuybackIntervalSecs !== null)
    change.minBuybackIntervalSecs = raw.minBuybackIntervalSecs;
  if (raw.maxSlippageBps !== null) change.maxSlippageBps = raw.maxSlippageBps;
  if (raw.swapProgram !== null) change.swapProgram = raw.swapProgram;
  if (raw.cranks !== null) change.cranks = raw.cranks;
  if (raw.priceGuard !== null) change.priceGuard = priceGuardFromAnchor(raw.priceGuard);
  if (raw.timelockSecs !== null) change.timelockSecs = raw.timelockSecs;
  if (raw.billingAuthorities !== null) change.billingAuthorities = raw.billingAuthorities;
  return change;
}
