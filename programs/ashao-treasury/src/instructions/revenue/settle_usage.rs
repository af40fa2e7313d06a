use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::{
        MAX_SETTLEMENT_WORKERS, POSITION_SEED, SETTLEMENT_ACCOUNTS_PER_WORKER, TREASURY_SEED,
        USAGE_LEDGER_SEED,
    },
    errors::TreasuryError,
    events::{emit_event, RevenueSource, UsageSettled, WorkerPaid},
    instructions::{
        revenue::deposit_revenue::{pay_revenue, RevenueTransfer},
        token::transfer,
    },
    math::{
        batch_window::BatchIdStatus,
        usage::{settle_batch, WorkerShare},
    },
    state::{StakePosition, TreasuryConfig, UsageLedger},
};

/// Settles one batch of paid usage. The billing authority's ledger is created by its first
/// settlement (`init_if_needed`): it is a PDA of the billing wallet, so nobody can create it for
/// another wallet, Anchor checks the discriminator and owner of an existing one, and the handler
/// fills `billing` and `bump` only when the account is fresh.
///
/// After these accounts come two per worker, in the order of `bases`: the worker's USDC account
/// (writable; its owner is the worker), then the worker's stake position address (read; it may
/// not exist, which earns no boost).
#[derive(Accounts)]
pub struct SettleUsage<'info> {
    /// A billing authority of the config; pays the gross from `source` (and the ledger's rent
    /// on its first settlement).
    #[account(mut)]
    pub billing: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = usdc_mint,
        has_one = buyback_vault,
        has_one = rewards_vault,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,

    #[account(
        init_if_needed,
        payer = billing,
        space = 8 + UsageLedger::INIT_SPACE,
        seeds = [USAGE_LEDGER_SEED, billing.key().as_ref()],
        bump,
    )]
    pub ledger: Box<Account<'info, UsageLedger>>,

    pub usdc_mint: Box<Account<'info, Mint>>,

    #[account(mut, token::mint = usdc_mint, token::authority = billing)]
    pub source: Box<Account<'info, TokenAccount>>,

    #[account(mut)]
    pub buyback_vault: Box<Account<'info, TokenAccount>>,

    #[account(mut)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,

    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl SettleUsage<'_> {
    pub fn validate(
        &self,
        batch_id: u64,
        gross: u64,
        workers: usize,
        accounts: usize,
    ) -> Result<()> {
        require!(!self.config.paused, TreasuryError::Paused);
        require!(
            self.config.is_billing_authority(&self.billing.key()),
            TreasuryError::BillingNotAllowed
        );
        require!(gross > 0, TreasuryError::ZeroAmount);
        require!(
            workers <= usize::from(MAX_SETTLEMENT_WORKERS),
            TreasuryError::TooManyWorkers
        );
        require!(
            accounts == workers * usize::from(SETTLEMENT_ACCOUNTS_PER_WORKER),
            TreasuryError::WorkerAccountsMismatch
        );
        match self.ledger.status(batch_id) {
            BatchIdStatus::Open => {}
            BatchIdStatus::Settled => return err!(TreasuryError::BatchAlreadySettled),
            BatchIdStatus::TooOld => return err!(TreasuryError::BatchIdTooOld),
            BatchIdStatus::TooFarAhead => return err!(TreasuryError::BatchIdTooFarAhead),
        }
        require!(
            gross <= self.source.amount,
            TreasuryError::InsufficientBalance
        );
        Ok(())
    }
}

/// One worker of the batch, read from its two accounts.
struct Worker<'info> {
    owner: Pubkey,
    usdc: AccountInfo<'info>,
    /// Staked principal past its warm-up (0 without a position).
    boost_stake: u64,
}

/// Reads a worker's USDC account and stake position, refusing accounts that are not what they
/// claim: another mint, not writable, frozen, a treasury account, or a position of someone else.
fn read_worker<'info>(
    config: &TreasuryConfig,
    config_key: &Pubkey,
    usdc: &'info AccountInfo<'info>,
    position: &'info AccountInfo<'info>,
    now: i64,
) -> Result<Worker<'info>> {
    require!(usdc.is_writable, TreasuryError::InvalidWorkerAccount);
    let token = Account::<TokenAccount>::try_from(usdc)
        .map_err(|_| error!(TreasuryError::InvalidWorkerAccount))?;
    require!(
        token.mint == config.usdc_mint,
        TreasuryError::WorkerAccountWrongMint
    );
    require!(
        !token.is_frozen() && token.owner != *config_key,
        TreasuryError::InvalidWorkerAccount
    );
    let owner = token.owner;
    let boost_stake = if position.owner == &crate::ID {
        let stake = Account::<StakePosition>::try_from(position)
            .map_err(|_| error!(TreasuryError::WorkerPositionMismatch))?;
        let address = Pubkey::create_program_address(
            &[POSITION_SEED, owner.as_ref(), &[stake.bump]],
            &crate::ID,
        );
        require!(
            stake.owner == owner && address == Ok(position.key()),
            TreasuryError::WorkerPositionMismatch
        );
        stake.boost_stake(now)
    } else {
        let (address, _) =
            Pubkey::find_program_address(&[POSITION_SEED, owner.as_ref()], &crate::ID);
        require!(
            position.key() == address && position.data_is_empty(),
            TreasuryError::WorkerPositionMismatch
        );
        0
    };
    Ok(Worker {
        owner,
        usdc: usdc.clone(),
        boost_stake,
    })
}

pub fn handler<'info>(
    ctx: Context<'info, SettleUsage<'info>>,
    batch_id: u64,
    gross: u64,
    bases: Vec<u64>,
) -> Result<()> {
    ctx.accounts
        .validate(batch_id, gross, bases.len(), ctx.remaining_accounts.len())?;
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    let config_key = a.config.key();

    let mut workers: Vec<Worker<'info>> = Vec::with_capacity(bases.len());
    for pair in ctx
        .remaining_accounts
        .chunks_exact(usize::from(SETTLEMENT_ACCOUNTS_PER_WORKER))
    {
        let worker = read_worker(&a.config, &config_key, &pair[0], &pair[1], now)?;
        require!(
            workers.iter().all(|w| w.owner != worker.owner),
            TreasuryError::DuplicateWorker
        );
        workers.push(worker);
    }
    let shares: Vec<WorkerShare> = workers
        .iter()
        .zip(&bases)
        .map(|(worker, base)| WorkerShare {
            base: *base,
            boost_bps: a.config.boost_bps_for(worker.boost_stake),
        })
        .collect();
    let (payments, totals) = settle_batch(gross, &shares)?;

    let ledger = &mut a.ledger;
    if ledger.billing == Pubkey::default() {
        ledger.billing = a.billing.key();
        ledger.bump = ctx.bumps.ledger;
    }
    ledger.record(batch_id, gross, totals.paid_to_workers, now)?;
    ledger.invariant()?;

    let token_program = a.token_program.to_account_info();
    let source = a.source.to_account_info();
    let mint = a.usdc_mint.to_account_info();
    let payer = a.billing.to_account_info();
    let decimals = a.usdc_mint.decimals;
    for (worker, payment) in workers.iter().zip(&payments) {
        transfer(
            &token_program,
            &source,
            &mint,
            &worker.usdc,
            &payer,
            payment.paid,
            decimals,
            None,
        )?;
        emit_event(&WorkerPaid {
            billing: payer.key(),
            batch_id,
            worker: worker.owner,
            worker_usdc: worker.usdc.key(),
            base: payment.base,
            boost_stake: worker.boost_stake,
            boost_bps: payment.boost_bps,
            boost_requested: payment.boost_requested,
            boost: payment.boost,
            paid: payment.paid,
            unix_timestamp: now,
        });
    }

    let config = &mut a.config;
    config.record_usage(&totals, workers.len() as u64)?;
    if totals.revenue > 0 {
        let revenue = RevenueTransfer {
            token_program,
            source,
            mint,
            payer,
            buyback_vault: a.buyback_vault.to_account_info(),
            rewards_vault: a.rewards_vault.to_account_info(),
            decimals,
        };
        pay_revenue(config, &revenue, totals.revenue, RevenueSource::Usage, now)?;
    }
    config.invariant()?;
    emit_event(&UsageSettled {
        billing: a.billing.key(),
        batch_id,
        workers: workers.len() as u32,
        gross,
        base_paid: totals.base,
        boost_paid: totals.boost_paid,
        paid_to_workers: totals.paid_to_workers,
        revenue: totals.revenue,
        boost_capped: totals.boost_capped,
        usage_batch_count: config.usage_batch_count,
        total_usage_gross: config.total_usage_gross,
        total_paid_to_workers: config.total_paid_to_workers,
        total_boost_paid: config.total_boost_paid,
        total_usage_revenue: config.total_usage_revenue,
        total_revenue: config.total_revenue,
        unix_timestamp: now,
    });
    Ok(())
}
