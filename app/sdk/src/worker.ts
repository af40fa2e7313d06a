/**
 * A worker's view: the boost their stake earns on usage settled now and why (the principal that
 * counts, what is still warming up and until when, the unstaking principal that earns none, the
 * tier reached and the next), and their settled earnings from the program's `WorkerPaid` events
 * (per settlement and in total), as the API, the dashboard and their CSV show them.
 */
import type { PublicKey } from "@solana/web3.js";

import type { BoostTier, StakePositionState, TreasuryState } from "./accounts";
import { positionBoost, workerBoost } from "./boost";
import { ASHAO_DECIMALS, USDC_DECIMALS } from "./constants";
import { csvLine } from "./csv";
import { type Amount, amount, formatUnits } from "./figures";

const iso = (unix: bigint | number) => new Date(Number(unix) * 1000).toISOString();
const ashao = (raw: bigint) => amount(raw, ASHAO_DECIMALS);
const usdc = (raw: bigint) => amount(raw, USDC_DECIMALS);
const tierView = (tier: BoostTier | null) =>
  tier && { minStake: tier.minStake.toString(), boostBps: tier.boostBps };

/** A tier as the API shows it: its minimum stake in $ASHAO base units and its boost. */
export interface TierView {
  minStake: string;
  boostBps: number;
}

export interface WorkerBoostView {
  /** The boost a settlement would apply now (basis points of the base share). */
  boostBps: number;
  /** The tier the counted stake reaches now (null: below the first). */
  tier: TierView | null;
  /** The staked principal that counts now: staked, past its warm-up. */
  countedStake: Amount;
  /** All staked principal, warming or not. */
  staked: Amount;
  /** Staked principal still warming up, and when it starts to count (null when none is). */
  warming: Amount;
  warmupEndsAt: string | null;
  warmupEndsAtUnix: number | null;
  /** The boost once the warm-up ends (equal to `boostBps` when nothing is warming). */
  boostBpsOnceWarm: number;
  /** Principal waiting out its unstake cooldown: it earns no boost. */
  unstaking: Amount;
  /** The next tier above what all the staked principal reaches (null at the top). */
  nextTier: TierView | null;
  /** $ASHAO still to stake to reach `nextTier`. */
  stakeToNextTier: Amount | null;
}

export interface WorkerSummary {
  wallet: string;
  /** Whether the wallet has a stake position (none: no boost). */
  hasPosition: boolean;
  boost: WorkerBoostView;
  asOfChainTime: number;
}

/** A worker's boost at `now` under the treasury's tiers (the program's rule: `positionBoost`). */
export function workerSummary(
  state: Pick<TreasuryState, "boostTiers">,
  owner: PublicKey,
  position: StakePositionState | null,
  now: bigint,
): WorkerSummary {
  const boost = positionBoost(state, position, now);
  const reached = workerBoost(state.boostTiers, boost.stake).tier;
  return {
    wallet: owner.toBase58(),
    hasPosition: position !== null,
    boost: {
      boostBps: boost.boostBps,
      tier: tierView(reached),
      countedStake: ashao(boost.stake),
      staked: ashao(position?.staked ?? 0n),
      warming: ashao(boost.warming),
      warmupEndsAt: boost.warmupEndsAt === null ? null : iso(boost.warmupEndsAt),
      warmupEndsAtUnix: boost.warmupEndsAt === null ? null : Number(boost.warmupEndsAt),
      boostBpsOnceWarm: boost.boostBpsOnceWarm,
      unstaking: ashao(position?.unstaking ?? 0n),
      nextTier: tierView(boost.nextTier),
      stakeToNextTier: boost.stakeToNextTier === null ? null : ashao(boost.stakeToNextTier),
    },
    asOfChainTime: Number(now),
  };
}

// ------------------------------------------------------------------------------- earnings

/** The event a worker's settled earnings are read from. */
export const WORKER_EVENT_NAMES = ["workerPaid"] as const;

/** One settlement that paid the worker, from its `WorkerPaid` event. */
export interface WorkerEarning {
  signature: string;
  slot: number;
  at: string;
  batchId: string;
  /** The billing authority that settled the batch. */
  billing: string;
  base: Amount;
  /** The principal that counted and the tier's boost it earned. */
  boostStake: Amount;
  boostBps: number;
  /** The boost paid (less than the tier asks when the batch's boosts were scaled down). */
  boost: Amount;
  paid: Amount;
}

/** A `WorkerPaid` event as the indexer stores it (amounts as decimal strings, keys base58). */
export interface WorkerEventInput {
  signature: string;
  slot: number;
  /** Chain time, unix seconds. */
  ts: number;
  name: string;
  data: Record<string, unknown>;
}

const big = (value: unknown) => BigInt(String(value));

export function workerEarning(event: WorkerEventInput): WorkerEarning {
  if (event.name !== "workerPaid") throw new RangeError(`${event.name} is not a worker payment`);
  const { data } = event;
  return {
    signature: event.signature,
    slot: event.slot,
    at: iso(event.ts),
    batchId: String(data.batchId),
    billing: String(data.billing),
    base: usdc(big(data.base)),
    boostStake: ashao(big(data.boostStake)),
    boostBps: Number(data.boostBps),
    boost: usdc(big(data.boost)),
    paid: usdc(big(data.paid)),
  };
}

/** A worker's settled earnings in all: how many settlements paid them, and the sums. */
export interface WorkerEarningsTotals {
  settlements: number;
  base: Amount;
  boost: Amount;
  paid: Amount;
}

export function workerEarningsTotals(sums: {
  settlements: number;
  base: bigint;
  boost: bigint;
  paid: bigint;
}): WorkerEarningsTotals {
  return {
    settlements: sums.settlements,
    base: usdc(sums.base),
    boost: usdc(sums.boost),
    paid: usdc(sums.paid),
  };
}

export const WORKER_EARNINGS_CSV_HEADER = [
  "time_utc",
  "batch_id",
  "billing_authority",
  "base_usdc",
  "boost_bps",
  "boost_usdc",
  "paid_usdc",
  "paid_base_units",
  "boost_stake_ashao",
  "slot",
  "signature",
] as const;

const exact = (a: Amount) => formatUnits(BigInt(a.raw), a.decimals);

/** Earnings as CSV lines (no header), in `WORKER_EARNINGS_CSV_HEADER`'s order. */
export function workerEarningsCsvLines(entries: readonly WorkerEarning[]): string {
  return entries
    .map((e) =>
      csvLine([
        e.at,
        e.batchId,
        e.billing,
        exact(e.base),
        e.boostBps,
        exact(e.boost),
        exact(e.paid),
        e.paid.raw,
        exact(e.boostStake),
        e.slot,
        e.signature,
      ]),
    )
    .join("");
}
