/** Worker-earnings boost unlocked by staking (mirrors `TreasuryConfig::boost_bps_for`). */
import type { PublicKey } from "@solana/web3.js";

import type { BoostTier, StakePositionState, TreasuryState } from "./accounts";
import { fetchStakePosition, fetchTreasuryOrThrow } from "./accounts";
import { fetchChainTime } from "./clock";
import type { TreasuryProgram } from "./program";

/** The boost a stake earns: the highest tier whose `minStake` it reaches, else 0. */
export function boostBpsFor(tiers: readonly BoostTier[], stake: bigint): number {
  for (let i = tiers.length - 1; i >= 0; i--) {
    if (stake >= tiers[i].minStake) return tiers[i].boostBps;
  }
  return 0;
}

/** A wallet's boost, with what it takes to reach the next tier. */
export interface WorkerBoost {
  /**
   * The $ASHAO counted: the position's staked principal past its warm-up (unstaking principal
   * and principal staked within the last cooldown do not count).
   */
  stake: bigint;
  boostBps: number;
  /** The tier reached, if any. */
  tier: BoostTier | null;
  /** The next tier up, if any. */
  nextTier: BoostTier | null;
  /** $ASHAO (base units) still to stake to reach `nextTier`; `null` at the top. */
  stakeToNextTier: bigint | null;
}

export function workerBoost(tiers: readonly BoostTier[], stake: bigint): WorkerBoost {
  let reached = -1;
  tiers.forEach((tier, i) => {
    if (stake >= tier.minStake) reached = i;
  });
  const tier = reached >= 0 ? tiers[reached] : null;
  const nextTier = reached + 1 < tiers.length ? tiers[reached + 1] : null;
  return {
    stake,
    boostBps: tier?.boostBps ?? 0,
    tier,
    nextTier,
    stakeToNextTier: nextTier ? nextTier.minStake - stake : null,
  };
}

type BoostFields = Pick<StakePositionState, "staked" | "boostWarmupAmount" | "boostWarmupEndsAt">;

/**
 * The principal that earns the boost at `now` (mirrors `StakePosition::boost_stake`): staked,
 * less what is still warming up.
 */
export function boostStake(position: BoostFields, now: bigint): bigint {
  if (now >= position.boostWarmupEndsAt) return position.staked;
  const warm = position.staked - position.boostWarmupAmount;
  return warm > 0n ? warm : 0n;
}

/**
 * A position's boost now (`stake`, `boostBps`: the principal past its warm-up), and what it
 * becomes once its warming principal counts (`tier`, `nextTier` and `stakeToNextTier` are those
 * of all its staked principal).
 */
export interface PositionBoost extends WorkerBoost {
  /** Staked principal not counting yet, and when it starts to (`null` when none is warming). */
  warming: bigint;
  warmupEndsAt: bigint | null;
  /** The boost once the warm-up ends (equal to `boostBps` when nothing is warming). */
  boostBpsOnceWarm: number;
}

/** The boost of a position under a treasury's tiers at `now` (no position: no boost). */
export function positionBoost(
  config: Pick<TreasuryState, "boostTiers">,
  position: BoostFields | null,
  now: bigint,
): PositionBoost {
  const counted = position ? boostStake(position, now) : 0n;
  const staked = position?.staked ?? 0n;
  const warming = staked - counted;
  const once = workerBoost(config.boostTiers, staked);
  return {
    ...once,
    stake: counted,
    boostBps: boostBpsFor(config.boostTiers, counted),
    warming,
    warmupEndsAt: warming > 0n && position ? position.boostWarmupEndsAt : null,
    boostBpsOnceWarm: once.boostBps,
  };
}

/** "What boost does wallet W have now", read from the chain (at the chain's clock). */
export async function fetchWorkerBoost(
  program: TreasuryProgram,
  owner: PublicKey,
): Promise<PositionBoost> {
  const [config, position, now] = await Promise.all([
    fetchTreasuryOrThrow(program),
    fetchStakePosition(program, owner),
    fetchChainTime(program.provider.connection),
  ]);
  return positionBoost(config, position, now);
}
