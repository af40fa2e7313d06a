//! The $ASHAO treasury: revenue in USDC, split 50/50 by fixed policy into a buyback-and-burn
//! bucket and staking rewards streamed to $ASHAO stakers by reward-per-share accounting.
//! See docs/ARCHITECTURE.md. Errors: [`errors::TreasuryError`]; events: [`events`].
//!
//! This file is the table of contents: each instruction lives in `instructions/<role>/<name>.rs`
//! with its accounts, its validation and its handler.

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

    // ----------------------------------------------------------------------------- admin

    /// Creates the treasury config PDA and its three vaults (buyback USDC, rewards USDC,
    /// stake $ASHAO) for the given mints. Caller: anyone, once; the payer becomes the authority.
    /// Params: the bounded parameters. Errors: `SameMint`, the `Mint*` extension refusals, the
    /// parameter bound errors; a second call fails because the config account exists.
    pub fn initialize(ctx: Context<Initialize>, params: TreasuryParams) -> Result<()> {
        instructions::admin::initialize::handler(ctx, params)
    }

    /// Changes any subset of the parameters (never the split). Caller: authority. Params:
    /// `UpdateConfigParams` (each field optional). Accrues the stream first; a new stream period
    /// applies from the next revenue. Errors: `Unauthorized`, the parameter bound errors.
    pub fn update_config(ctx: Context<UpdateConfig>, params: UpdateConfigParams) -> Result<()> {
        instructions::admin::update_config::handler(ctx, params)
    }

    /// Names the next authority (step one of two); `Pubkey::default()` cancels. Caller:
    /// authority. Errors: `Unauthorized`, `InvalidNewAuthority`.
    pub fn propose_authority(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
        instructions::admin::propose_authority::handler(ctx, new_authority)
    }

    /// Takes over as authority (step two). Caller: the pending authority. Errors:
    /// `NoPendingAuthority`, `NotPendingAuthority`.
    pub fn accept_authority(ctx: Context<AcceptAuthority>) -> Result<()> {
        instructions::admin::accept_authority::handler(ctx)
    }

    /// Pauses or resumes staking, deposits, syncs and buybacks; exits (unstake, withdraw,
    /// claim, close) always work. Caller: authority. Idempotent. Errors: `Unauthorized`.
    pub fn set_paused(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
        instructions::admin::set_paused::handler(ctx, paused)
    }

    // --------------------------------------------------------------------------- buyback

    /// Takes `usdc_amount` from the buyback bucket into the crank's USDC account for a swap in
    /// this same transaction, and snapshots the crank's balances. Caller: an allow-listed crank,
    /// at the transaction's top level, not paused, within `max_buyback_usdc`, the bucket and
    /// `min_buyback_interval_secs`. The transaction must close it with `finish_buyback` (same
    /// crank and token accounts), with only the swap program, the token programs, the
    /// associated token program and compute budget in between, none naming a treasury account
    /// and no token instruction naming the crank's USDC or $ASHAO account. `max_slippage_bps` is not
    /// checked here (there is no on-chain price to check it against): the crank quotes within
    /// it and sets `min_ashao_out` from the quote, which `finish_buyback` enforces.
    /// Errors: `BuybackNotTopLevel`, `MissingFinishBuyback`, `BuybackInstructionNotAllowed`,
    /// `BuybackTouchesTreasury`, `Paused`, `CrankNotAllowed`, `ZeroAmount`, `BuybackTooLarge`,
    /// `BuybackExceedsBucket`, `BuybackTooSoon`, `BuybackInProgress`.
    pub fn begin_buyback(
        ctx: Context<BeginBuyback>,
        usdc_amount: u64,
        min_ashao_out: u64,
    ) -> Result<()> {
        instructions::buyback::begin_buyback::handler(ctx, usdc_amount, min_ashao_out)
    }

    /// Measures the swap from the snapshot: USDC spent (at most what was taken), $ASHAO received
    /// (at least `min_ashao_out`); burns all of it, returns unspent USDC to the bucket, books
    /// the totals and emits `BuybackExecuted`. Caller: the crank that began it, at the top
    /// level of the same transaction. Errors: `BuybackNotTopLevel`, `NoBuybackInProgress`,
    /// `MinAshaoOutNotMet`, `BuybackOverspent`.
    pub fn finish_buyback(ctx: Context<FinishBuyback>) -> Result<()> {
        instructions::buyback::finish_buyback::handler(ctx)
    }

    // --------------------------------------------------------------------------- revenue

    /// Pays `amount` USDC of revenue from a token account the signer owns: half (rounded down)
    /// streams to stakers, the rest (with any odd unit) goes to the buyback bucket. Caller:
    /// anyone. Errors: `Paused`, `ZeroAmount`.
    pub fn deposit_revenue(ctx: Context<DepositRevenue>, amount: u64) -> Result<()> {
        instructions::revenue::deposit_revenue::handler(ctx, amount)
    }

    /// Accounts USDC sent to either vault by plain transfer as revenue, split the same way, and
    /// rebalances the two vaults. Caller: anyone. Errors: `Paused`, `NothingToSync`,
    /// `VaultShortfall`.
    pub fn sync_revenue(ctx: Context<SyncRevenue>) -> Result<()> {
        instructions::revenue::sync_revenue::handler(ctx)
    }

    // ------------------------------------------------------------------------------ user

    /// Stakes `amount` $ASHAO, creating the caller's position on first use. Caller: the owner.
    /// Errors: `Paused`, `ZeroAmount`.
    pub fn stake(ctx: Context<Stake>, amount: u64) -> Result<()> {
        instructions::user::stake::handler(ctx, amount)
    }

    /// Moves `amount` from staked (earning) to unstaking (not earning) and restarts the
    /// cooldown. Caller: the owner; works while paused. Errors: `ZeroAmount`, `InsufficientStake`.
    pub fn request_unstake(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
        instructions::user::request_unstake::handler(ctx, amount)
    }

    /// Returns all unstaking $ASHAO once the cooldown has passed. Caller: the owner; works
    /// while paused. Errors: `NothingToWithdraw`, `CooldownNotElapsed`.
    pub fn withdraw(ctx: Context<Withdraw>) -> Result<()> {
        instructions::user::withdraw::handler(ctx)
    }

    /// Pays out the caller's owed USDC rewards. Caller: the owner; works while paused.
    /// Errors: `NothingToClaim`.
    pub fn claim(ctx: Context<Claim>) -> Result<()> {
        instructions::user::claim::handler(ctx)
    }

    /// Closes an empty position and returns its rent. Caller: the owner. Errors:
    /// `PositionNotEmpty`.
    pub fn close_position(ctx: Context<ClosePosition>) -> Result<()> {
        instructions::user::close_position::handler(ctx)
    }
}
