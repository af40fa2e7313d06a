//! Seeds, denominators and bounds, named once. Mirrored in `app/sdk/src/pda.ts`.

use anchor_lang::prelude::*;

/// Seed of the `TreasuryConfig` PDA.
#[constant]
pub const TREASURY_SEED: &[u8] = b"treasury";
/// Seed of the USDC vault holding the unspent buyback bucket.
#[constant]
pub const BUYBACK_VAULT_SEED: &[u8] = b"buyback_vault";
/// Seed of the USDC vault holding stakers' rewards (streaming, released, owed).
#[constant]
pub const REWARDS_VAULT_SEED: &[u8] = b"rewards_vault";
/// Seed of the $ASHAO vault holding staked and unstaking principal.
#[constant]
pub const STAKE_VAULT_SEED: &[u8] = b"stake_vault";
/// Seed of a `StakePosition` PDA: `[POSITION_SEED, owner]`.
#[constant]
pub const POSITION_SEED: &[u8] = b"position";
/// Seed of a billing authority's `UsageLedger` PDA: `[USAGE_LEDGER_SEED, billing]`. Keyed by the
/// billing wallet, so nobody can settle another billing service's batch id before it does.
#[constant]
pub const USAGE_LEDGER_SEED: &[u8] = b"usage_ledger";

/// Fixed-point scale of `acc_reward_per_share` (USDC base units per staked base unit × 1e18).
pub const REWARD_PRECISION: u128 = 1_000_000_000_000_000_000;
/// Basis-point denominator.
#[constant]
pub const BPS_DENOMINATOR: u16 = 10_000;

/// Shortest revenue stream period: 1 hour. A stream of zero would hand a large deposit to
/// whoever is staked at that instant (a just-in-time staker).
#[constant]
pub const MIN_STREAM_PERIOD_SECS: u32 = 60 * 60;
/// Longest revenue stream period: 30 days.
#[constant]
pub const MAX_STREAM_PERIOD_SECS: u32 = 30 * 24 * 60 * 60;
/// Shortest unstake cooldown: 1 hour.
#[constant]
pub const MIN_UNSTAKE_COOLDOWN_SECS: u32 = 60 * 60;
/// Longest unstake cooldown: 30 days.
#[constant]
pub const MAX_UNSTAKE_COOLDOWN_SECS: u32 = 30 * 24 * 60 * 60;
/// Shortest interval between two buybacks: 1 minute. With the cap, it bounds how fast the
/// bucket can be spent whatever the cranks do.
#[constant]
pub const MIN_BUYBACK_INTERVAL_SECS: u32 = 60;
/// Longest minimum interval between two buybacks: 30 days.
#[constant]
pub const MAX_BUYBACK_INTERVAL_SECS: u32 = 30 * 24 * 60 * 60;
/// Highest `max_buyback_usdc`: 1,000,000 USDC (6 decimals) in one buyback.
#[constant]
pub const MAX_BUYBACK_USDC: u64 = 1_000_000 * 1_000_000u64;
/// Highest slippage below the oracle price a buyback may be allowed: 10%.
#[constant]
pub const MAX_SLIPPAGE_BPS: u16 = 1_000;

/// The least time a staker has to react to a risk-adding change: requested at any moment up to
/// this long after the change was queued, an unstake matures before the change can apply,
/// because the timelock is at least the unstake cooldown plus this window.
#[constant]
pub const REACTION_WINDOW_SECS: u32 = 24 * 60 * 60;
/// Shortest admin timelock: the shortest cooldown plus the reaction window (25 hours). The
/// bound that matters is `timelock_secs >= unstake_cooldown_secs + REACTION_WINDOW_SECS`.
#[constant]
pub const MIN_TIMELOCK_SECS: u32 = MIN_UNSTAKE_COOLDOWN_SECS + REACTION_WINDOW_SECS;
/// Longest admin timelock: the longest cooldown plus the reaction window (31 days).
#[constant]
pub const MAX_TIMELOCK_SECS: u32 = MAX_UNSTAKE_COOLDOWN_SECS + REACTION_WINDOW_SECS;
/// How long a queued change may still be applied, and a proposed authority still accept, once
/// the timelock has passed: 14 days. What nobody acted on in that window expires rather than
/// landing by surprise much later.
#[constant]
pub const TIMELOCK_GRACE_SECS: u32 = 14 * 24 * 60 * 60;

/// Oldest oracle price the guard may be configured to accept: 1 hour.
#[constant]
pub const MAX_ORACLE_AGE_SECS: u32 = 60 * 60;
/// How far in the future of the chain's clock an oracle price may be published: 10 seconds of
/// clock skew between the oracle's network and this one. A later `publish_time` is refused
/// (`OraclePublishedInFuture`), so a price update stays usable for at most this plus
/// `max_age_secs`.
#[constant]
pub const MAX_ORACLE_CLOCK_SKEW_SECS: u32 = 10;
/// Widest oracle confidence interval the guard may be configured to accept: 10% of the price.
#[constant]
pub const MAX_ORACLE_CONFIDENCE_BPS: u16 = 1_000;
/// The Pyth Solana Receiver program: owner of every `PriceUpdateV2` account (pull oracle and
/// the sponsored price feed accounts alike).
pub const PYTH_RECEIVER_PROGRAM_ID: Pubkey = pubkey!("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");

/// Most boost tiers stored.
#[constant]
pub const MAX_BOOST_TIERS: u8 = 8;
/// Highest boost a tier may give: 100% (10_000 bps).
#[constant]
pub const MAX_BOOST_BPS: u16 = 10_000;
/// Most unstake requests a position holds at once, each maturing on its own cooldown.
#[constant]
pub const MAX_UNSTAKE_TICKETS: u8 = 8;
/// Most crank operators allowed to run buybacks.
#[constant]
pub const MAX_CRANKS: u8 = 8;
/// Most billing authorities allowed to settle usage.
#[constant]
pub const MAX_BILLING_AUTHORITIES: u8 = 4;

/// Most workers one `settle_usage` pays: the packet bounds it, not the 64 account locks. Each
/// worker adds two account keys (its USDC account and its stake position address, 64 bytes),
/// their two indexes and its base (8 bytes): 74 bytes. With the fixed accounts, one signature, a
/// compute-unit limit and a priority fee, nine workers make a 1,180-byte transaction, under the
/// 1,232 a packet holds; ten make 1,254 (`fuzz/tests/settle_usage.rs` measures it).
#[constant]
pub const MAX_SETTLEMENT_WORKERS: u8 = 9;
/// Accounts `settle_usage` takes per worker, after its fixed ones: the worker's USDC account
/// (writable), then the address of the worker's stake position (read; it may not exist).
#[constant]
pub const SETTLEMENT_ACCOUNTS_PER_WORKER: u8 = 2;
/// Batch ids a usage ledger remembers: the window `[window_start, window_start + 4096)` of ids
/// per billing authority, one bit each. An id below the window is refused (`BatchIdTooOld`:
/// whether it settled can no longer be told), so a batch is never paid twice.
#[constant]
pub const USAGE_BATCH_WINDOW: u64 = 4_096;

/// The Compute Budget program, allowed between `begin_buyback` and `finish_buyback`.
pub const COMPUTE_BUDGET_PROGRAM_ID: Pubkey =
    pubkey!("ComputeBudget111111111111111111111111111111");

/// Positions of the accounts `begin_buyback` and `finish_buyback` both list first, in the same
/// order; introspection matches the two instructions by them.
pub const BUYBACK_CRANK_ACCOUNT_INDEX: usize = 0;
pub const BUYBACK_CONFIG_ACCOUNT_INDEX: usize = 1;
pub const BUYBACK_CRANK_USDC_ACCOUNT_INDEX: usize = 5;
pub const BUYBACK_CRANK_ASHAO_ACCOUNT_INDEX: usize = 6;

#[cfg(test)]
mod tests;
