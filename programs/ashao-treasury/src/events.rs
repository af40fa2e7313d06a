//! Events, past tense. Every value move and config change emits one with amounts and the
//! resulting totals, so the API and dashboard rebuild history from events alone.

use anchor_lang::prelude::*;

use crate::{
    oracle::PriceGuard,
    state::{
        BoostTier, ConfigChange, ConfigChangeOutcome, DroppedChange, TreasuryConfig, UnstakeTicket,
    },
};

/// Logs an event as `Program data: <base64>` on SBF and on the host.
///
/// anchor-lang 1.2.2's `emit!` is a no-op when compiled for the host (its `sol_log_data` is a
/// `black_box` there), and the local validator runs this program natively. On the host we go
/// through `solana_sysvar::program_stubs`, which the validator routes into the transaction logs,
/// so clients see the same log lines as on mainnet.
pub fn emit_event<E: anchor_lang::Event>(event: &E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

/// Where a revenue amount was accounted from.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevenueSource {
    /// `deposit_revenue`: transferred by the payer inside the instruction.
    Deposit,
    /// `sync_revenue`: a plain transfer into a vault, accounted afterwards.
    Sync,
    /// `settle_usage`: the remainder of a batch of paid usage after the workers were paid.
    Usage,
}

#[event]
pub struct TreasuryInitialized {
    pub config: Pubkey,
    pub authority: Pubkey,
    pub usdc_mint: Pubkey,
    pub ashao_mint: Pubkey,
    pub ashao_token_program: Pubkey,
    pub buyback_vault: Pubkey,
    pub rewards_vault: Pubkey,
    pub stake_vault: Pubkey,
    /// The initial parameters, in full (later changes arrive as `ConfigUpdated`).
    pub stream_period_secs: u32,
    pub unstake_cooldown_secs: u32,
    pub boost_tiers: Vec<BoostTier>,
    pub max_buyback_usdc: u64,
    pub min_buyback_interval_secs: u32,
    pub max_slippage_bps: u16,
    pub swap_program: Pubkey,
    pub cranks: Vec<Pubkey>,
    pub price_guard: PriceGuard,
    pub timelock_secs: u32,
    pub billing_authorities: Vec<Pubkey>,
    pub unix_timestamp: i64,
}

#[event]
pub struct RevenueDeposited {
    pub source: RevenueSource,
    /// The signer that paid (deposit) or cranked the sync.
    pub payer: Pubkey,
    pub amount: u64,
    pub to_buyback: u64,
    pub to_stakers: u64,
    pub total_revenue: u64,
    pub buyback_bucket: u64,
    pub stream_remaining: u64,
    pub stream_end_ts: i64,
    pub total_rewards_released: u64,
    pub total_staked: u64,
    pub unix_timestamp: i64,
}

#[event]
pub struct Staked {
    pub owner: Pubkey,
    pub amount: u64,
    pub position_staked: u64,
    pub position_unstaking: u64,
    pub position_rewards_owed: u64,
    /// Principal not yet counting for the worker boost, and when it starts to.
    pub position_boost_warmup_amount: u64,
    pub position_boost_warmup_ends_at: i64,
    pub total_staked: u64,
    pub total_unstaking: u64,
    pub staker_count: u32,
    pub acc_reward_per_share: u128,
    pub unix_timestamp: i64,
}

/// A request joined the position's unstake tickets (a ticket of its own, or the newest one when
/// that matures at the same second); `position_tickets` lists them all after it.
#[event]
pub struct UnstakeRequested {
    pub owner: Pubkey,
    pub amount: u64,
    pub position_staked: u64,
    pub position_unstaking: u64,
    pub position_rewards_owed: u64,
    /// Principal not yet counting for the worker boost after the request (warming principal
    /// leaves first), and when it starts to.
    pub position_boost_warmup_amount: u64,
    pub position_boost_warmup_ends_at: i64,
    /// When this request's principal may be withdrawn.
    pub available_at: i64,
    pub position_tickets: Vec<UnstakeTicket>,
    pub total_staked: u64,
    pub total_unstaking: u64,
    pub staker_count: u32,
    pub acc_reward_per_share: u128,
    pub unix_timestamp: i64,
}

/// Every matured ticket was withdrawn (`amount` in all); `position_tickets` lists those still
/// cooling down.
#[event]
pub struct Withdrawn {
    pub owner: Pubkey,
    pub amount: u64,
    pub position_staked: u64,
    pub position_unstaking: u64,
    pub position_tickets: Vec<UnstakeTicket>,
    pub total_staked: u64,
    pub total_unstaking: u64,
    pub unix_timestamp: i64,
}

#[event]
pub struct RewardsClaimed {
    pub owner: Pubkey,
    pub amount: u64,
    pub position_staked: u64,
    pub position_total_claimed: u64,
    pub total_rewards_released: u64,
    pub total_rewards_claimed: u64,
    pub stream_remaining: u64,
    pub total_staked: u64,
    pub acc_reward_per_share: u128,
    pub unix_timestamp: i64,
}

#[event]
pub struct PositionClosed {
    pub owner: Pubkey,
    pub position: Pubkey,
    pub staker_count: u32,
    pub unix_timestamp: i64,
}

/// The parameters after a change, in full.
#[event]
pub struct ConfigUpdated {
    pub authority: Pubkey,
    pub stream_period_secs: u32,
    pub unstake_cooldown_secs: u32,
    pub boost_tiers: Vec<BoostTier>,
    pub max_buyback_usdc: u64,
    pub min_buyback_interval_secs: u32,
    pub max_slippage_bps: u16,
    pub swap_program: Pubkey,
    pub cranks: Vec<Pubkey>,
    pub price_guard: PriceGuard,
    pub timelock_secs: u32,
    pub billing_authorities: Vec<Pubkey>,
    pub unix_timestamp: i64,
}

#[event]
pub struct AuthorityProposed {
    pub authority: Pubkey,
    /// `Pubkey::default()`: the pending transfer was cancelled.
    pub pending_authority: Pubkey,
    /// When the pending authority may accept (0 when cancelled).
    pub accept_after: i64,
    pub unix_timestamp: i64,
}

/// A risk-adding change was queued; anyone may apply it from `eta` (for 14 days).
#[event]
pub struct ConfigChangeQueued {
    pub authority: Pubkey,
    pub change: ConfigChange,
    pub eta: i64,
    pub unix_timestamp: i64,
}

/// The queued change was applied; `ConfigUpdated` follows with the resulting parameters.
#[event]
pub struct ConfigChangeApplied {
    pub applied_by: Pubkey,
    pub change: ConfigChange,
    pub eta: i64,
    pub unix_timestamp: i64,
}

/// The queued change left the queue unapplied: `Cancelled` by the authority, `Superseded` by an
/// `update_config` that changed a field it sets (`ConfigUpdated` in the same transaction), or
/// `Expired` (cleared by a cancel or replaced by a new queued change, `ConfigChangeQueued` in
/// the same transaction).
#[event]
pub struct ConfigChangeCancelled {
    pub authority: Pubkey,
    pub change: ConfigChange,
    pub eta: i64,
    pub outcome: ConfigChangeOutcome,
    pub unix_timestamp: i64,
}

#[event]
pub struct AuthorityTransferred {
    pub previous_authority: Pubkey,
    pub new_authority: Pubkey,
    pub unix_timestamp: i64,
}

#[event]
pub struct PauseSet {
    pub authority: Pubkey,
    pub paused: bool,
    pub unix_timestamp: i64,
}

/// A buyback ran: USDC spent from the bucket, $ASHAO bought and burned, and the totals after.
#[event]
pub struct BuybackExecuted {
    pub crank: Pubkey,
    pub usdc_spent: u64,
    /// USDC the swap did not spend, back in the buyback vault.
    pub usdc_returned: u64,
    pub ashao_burned: u64,
    /// USDC base units per whole $ASHAO (`10^decimals` base units), floored: the effective
    /// price of this buyback.
    pub price_usdc_per_ashao: u64,
    /// The oracle price the guard accepted: `oracle_price × 10^oracle_exponent` US dollars per
    /// whole $ASHAO, give or take `oracle_confidence`, published at `oracle_publish_time`.
    pub oracle_price: u64,
    pub oracle_confidence: u64,
    pub oracle_exponent: i32,
    pub oracle_publish_time: i64,
    /// The oracle price in the effective price's unit, floored.
    pub oracle_price_usdc_per_ashao: u64,
    /// The least $ASHAO the oracle allowed for the USDC spent: at `oracle_price −
    /// oracle_confidence` (the treasury's side of the interval) less `max_slippage_bps`.
    pub oracle_min_ashao_out: u64,
    pub buyback_bucket: u64,
    pub total_buyback_usdc_spent: u64,
    pub total_ashao_burned: u64,
    pub buyback_count: u64,
    pub unix_timestamp: i64,
}

/// A worker was paid for its share of a settled batch: its base share plus the boost its stake
/// earned, out of the protocol's remainder.
#[event]
pub struct WorkerPaid {
    pub billing: Pubkey,
    pub batch_id: u64,
    /// The owner of the USDC account paid (whose stake position gave the boost).
    pub worker: Pubkey,
    pub worker_usdc: Pubkey,
    pub base: u64,
    /// The principal that counted (staked, warmed up) and the tier's boost it earned.
    pub boost_stake: u64,
    pub boost_bps: u16,
    /// `floor(base × boost_bps / 10_000)`.
    pub boost_requested: u64,
    /// The boost paid: the request, or less when the batch's boosts exceeded its remainder.
    pub boost: u64,
    /// `base + boost`.
    pub paid: u64,
    pub unix_timestamp: i64,
}

/// A batch of paid usage settled: `gross = paid_to_workers + revenue`; the revenue was split
/// like a deposit (`RevenueDeposited` with source `Usage` when it is above zero).
#[event]
pub struct UsageSettled {
    pub billing: Pubkey,
    pub batch_id: u64,
    pub workers: u32,
    pub gross: u64,
    pub base_paid: u64,
    pub boost_paid: u64,
    pub paid_to_workers: u64,
    pub revenue: u64,
    /// Whether the boosts asked for more than the remainder and were scaled down.
    pub boost_capped: bool,
    pub usage_batch_count: u64,
    pub total_usage_gross: u64,
    pub total_paid_to_workers: u64,
    pub total_boost_paid: u64,
    pub total_usage_revenue: u64,
    pub total_revenue: u64,
    pub unix_timestamp: i64,
}

impl ConfigUpdated {
    pub fn of(config: &TreasuryConfig, now: i64) -> Self {
        Self {
            authority: config.authority,
            stream_period_secs: config.stream_period_secs,
            unstake_cooldown_secs: config.unstake_cooldown_secs,
            boost_tiers: config.active_boost_tiers().to_vec(),
            max_buyback_usdc: config.max_buyback_usdc,
            min_buyback_interval_secs: config.min_buyback_interval_secs,
            max_slippage_bps: config.max_slippage_bps,
            swap_program: config.swap_program,
            cranks: config.active_cranks().to_vec(),
            price_guard: config.price_guard,
            timelock_secs: config.timelock_secs,
            billing_authorities: config.active_billing_authorities().to_vec(),
            unix_timestamp: now,
        }
    }
}

impl ConfigChangeCancelled {
    pub fn of(authority: Pubkey, dropped: DroppedChange, now: i64) -> Self {
        Self {
            authority,
            change: dropped.change,
            eta: dropped.eta,
            outcome: dropped.outcome,
            unix_timestamp: now,
        }
    }
}
