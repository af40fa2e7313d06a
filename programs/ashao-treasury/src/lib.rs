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
pub mod oracle;
pub mod state;

use instructions::*;
use state::{ConfigChange, TreasuryParams};

declare_id!("CePT2CzQTddcwu6Y3bANh2rKLvHmeGhnBphf5P6wLhAs");

#[program]
pub mod ashao_treasury {
    use super::*;

    // ----------------------------------------------------------------------------- admin

    /// Creates the treasury config PDA and its three vaults (buyback USDC, rewards USDC,
    /// stake $ASHAO) for the given mints. Caller: the program's upgrade authority, once; it
    /// becomes the treasury authority. Params: the bounded parameters. Errors:
    /// `NotUpgradeAuthority`, `SameMint`, `MintHasFreezeAuthority`, `MintHasCloseAuthority`, the
    /// `Mint*` extension refusals, the parameter bound errors; a second call fails because the
    /// config account exists.
    pub fn initialize(ctx: Context<Initialize>, params: TreasuryParams) -> Result<()> {
        instructions::admin::initialize::handler(ctx, params)
    }

    /// Applies at once a change that only reduces risk (removing cranks, a lower cap or
    /// slippage, a longer interval or timelock, buybacks switched off). A queued change that
    /// sets a field it changes is dropped (`ConfigChangeCancelled`, outcome `Superseded`), so a
    /// change queued before an emergency never undoes it. Caller: authority. Params:
    /// `ConfigChange` (each field optional; never the split). Errors: `Unauthorized`,
    /// `ChangeNeedsTimelock`, the parameter bound errors.
    pub fn update_config(ctx: Context<UpdateConfig>, change: ConfigChange) -> Result<()> {
        instructions::admin::update_config::handler(ctx, change)
    }

    /// Queues any change to apply after `timelock_secs` (at least the unstake cooldown plus a
    /// day's reaction window, so a staker who disagrees can leave first); replaces a queued
    /// change that has expired. Caller: authority. Errors: `Unauthorized`,
    /// `ConfigChangeAlreadyQueued`, `NoConfigChange`, the parameter bound errors.
    pub fn queue_config_change(
        ctx: Context<QueueConfigChange>,
        change: ConfigChange,
    ) -> Result<()> {
        instructions::admin::queue_config_change::handler(ctx, change)
    }

    /// Applies the queued change once its timelock has passed, within 14 days. Caller: anyone.
    /// Accrues the stream first. Errors: `NoQueuedConfigChange`, `TimelockNotElapsed`,
    /// `ConfigChangeExpired`, the parameter bound errors.
    pub fn apply_config_change(ctx: Context<ApplyConfigChange>) -> Result<()> {
        instructions::admin::apply_config_change::handler(ctx)
    }

    /// Drops the queued change (outcome `Cancelled`, or `Expired` past its 14 days). Caller:
    /// authority. Errors: `Unauthorized`, `NoQueuedConfigChange`.
    pub fn cancel_config_change(ctx: Context<CancelConfigChange>) -> Result<()> {
        instructions::admin::cancel_config_change::handler(ctx)
    }

    /// Names the next authority (step one of two), who may accept after the timelock;
    /// `Pubkey::default()` cancels at once. Caller: authority. Errors: `Unauthorized`,
    /// `InvalidNewAuthority`.
    pub fn propose_authority(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
        instructions::admin::propose_authority::handler(ctx, new_authority)
    }

    /// Takes over as authority (step two) once the timelock has passed, within 14 days. Caller:
    /// the pending authority. Errors: `NoPendingAuthority`, `NotPendingAuthority`,
    /// `TimelockNotElapsed`, `AuthorityProposalExpired`.
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
    /// at the transaction's top level, not paused, with a price guard configured, within
    /// `max_buyback_usdc`, the bucket and `min_buyback_interval_secs`. The transaction must
    /// close it with `finish_buyback` (same crank and token accounts), with only the swap
    /// program, the associated token program's create instructions and compute budget in
    /// between, none naming a treasury account. `min_ashao_out` is the crank's own floor (from
    /// its quote); the oracle's floor is enforced by `finish_buyback` whatever the crank sets.
    /// Errors: `BuybackNotTopLevel`, `MissingFinishBuyback`, `BuybackInstructionNotAllowed`,
    /// `BuybackTouchesTreasury`, `Paused`, `CrankNotAllowed`, `NoPriceGuard`, `ZeroAmount`,
    /// `BuybackTooLarge`, `BuybackExceedsBucket`, `BuybackTooSoon`, `BuybackInProgress`.
    pub fn begin_buyback(
        ctx: Context<BeginBuyback>,
        usdc_amount: u64,
        min_ashao_out: u64,
    ) -> Result<()> {
        instructions::buyback::begin_buyback::handler(ctx, usdc_amount, min_ashao_out)
    }

    /// Measures the swap from the snapshot: USDC spent (at most what was taken), $ASHAO received
    /// (at least `min_ashao_out`, and at least what the guard's oracle price less
    /// `max_slippage_bps` gives for the USDC spent); burns all of it, returns unspent USDC to
    /// the bucket, books the totals and emits `BuybackExecuted` with the oracle and effective
    /// prices. Caller: the crank that began it, at the top level of the same transaction.
    /// The oracle is taken at the low end of its confidence interval (price − conf).
    /// Errors: `BuybackNotTopLevel`, `NoBuybackInProgress`, `MinAshaoOutNotMet`,
    /// `BuybackOverspent`, `PriceBelowOracle`, the `Oracle*` errors.
    pub fn finish_buyback(ctx: Context<FinishBuyback>) -> Result<()> {
        instructions::buyback::finish_buyback::handler(ctx)
    }

    // --------------------------------------------------------------------------- revenue

    /// Pays `amount` USDC of revenue from a token account the signer owns: half (rounded down)
    /// streams to stakers, the rest (with any odd unit) goes to the buyback bucket. Caller:
    /// anyone. Errors: `Paused`, `ZeroAmount`, `InsufficientBalance`.
    pub fn deposit_revenue(ctx: Context<DepositRevenue>, amount: u64) -> Result<()> {
        instructions::revenue::deposit_revenue::handler(ctx, amount)
    }

    /// Accounts USDC sent to either vault by plain transfer as revenue, split the same way, and
    /// rebalances the two vaults. Caller: anyone. Errors: `Paused`, `NothingToSync`,
    /// `VaultShortfall`.
    pub fn sync_revenue(ctx: Context<SyncRevenue>) -> Result<()> {
        instructions::revenue::sync_revenue::handler(ctx)
    }

    /// Settles batch `batch_id` of paid usage: `gross` USDC from the billing authority's
    /// account pays each worker (two remaining accounts each: its USDC account, then its stake
    /// position address) its base share from `bases` plus the boost its warmed-up staked
    /// principal earns (out of the remainder, scaled down when the remainder is short); the rest
    /// is revenue, split like a deposit. The batch id is recorded in the billing authority's
    /// ledger (created on its first settlement), so a retry never pays twice. Caller: a billing
    /// authority. Errors: `Paused`, `BillingNotAllowed`, `ZeroAmount`, `TooManyWorkers`,
    /// `WorkerAccountsMismatch`, `BatchAlreadySettled`, `BatchIdTooOld`, `BatchIdTooFarAhead`,
    /// `InsufficientBalance`, `InvalidWorkerAccount`, `WorkerAccountWrongMint`,
    /// `WorkerPositionMismatch`, `DuplicateWorker`, `BasesExceedGross`.
    pub fn settle_usage<'info>(
        ctx: Context<'info, SettleUsage<'info>>,
        batch_id: u64,
        gross: u64,
        bases: Vec<u64>,
    ) -> Result<()> {
        instructions::revenue::settle_usage::handler(ctx, batch_id, gross, bases)
    }

    // ------------------------------------------------------------------------------ user

    /// Stakes `amount` $ASHAO, creating the caller's position on first use. Caller: the owner.
    /// Errors: `Paused`, `ZeroAmount`, `InsufficientBalance`.
    pub fn stake(ctx: Context<Stake>, amount: u64) -> Result<()> {
        instructions::user::stake::handler(ctx, amount)
    }

    /// Moves `amount` from staked (earning) to unstaking (not earning) in an unstake ticket that
    /// matures after the cooldown; earlier tickets keep their own maturity. Caller: the owner;
    /// works while paused. Errors: `ZeroAmount`, `InsufficientStake`, `UnstakeTicketsFull`.
    pub fn request_unstake(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
        instructions::user::request_unstake::handler(ctx, amount)
    }

    /// Returns the $ASHAO of every matured unstake ticket; the others keep cooling down. Caller:
    /// the owner; works while paused. Errors: `NothingToWithdraw`, `CooldownNotElapsed`.
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
