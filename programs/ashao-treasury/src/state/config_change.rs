use anchor_lang::prelude::*;

use crate::{
    oracle::PriceGuard,
    state::{BoostTier, TreasuryParams},
};

/// A change to the parameters: each field left `None` keeps its value. The revenue split is
/// not a parameter. Applied at once by `update_config` when it only reduces risk, otherwise
/// queued by `queue_config_change` and applied after the timelock.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigChange {
    pub stream_period_secs: Option<u32>,
    pub unstake_cooldown_secs: Option<u32>,
    /// At most `MAX_BOOST_TIERS`.
    #[max_len(8)]
    pub boost_tiers: Option<Vec<BoostTier>>,
    pub max_buyback_usdc: Option<u64>,
    pub min_buyback_interval_secs: Option<u32>,
    pub max_slippage_bps: Option<u16>,
    pub swap_program: Option<Pubkey>,
    /// At most `MAX_CRANKS`.
    #[max_len(8)]
    pub cranks: Option<Vec<Pubkey>>,
    pub price_guard: Option<PriceGuard>,
    pub timelock_secs: Option<u32>,
    /// At most `MAX_BILLING_AUTHORITIES`.
    #[max_len(4)]
    pub billing_authorities: Option<Vec<Pubkey>>,
}

impl ConfigChange {
    /// Whether moving the parameters from `before` to `after` changes a field this change sets:
    /// applied later, it would undo that move.
    pub fn overlaps(&self, before: &TreasuryParams, after: &TreasuryParams) -> bool {
        (self.stream_period_secs.is_some() && before.stream_period_secs != after.stream_period_secs)
            || (self.unstake_cooldown_secs.is_some()
                && before.unstake_cooldown_secs != after.unstake_cooldown_secs)
            || (self.boost_tiers.is_some() && before.boost_tiers != after.boost_tiers)
            || (self.max_buyback_usdc.is_some()
                && before.max_buyback_usdc != after.max_buyback_usdc)
            || (self.min_buyback_interval_secs.is_some()
                && before.min_buyback_interval_secs != after.min_buyback_interval_secs)
            || (self.max_slippage_bps.is_some()
                && before.max_slippage_bps != after.max_slippage_bps)
            || (self.swap_program.is_some() && before.swap_program != after.swap_program)
            || (self.cranks.is_some() && before.cranks != after.cranks)
            || (self.price_guard.is_some() && before.price_guard != after.price_guard)
            || (self.timelock_secs.is_some() && before.timelock_secs != after.timelock_secs)
            || (self.billing_authorities.is_some()
                && before.billing_authorities != after.billing_authorities)
    }

    /// The parameters `current` becomes with this change (not yet validated).
    pub fn applied_to(&self, current: &TreasuryParams) -> TreasuryParams {
        let mut next = current.clone();
        if let Some(v) = self.stream_period_secs {
            next.stream_period_secs = v;
        }
        if let Some(v) = self.unstake_cooldown_secs {
            next.unstake_cooldown_secs = v;
        }
        if let Some(v) = &self.boost_tiers {
            next.boost_tiers = v.clone();
        }
        if let Some(v) = self.max_buyback_usdc {
            next.max_buyback_usdc = v;
        }
        if let Some(v) = self.min_buyback_interval_secs {
            next.min_buyback_interval_secs = v;
        }
        if let Some(v) = self.max_slippage_bps {
            next.max_slippage_bps = v;
        }
        if let Some(v) = self.swap_program {
            next.swap_program = v;
        }
        if let Some(v) = &self.cranks {
            next.cranks = v.clone();
        }
        if let Some(v) = self.price_guard {
            next.price_guard = v;
        }
        if let Some(v) = self.timelock_secs {
            next.timelock_secs = v;
        }
        if let Some(v) = &self.billing_authorities {
            next.billing_authorities = v.clone();
        }
        next
    }
}

/// What became of a queued change when it left the queue.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum ConfigChangeOutcome {
    /// No queued change has left the queue yet.
    #[default]
    None,
    /// Applied by `apply_config_change` after its eta.
    Applied,
    /// Dropped by the authority (`cancel_config_change`) before it expired.
    Cancelled,
    /// Dropped by an `update_config` that changed a field it sets: applied later, it would have
    /// undone that risk-reducing change.
    Superseded,
    /// Not applied within `TIMELOCK_GRACE_SECS` of its eta; cleared by a cancel, or replaced by
    /// the next queued change.
    Expired,
}

/// The last queued change to leave the queue: how, its eta, and when it left.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct ConfigChangeRecord {
    pub outcome: ConfigChangeOutcome,
    pub eta: i64,
    pub unix_timestamp: i64,
}
