use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    events::{emit_event, AuthorityTransferred},
    state::TreasuryConfig,
};

#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    /// The pending authority named by `propose_authority`.
    pub new_authority: Signer<'info>,

    #[account(mut, seeds = [TREASURY_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

pub fn handler(ctx: Context<AcceptAuthority>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let previous_authority = config.authority;
    config.accept_authority(ctx.accounts.new_authority.key(), now)?;
    config.invariant()?;
    emit_event(&AuthorityTransferred {
        previous_authority,
        new_authority: config.authority,
        unix_timestamp: now,
    });
    Ok(())
}
