use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, AuthorityProposed},
    state::TreasuryConfig,
};

#[derive(Accounts)]
pub struct ProposeAuthority<'info> {
    pub authority: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = authority @ TreasuryError::Unauthorized,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

/// `new_authority = Pubkey::default()` cancels a pending transfer at once.
pub fn handler(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let accept_after = config.propose_authority(new_authority, now)?;
    config.invariant()?;
    emit_event(&AuthorityProposed {
        authority: config.authority,
        pending_authority: new_authority,
        accept_after,
        unix_timestamp: now,
    });
    Ok(())
}
