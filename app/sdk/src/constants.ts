/**
 * Seeds, denominators and bounds, mirrored from `programs/ashao-treasury/src/constants.rs`
 * (`tests/sdk/pda.test.ts` checks them against the IDL generated from that file).
 */
import { PublicKey } from "@solana/web3.js";

import IDL from "./idl/ashao_treasury.json";

/** The program id the IDL was generated with (`declare_id!`). */
export const ASHAO_TREASURY_PROGRAM_ID = new PublicKey(IDL.address);

/** Seed of the `TreasuryConfig` PDA. */
export const TREASURY_SEED = Buffer.from("treasury");
/** Seed of the USDC vault holding the unspent buyback bucket. */
export const BUYBACK_VAULT_SEED = Buffer.from("buyback_vault");
/** Seed of the USDC vault holding stakers' rewards. */
export const REWARDS_VAULT_SEED = Buffer.from("rewards_vault");
/** Seed of the $ASHAO vault holding staked and unstaking principal. */
export const STAKE_VAULT_SEED = Buffer.from("stake_vault");
/** Seed of a `StakePosition` PDA: `[POSITION_SEED, owner]`. */
export const POSITION_SEED = Buffer.from("position");
/** Seed of a billing authority's `UsageLedger` PDA: `[USAGE_LEDGER_SEED, billing]`. */
export const USAGE_LEDGER_SEED = Buffer.from("usage_ledger");

/** Fixed-point scale of `accRewardPerShare`. */
export const REWARD_PRECISION = 10n ** 18n;
/** Basis-point denominator. */
export const BPS_DENOMINATOR = 10_000;

export const MIN_STREAM_PERIOD_SECS = 60 * 60;
export const MAX_STREAM_PERIOD_SECS = 30 * 24 * 60 * 60;
export const MIN_UNSTAKE_COOLDOWN_SECS = 60 * 60;
export const MAX_UNSTAKE_COOLDOWN_SECS = 30 * 24 * 60 * 60;
export const MIN_BUYBACK_INTERVAL_SECS = 60;
export const MAX_BUYBACK_INTERVAL_SECS = 30 * 24 * 60 * 60;
export const MAX_BUYBACK_USDC = 1_000_000_000_000n;
export const MAX_SLIPPAGE_BPS = 1_000;
/**
 * The least time a staker has to react to a queued change: the timelock is at least the
 * cooldown plus this, so an unstake requested up to this long after the queue matures first.
 */
export const REACTION_WINDOW_SECS = 24 * 60 * 60;
/** The shortest cooldown plus the reaction window (25 hours). */
export const MIN_TIMELOCK_SECS = MIN_UNSTAKE_COOLDOWN_SECS + REACTION_WINDOW_SECS;
/** The longest cooldown plus the reaction window (31 days). */
export const MAX_TIMELOCK_SECS = MAX_UNSTAKE_COOLDOWN_SECS + REACTION_WINDOW_SECS;
/** How long a queued change stays applicable, and a proposed authority may accept, after its eta. */
export const TIMELOCK_GRACE_SECS = 14 * 24 * 60 * 60;
export const MAX_ORACLE_AGE_SECS = 60 * 60;
/** How far past the chain's clock a price may be published (`OraclePublishedInFuture`). */
export const MAX_ORACLE_CLOCK_SKEW_SECS = 10;
/** Most unstake requests a position holds at once, each on its own cooldown. */
export const MAX_UNSTAKE_TICKETS = 8;
export const MAX_ORACLE_CONFIDENCE_BPS = 1_000;
/** The Pyth Solana Receiver program, owner of every `PriceUpdateV2` account. */
export const PYTH_RECEIVER_PROGRAM_ID = new PublicKey(
  "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ",
);
export const MAX_BOOST_TIERS = 8;
export const MAX_BOOST_BPS = 10_000;
export const MAX_CRANKS = 8;
export const MAX_BILLING_AUTHORITIES = 4;
/** Most workers one `settle_usage` pays (the packet bounds it). */
export const MAX_SETTLEMENT_WORKERS = 9;
/** Accounts per worker after `settle_usage`'s fixed ones: its USDC account, its position. */
export const SETTLEMENT_ACCOUNTS_PER_WORKER = 2;
/** Batch ids a usage ledger remembers, from its window's start. */
export const USAGE_BATCH_WINDOW = 4_096n;

export { ASHAO_DECIMALS, USDC_DECIMALS } from "./units";
