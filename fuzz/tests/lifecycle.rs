//! The treasury's first instruction and a position's last, on the local validator's runtime:
//! `initialize` refuses a Token-2022 $ASHAO mint with a transfer fee by name, cannot be blocked
//! by lamports someone sent to the stake vault's address first, and `close_position` returns the
//! rent of an empty position and says so.
//!
//! Runs without the libtest harness (see the campaign). Ends with `N passed, M failed`.

use anchor_lang::{AccountDeserialize, InstructionData, ToAccountMetas};
use anchor_spl::token::{spl_token, TokenAccount};
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_2022::spl_token_2022::extension::{transfer_fee, ExtensionType};
use ashao_fuzz::ops::{Amount, Op, Sub};
use ashao_fuzz::scenario::{ensure, events, refused, run_scenarios, Scenario};
use ashao_fuzz::world::{Actor, ParamsSpec, Setup, World};
use ashao_treasury::errors::TreasuryError;
use ashao_treasury::events::PositionClosed;
use solana_account::Account;
use solana_address::Address;
use solana_instruction::Instruction;

/// One $ASHAO (six decimals).
const UNIT: u64 = 1_000_000;
const COOLDOWN: u32 = 3_600;

fn setup(ashao_token_2022: bool) -> Setup {
    Setup {
        ashao_token_2022,
        ashao_decimals: 6,
        pool_fee_bps: 30,
        ashao_balances: [1_000 * UNIT; 5],
        pool_usdc: 1_000_000_000_000,
        pool_ashao: 1_000_000 * UNIT,
        params: ParamsSpec {
            stream_period_secs: 86_400,
            unstake_cooldown_secs: COOLDOWN,
            boost_tiers: vec![(100 * UNIT, 1_000)],
            max_buyback_usdc: 1_000_000_000,
            min_buyback_interval_secs: 3_600,
            max_slippage_bps: 100,
            price_guard: None,
            timelock_secs: COOLDOWN + 86_400,
        },
    }
}

/// A Token-2022 mint with a transfer fee, laid out by the Token-2022 program's own instructions:
/// staked principal would come back short of what the position records.
fn transfer_fee_mint(world: &mut World) -> Result<Address, String> {
    let mint = Address::new_unique();
    let issuer = world.pubkey(Actor::Authority);
    let space = ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(&[
        ExtensionType::TransferFeeConfig,
    ])
    .map_err(|e| e.to_string())?;
    // The account as `create_account` leaves it (the mint's own key is not one of the world's
    // signers); the Token-2022 program then lays the mint out itself.
    let rent = world.svm.minimum_balance_for_rent_exemption(space);
    world
        .svm
        .set_account(
            mint,
            Account {
                lamports: rent,
                data: vec![0; space],
                owner: spl_token_2022::ID,
                executable: false,
                rent_epoch: 0,
            },
        )
        .map_err(|e| e.to_string())?;
    let fee = transfer_fee::instruction::initialize_transfer_fee_config(
        &spl_token_2022::ID,
        &mint,
        Some(&issuer),
        Some(&issuer),
        50,
        1_000 * UNIT,
    )
    .map_err(|e| e.to_string())?;
    let init =
        spl_token_2022::instruction::initialize_mint2(&spl_token_2022::ID, &mint, &issuer, None, 6)
            .map_err(|e| e.to_string())?;
    world
        .send(&[fee, init])
        .map_err(|f| format!("creating the mint: {:?}", f.error))?;
    Ok(mint)
}

/// A transfer-fee $ASHAO mint is refused by its name, and no account is created.
fn a_transfer_fee_mint_is_refused() -> Result<(), String> {
    let mut world = World::new(setup(true));
    let fee_mint = transfer_fee_mint(&mut world)?;
    let params = world.initial_params();
    let authority = world.pubkey(Actor::Authority);
    let usdc_mint = world.usdc_mint;
    refused(
        &mut world,
        |w| w.initialize_ix(authority, usdc_mint, fee_mint, params),
        TreasuryError::MintHasTransferFee,
    )?;
    ensure(world.treasury().is_none(), || {
        "a treasury exists after the refusal".into()
    })
}

/// Lamports sent to the stake vault's address before `initialize` (fewer than its rent, or
/// more) do not block it: the vault becomes the config's token account of $ASHAO, rent-exempt,
/// keeping what was sent.
fn a_funded_vault_address_does_not_block_initialize() -> Result<(), String> {
    // The least an account can hold (a system account's rent), under a token account's rent;
    // then more than that rent.
    let least = World::new(setup(false))
        .svm
        .minimum_balance_for_rent_exemption(0);
    for sent in [least, 5_000_000_000] {
        let mut world = World::new(setup(false));
        let vault = world.stake_vault;
        world
            .svm
            .airdrop(&vault, sent)
            .map_err(|e| format!("airdrop: {:?}", e.err))?;
        world
            .initialize()
            .map_err(|f| format!("{sent} lamports sent first: {:?}", f.error))?;
        let account = world.account(&vault).ok_or("no stake vault")?;
        let token =
            TokenAccount::try_deserialize(&mut &account.data[..]).map_err(|e| e.to_string())?;
        let rent = world
            .svm
            .minimum_balance_for_rent_exemption(account.data.len());
        ensure(
            account.owner == spl_token::ID
                && token.mint == world.ashao_mint
                && token.owner == world.config
                && account.lamports == rent.max(sent),
            || {
                format!(
                    "{sent} lamports sent first: owner {}, mint {}, authority {}, {} lamports (rent {rent})",
                    account.owner, token.mint, token.owner, account.lamports
                )
            },
        )?;
    }
    Ok(())
}

/// A position staked, unstaked and withdrawn closes: its rent goes back to the owner, the
/// account is gone, and `PositionClosed` names it with the count of stakers left. A position
/// still holding principal is refused by name.
fn an_empty_position_closes_and_says_so() -> Result<(), String> {
    let mut world = World::new(setup(false));
    world
        .initialize()
        .map_err(|f| format!("initialize: {:?}", f.error))?;
    let stake = |world: &mut World, who| {
        world.execute(&Op::Stake {
            who,
            amount: Amount::Exact(10 * UNIT),
            sub: Sub::None,
        })
    };
    for who in [Actor::Alice, Actor::Small] {
        stake(&mut world, who)
            .outcome
            .map_err(|e| format!("{e:?}"))?;
    }
    let close_ix = |w: &World| Instruction {
        program_id: ashao_treasury::ID,
        accounts: ashao_treasury::accounts::ClosePosition {
            owner: w.pubkey(Actor::Alice),
            config: w.config,
            position: w.position_address(Actor::Alice),
        }
        .to_account_metas(None),
        data: ashao_treasury::instruction::ClosePosition {}.data(),
    };
    refused(&mut world, close_ix, TreasuryError::PositionNotEmpty)?;
    for op in [
        Op::RequestUnstake {
            who: Actor::Alice,
            amount: Amount::All,
            sub: Sub::None,
        },
        Op::Warp(u64::from(COOLDOWN)),
        Op::Withdraw {
            who: Actor::Alice,
            sub: Sub::None,
        },
    ] {
        world
            .execute(&op)
            .outcome
            .map_err(|e| format!("{op:?}: {e:?}"))?;
    }
    let owner = world.pubkey(Actor::Alice);
    let position = world.position_address(Actor::Alice);
    let rent = world.balance(&position);
    let before = world.balance(&owner);
    let ix = close_ix(&world);
    let logs = world
        .send(&[ix])
        .map_err(|f| format!("close: {:?}\n{}", f.error, f.logs.join("\n")))?;
    let closed: Vec<PositionClosed> = events(&logs);
    let stakers = world.treasury().ok_or("no treasury")?.staker_count;
    ensure(
        closed.len() == 1
            && closed[0].owner == owner
            && closed[0].position == position
            && closed[0].staker_count == stakers
            && stakers == 1,
        || {
            let named: Vec<_> = closed
                .iter()
                .map(|e| (e.owner, e.position, e.staker_count))
                .collect();
            format!("PositionClosed {named:?}, stakers {stakers}")
        },
    )?;
    ensure(
        world.account(&position).is_none() && world.balance(&owner) == before + rent,
        || {
            format!(
                "position left, or the owner got {} of {rent}",
                world.balance(&owner) - before
            )
        },
    )
}

fn main() {
    let scenarios: [(&str, Scenario); 3] = [
        (
            "a transfer-fee $ASHAO mint is refused by name",
            a_transfer_fee_mint_is_refused,
        ),
        (
            "lamports sent to the stake vault first do not block initialize",
            a_funded_vault_address_does_not_block_initialize,
        ),
        (
            "an empty position closes, returns its rent and says so",
            an_empty_position_closes_and_says_so,
        ),
    ];
    run_scenarios(&scenarios);
}
