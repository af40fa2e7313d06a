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
}

impl ConfigChange {
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
        next
    }
}
