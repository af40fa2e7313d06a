use anchor_lang::{
    prelude::*,
    system_program::{
        allocate, assign, create_account, transfer, Allocate, Assign, CreateAccount, Transfer,
    },
};
use anchor_spl::{
    token::{Mint as UsdcMint, Token, TokenAccount as UsdcAccount},
    token_2022::ID as TOKEN_2022_ID,
    token_interface::{initialize_account3, InitializeAccount3, Mint, TokenInterface},
};

use crate::{
    constants::{BUYBACK_VAULT_SEED, REWARDS_VAULT_SEED, STAKE_VAULT_SEED, TREASURY_SEED},
    errors::TreasuryError,
    events::{emit_event, TreasuryInitialized},
    mint_policy::{check_token_2022_mint, token_account_len},
    state::{TreasuryConfig, TreasuryParams},
};

#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The program's upgrade authority: pays the rent and becomes the treasury authority
    /// (hand it to a multisig afterwards). Nobody else can initialise, so nobody can race the
    /// deploy and own the treasury.
    #[account(mut)]
    pub authority: Signer<'info>,

    /// This program, to find its ProgramData account (Anchor's documented upgrade-authority
    /// check).
    #[account(constraint = program.programdata_address()? == Some(program_data.key()) @ TreasuryError::NotUpgradeAuthority)]
    pub program: Program<'info, crate::program::AshaoTreasury>,

    #[account(constraint = program_data.upgrade_authority_address == Some(authority.key()) @ TreasuryError::NotUpgradeAuthority)]
    pub program_data: Box<Account<'info, ProgramData>>,

    #[account(
        init,
        payer = authority,
        space = 8 + TreasuryConfig::INIT_SPACE,
        seeds = [TREASURY_SEED],
        bump,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,

    /// USDC: SPL Token only (Anchor checks the owner through `Account<Mint>` of `token`).
    pub usdc_mint: Box<Account<'info, UsdcMint>>,

    /// $ASHAO: SPL Token or Token-2022 (extensions checked in the handler).
    #[account(mint::token_program = ashao_token_program)]
    pub ashao_mint: Box<InterfaceAccount<'info, Mint>>,

    #[account(
        init,
        payer = authority,
        seeds = [BUYBACK_VAULT_SEED],
        bump,
        token::mint = usdc_mint,
        token::authority = config,
        token::token_program = token_program,
    )]
    pub buyback_vault: Box<Account<'info, UsdcAccount>>,

    #[account(
        init,
        payer = authority,
        seeds = [REWARDS_VAULT_SEED],
        bump,
        token::mint = usdc_mint,
        token::authority = config,
        token::token_program = token_program,
    )]
    pub rewards_vault: Box<Account<'info, UsdcAccount>>,

    /// CHECK: the $ASHAO stake vault PDA (seeds checked here). Created in the handler once the
    /// mint's extensions pass the policy: Anchor's `init` would read them first and fail on one
    /// it does not know, without a name.
    #[account(mut, seeds = [STAKE_VAULT_SEED], bump)]
    pub stake_vault: UncheckedAccount<'info>,

    pub token_program: Program<'info, Token>,
    pub ashao_token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl Initialize<'_> {
    fn validate(&self, params: &TreasuryParams) -> Result<()> {
        require_keys_neq!(
            self.usdc_mint.key(),
            self.ashao_mint.key(),
            TreasuryError::SameMint
        );
        params.validate()?;
        if self.ashao_token_program.key() == TOKEN_2022_ID {
            check_token_2022_mint(&self.ashao_mint.to_account_info().try_borrow_data()?)?;
        }
        // Whoever could freeze the stake vault could block every exit.
        require!(
            self.ashao_mint.freeze_authority.is_none(),
            TreasuryError::MintHasFreezeAuthority
        );
        Ok(())
    }
}

#[access_control(ctx.accounts.validate(&params))]
pub fn handler(ctx: Context<Initialize>, params: TreasuryParams) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let Initialize {
        authority,
        config,
        usdc_mint,
        ashao_mint,
        buyback_vault,
        rewards_vault,
        stake_vault,
        ashao_token_program,
        ..
    } = ctx.accounts;
    config.bump = ctx.bumps.config;
    config.buyback_vault_bump = ctx.bumps.buyback_vault;
    config.rewards_vault_bump = ctx.bumps.rewards_vault;
    config.stake_vault_bump = ctx.bumps.stake_vault;
    config.authority = authority.key();
    config.pending_authority = Pubkey::default();
    config.pending_authority_eta = 0;
    config.usdc_mint = usdc_mint.key();
    config.ashao_mint = ashao_mint.key();
    config.ashao_token_program = ashao_token_program.key();
    config.buyback_vault = buyback_vault.key();
    config.rewards_vault = rewards_vault.key();
    config.stake_vault = stake_vault.key();
    config.paused = false;
    config.apply_params(&params)?;
    config.last_update_ts = now;
    config.stream_end_ts = now;
    config.invariant()?;
    create_stake_vault(
        authority,
        stake_vault,
        ashao_mint,
        config,
        ashao_token_program,
        &ctx.accounts.system_program,
        ctx.bumps.stake_vault,
    )?;

    emit_event(&TreasuryInitialized {
        config: config.key(),
        authority: config.authority,
        usdc_mint: config.usdc_mint,
        ashao_mint: config.ashao_mint,
        ashao_token_program: config.ashao_token_program,
        buyback_vault: config.buyback_vault,
        rewards_vault: config.rewards_vault,
        stake_vault: config.stake_vault,
        stream_period_secs: config.stream_period_secs,
        unstake_cooldown_secs: config.unstake_cooldown_secs,
        boost_tiers: config.active_boost_tiers().to_vec(),
        max_buyback_usdc: config.max_buyback_usdc,
        min_buyback_interval_secs: config.min_buyback_interval_secs,
        max_slippage_bps: config.max_slippage_bps,
        swap_program: config.swap_program,
        cranks: config.active_cranks().to_vec(),
        price_guard: config.price_guard,
        timelock_secs: config.timelock_secs,
        billing_authorities: config.active_billing_authorities().to_vec(),
        unix_timestamp: now,
    });
    Ok(())
}

/// Creates the stake vault: a token account of the $ASHAO mint owned by the config PDA, sized
/// for the account extensions the mint requires.
fn create_stake_vault<'info>(
    payer: &Signer<'info>,
    vault: &UncheckedAccount<'info>,
    mint: &InterfaceAccount<'info, Mint>,
    config: &Account<'info, TreasuryConfig>,
    token_program: &Interface<'info, TokenInterface>,
    system_program: &Program<'info, System>,
    bump: u8,
) -> Result<()> {
    let space = token_account_len(
        &token_program.key(),
        &mint.to_account_info().try_borrow_data()?,
    )?;
    let bump = [bump];
    let seeds: [&[u8]; 2] = [STAKE_VAULT_SEED, &bump];
    let signer: &[&[&[u8]]] = &[&seeds];
    let rent = Rent::get()?.minimum_balance(space);
    let space = u64::try_from(space).map_err(|_| TreasuryError::MathOverflow)?;
    let funded = vault.lamports();
    if funded == 0 {
        create_account(
            CpiContext::new_with_signer(
                system_program.key(),
                CreateAccount {
                    from: payer.to_account_info(),
                    to: vault.to_account_info(),
                },
                signer,
            ),
            rent,
            space,
            &token_program.key(),
        )?;
    } else {
        // Someone sent lamports to the address first (create_account would refuse it): top up,
        // allocate and assign, as Anchor's `init` does, so nobody can block `initialize`.
        let shortfall = rent.saturating_sub(funded);
        if shortfall > 0 {
            transfer(
                CpiContext::new(
                    system_program.key(),
                    Transfer {
                        from: payer.to_account_info(),
                        to: vault.to_account_info(),
                    },
                ),
                shortfall,
            )?;
        }
        allocate(
            CpiContext::new_with_signer(
                system_program.key(),
                Allocate {
                    account_to_allocate: vault.to_account_info(),
                },
                signer,
            ),
            space,
        )?;
        assign(
            CpiContext::new_with_signer(
                system_program.key(),
                Assign {
                    account_to_assign: vault.to_account_info(),
                },
                signer,
            ),
            &token_program.key(),
        )?;
    }
    initialize_account3(CpiContext::new(
        token_program.key(),
        InitializeAccount3 {
            account: vault.to_account_info(),
            mint: mint.to_account_info(),
            authority: config.to_account_info(),
        },
    ))
}
