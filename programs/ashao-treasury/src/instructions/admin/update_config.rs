use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, ConfigUpdated},
    state::{BoostTier, TreasuryConfig},
};

/// Each field left `None` keeps its value. The revenue split is not a parameter.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateConfigParams {
    pub stream_period_secs: Option<u32>,
    pub unstake_cooldown_secs: Option<u32>,
    pub boost_tiers: Option<Vec<BoostTier>>,
    pub max_buyback_usdc: Option<u64>,
    pub min_buyback_interval_secs: Option<u32>,
    pub max_slippage_bps: Option<u16>,
    pub swap_program: Option<Pubkey>,
    pub cranks: Option<Vec<Pubkey>>,
}

#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    pub authority: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = authority @ TreasuryError::Unauthorized,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

pub fn handler(ctx: Context<UpdateConfig>, update: UpdateConfigParams) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    // Release what the stream owes under the old period before anything changes; the new
    // period applies from the next revenue.
    config.accrue(now)?;

    let mut params = config.params();
    if let Some(v) = update.stream_period_secs {
        params.stream_period_secs = v;
    }
    if let Some(v) = update.unstake_cooldown_secs {
        params.unstake_cooldown_secs = v;
    }
    if let Some(v) = update.boost_tiers {
        params.boost_tiers = v;
    }
    if let Some(v) = update.max_buyback_usdc {
        params.max_buyback_usdc = v;
    }
    if let Some(v) = update.min_buyback_interval_secs {
        params.min_buyback_interval_secs = v;
    }
    if let Some(v) = update.max_slippage_bps {
        params.max_slippage_bps = v;
    }
    if let Some(v) = update.swap_program {
        params.swap_program = v;
    }
    if let Some(v) = update.cranks {
        params.cranks = v;
    }
    config.apply_params(&params)?;
    config.invariant()?;

    emit_event(&ConfigUpdated {
        authority: config.authority,
        stream_period_secs: config.stream_period_secs,
        unstake_cooldown_secs: config.unstake_cooldown_secs,
        boost_tiers: config.active_boost_tiers().to_vec(),
        max_buyback_usdc: config.max_buyback_usdc,
        min_buyback_interval_secs: config.min_buyback_interval_secs,
        max_slippage_bps: config.max_slippage_bps,
        swap_program: config.swap_program,
        cranks: config.active_cranks().to_vec(),
        unix_timestamp: now,
    });
    Ok(())
}
