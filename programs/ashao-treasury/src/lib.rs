//! The $ASHAO treasury: revenue in USDC, split 50/50 by fixed policy into a buyback-and-burn
//! bucket and staking rewards paid by reward-per-share. See docs/ARCHITECTURE.md.

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod mint_policy;
pub mod state;

use instructions::*;
use state::TreasuryParams;

declare_id!("CePT2CzQTddcwu6Y3bANh2rKLvHmeGhnBphf5P6wLhAs");

#[program]
pub mod ashao_treasury {
    use super::*;

    /// Creates the treasury config PDA and its three vaults (buyback USDC, rewards USDC,
    /// stake $ASHAO) for the given mints. Caller: anyone, once; the payer becomes the authority.
    /// Params: the bounded parameters. Errors: `SameMint`, the `Mint*` extension refusals, the
    /// parameter bound errors; a second call fails because the config account exists.
    pub fn initialize(ctx: Context<Initialize>, params: TreasuryParams) -> Result<()> {
        instructions::admin::initialize::handler(ctx, params)
    }
}
