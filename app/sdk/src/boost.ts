/** Worker-earnings boost unlocked by staking (mirrors `TreasuryConfig::boost_bps_for`). */
import type { PublicKey } from "@solana/web3.js";

import type { BoostTier, StakePositionState, TreasuryState } from "./accounts";
import { fetchStakePosition, fetchTreasuryOrThrow } from "./accounts";
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
  /** The $ASHAO counted: the position's earning stake (unstaking principal does not count). */
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

/** The boost of a position under a treasury's tiers (no position: no boost). */
export function positionBoost(
  config: Pick<TreasuryState, "boostTiers">,
  position: Pick<StakePositionState, "staked"> | null,
): WorkerBoost {
  return workerBoost(config.boostTiers, position?.staked ?? 0n);
}

/** "What boost does wallet W have now", read from the chain. */
export async function fetchWorkerBoost(
  program: TreasuryProgram,
  owner: PublicKey,
): Promise<WorkerBoost> {
  const [config, position] = await Promise.all([
    fetchTreasuryOrThrow(program),
    fetchStakePosition(program, owner),
  ]);
  if (!config) throw new Error("treasury not initialised: no TreasuryConfig account");
  return positionBoost(config, position);
}
