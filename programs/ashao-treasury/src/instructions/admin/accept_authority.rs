use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
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

impl AcceptAuthority<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_neq!(
            self.config.pending_authority,
            Pubkey::default(),
            TreasuryError::NoPendingAuthority
        );
        require_keys_eq!(
            self.config.pending_authority,
            self.new_authority.key(),
            TreasuryError::NotPendingAuthority
        );
        Ok(())
    }
}

#[access_control(ctx.accounts.validate())]
pub fn handler(ctx: Context<AcceptAuthority>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let previous_authority = config.authority;
    config.authority = ctx.accounts.new_authority.key();
    config.pending_authority = Pubkey::default();
    config.invariant()?;
    emit_event(&AuthorityTransferred {
        previous_authority,
        new_authority: config.authority,
        unix_timestamp: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
