//! Running a step: resolving its amounts and accounts against the chain, building the
//! instructions exactly as the SDK does (Anchor's generated account lists, same order), sending
//! them, and saying beforehand what the rules allow (an exit the rules allow must succeed; an
//! account substitution must be refused).

use anchor_lang::{InstructionData, ToAccountMetas};
use anchor_spl::associated_token::spl_associated_token_account;
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;
use ashao_treasury::constants::{
    MAX_ORACLE_CLOCK_SKEW_SECS, MAX_SETTLEMENT_WORKERS, MAX_UNSTAKE_TICKETS, TIMELOCK_GRACE_SECS,
    USAGE_BATCH_WINDOW,
};
use ashao_treasury::math::batch_window::BatchIdStatus;
use ashao_treasury::math::rewards::RewardStream;
use ashao_treasury::oracle::PriceGuard;
use ashao_treasury::state::{BoostTier, ConfigChange, TreasuryConfig};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use solana_account::Account;
use solana_address::Address;
use solana_instruction::{AccountMeta, Instruction};
use solana_transaction_error::TransactionError;

use crate::check::{change_values, param_values, params_changed_safely};
use crate::errors::{classify, Callee, CalleeErrors, Refusal};
use crate::heap::{self, HeapUsage};
use crate::ops::{
    AgeCase, Amount, BatchCase, Change, ConfCase, Defect, Feed, Guard, MinOut, Op, Oracle,
    PriceCase, SettleDefect, Shape, Sub, SwapTarget,
};
use crate::world::{
    Actor, PriceUpdate, SettleLine, Vault, World, FEED_ID, OTHER_FEED_ID, USDC_DECIMALS,
};

const SYSTEM_PROGRAM: Address = solana_sdk_ids::system_program::ID;
const INSTRUCTIONS_SYSVAR: Address = solana_sdk_ids::sysvar::instructions::ID;

/// What the rules say a step's outcome must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// No prediction (the program's own validation decides; the outcome is still checked).
    Any,
    /// Must succeed (why).
    Ok(&'static str),
    /// Must be refused, by this name when one is given.
    Refused(Option<String>),
}

/// A successful buyback's price, for the guard check.
#[derive(Clone, Debug)]
pub struct PricePresented {
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub slippage_bps: u16,
}

/// What a step did.
#[derive(Clone, Debug)]
pub struct Executed {
    /// Whether a transaction was sent (a warp sends none).
    pub sent: bool,
    /// `Ok` or the refusal, named or not.
    pub outcome: Result<(), Refusal>,
    pub tx_error: Option<TransactionError>,
    pub logs: Vec<String>,
    pub expect: Expect,
    /// The transaction's accounts and what they held before (for "a refusal changed nothing").
    pub accounts: Vec<(Address, Option<Account>)>,
    /// Heap of each treasury instruction in the transaction, by instruction name.
    pub heap: Vec<(&'static str, HeapUsage)>,
    /// The amount the step resolved to, when it has one.
    pub amount: Option<u64>,
    /// The user-side token account money left or arrived in.
    pub user_account: Option<Address>,
    pub price: Option<PricePresented>,
    /// Whether the step was a harness input (plain transfer) that landed.
    pub harness_input: Option<(Vault, u64)>,
    /// What was sent.
    pub instructions: Vec<Instruction>,
}

impl Executed {
    fn nothing() -> Executed {
        Executed {
            sent: false,
            outcome: Ok(()),
            tx_error: None,
            logs: Vec::new(),
            expect: Expect::Any,
            accounts: Vec::new(),
            heap: Vec::new(),
            amount: None,
            user_account: None,
            price: None,
            harness_input: None,
            instructions: Vec::new(),
        }
    }
}

fn ix<A: ToAccountMetas, D: InstructionData>(
    program_id: Address,
    accounts: A,
    data: D,
) -> Instruction {
    Instruction {
        program_id,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The treasury instruction's name from its data (for heap figures and coverage).
pub fn treasury_instruction_name(data: &[u8]) -> &'static str {
    use anchor_lang::Discriminator;
    use ashao_treasury::instruction as i;
    let table: [(&[u8], &'static str); 18] = [
        (i::Initialize::DISCRIMINATOR, "initialize"),
        (i::UpdateConfig::DISCRIMINATOR, "update_config"),
        (i::QueueConfigChange::DISCRIMINATOR, "queue_config_change"),
        (i::ApplyConfigChange::DISCRIMINATOR, "apply_config_change"),
        (i::CancelConfigChange::DISCRIMINATOR, "cancel_config_change"),
        (i::ProposeAuthority::DISCRIMINATOR, "propose_authority"),
        (i::AcceptAuthority::DISCRIMINATOR, "accept_authority"),
        (i::SetPaused::DISCRIMINATOR, "set_paused"),
        (i::BeginBuyback::DISCRIMINATOR, "begin_buyback"),
        (i::FinishBuyback::DISCRIMINATOR, "finish_buyback"),
        (i::DepositRevenue::DISCRIMINATOR, "deposit_revenue"),
        (i::SyncRevenue::DISCRIMINATOR, "sync_revenue"),
        (i::SettleUsage::DISCRIMINATOR, "settle_usage"),
        (i::Stake::DISCRIMINATOR, "stake"),
        (i::RequestUnstake::DISCRIMINATOR, "request_unstake"),
        (i::Withdraw::DISCRIMINATOR, "withdraw"),
        (i::Claim::DISCRIMINATOR, "claim"),
        (i::ClosePosition::DISCRIMINATOR, "close_position"),
    ];
    table
        .iter()
        .find(|(d, _)| data.starts_with(d))
        .map_or("unknown", |(_, n)| n)
}

impl World {
    fn other_token_program(&self) -> Address {
        if self.ashao_program == spl_token::ID {
            spl_token_2022::ID
        } else {
            spl_token::ID
        }
    }

    fn config_for(&mut self, sub: Sub) -> Address {
        match sub {
            Sub::ForeignConfig => {
                self.refresh_config_copies();
                self.foreign_config
            }
            Sub::ForgedConfig => {
                self.refresh_config_copies();
                self.forged_config
            }
            _ => self.config,
        }
    }

    fn vault(&self, vault: Vault) -> Address {
        match vault {
            Vault::Buyback => self.buyback_vault,
            Vault::Rewards => self.rewards_vault,
            Vault::Stake => self.stake_vault,
        }
    }

    /// The position's rewards if it were settled now (the stream accrued to the clock).
    pub fn claimable_now(&self, config: &TreasuryConfig, actor: Actor) -> u64 {
        let Some(position) = self.position(actor) else {
            return 0;
        };
        let stream = RewardStream {
            total_staked: config.total_staked,
            acc_reward_per_share: config.acc_reward_per_share,
            reward_carry: config.reward_carry,
            stream_remaining: config.stream_remaining,
            stream_end_ts: config.stream_end_ts,
            last_update_ts: config.last_update_ts,
            total_rewards_released: config.total_rewards_released,
        };
        let acc = stream
            .accrue(self.now)
            .map(|(s, _)| s.acc_reward_per_share)
            .unwrap_or(config.acc_reward_per_share);
        let pending = (BigInt::from(position.staked)
            * (BigInt::from(acc) - BigInt::from(position.reward_checkpoint)))
            / BigInt::from(ashao_treasury::constants::REWARD_PRECISION);
        position
            .owed_rewards
            .saturating_add(pending.to_u64().unwrap_or(u64::MAX))
    }

    /// A symbolic change, with keys.
    pub fn config_change(&self, change: &Change) -> ConfigChange {
        ConfigChange {
            stream_period_secs: change.stream_period_secs,
            unstake_cooldown_secs: change.unstake_cooldown_secs,
            boost_tiers: change.boost_tiers.as_ref().map(|tiers| {
                tiers
                    .iter()
                    .map(|(min_stake, boost_bps)| BoostTier {
                        min_stake: *min_stake,
                        boost_bps: *boost_bps,
                    })
                    .collect()
            }),
            max_buyback_usdc: change.max_buyback_usdc,
            min_buyback_interval_secs: change.min_buyback_interval_secs,
            max_slippage_bps: change.max_slippage_bps,
            swap_program: change.swap_program.map(|t| match t {
                SwapTarget::TestAmm => test_amm::ID,
                SwapTarget::Default => Address::default(),
                SwapTarget::TokenProgram => spl_token::ID,
                SwapTarget::Treasury => ashao_treasury::ID,
            }),
            cranks: change
                .cranks
                .as_ref()
                .map(|cranks| cranks.iter().map(|a| self.pubkey(*a)).collect()),
            price_guard: change.price_guard.map(|g| match g {
                Guard::None => PriceGuard::None,
                Guard::Pyth {
                    feed,
                    max_age_secs,
                    max_confidence_bps,
                } => PriceGuard::PythPull {
                    feed_id: match feed {
                        Feed::Ashao => FEED_ID,
                        Feed::Other => OTHER_FEED_ID,
                        Feed::Zero => [0; 32],
                    },
                    max_age_secs,
                    max_confidence_bps,
                },
            }),
            timelock_secs: change.timelock_secs,
            billing_authorities: None,
        }
    }

    /// Runs one step.
    pub fn execute(&mut self, op: &Op) -> Executed {
        let config = self.treasury();
        let authority = config.as_ref().map(|c| c.authority);
        let paused = config.as_ref().is_some_and(|c| c.paused);
        let is_authority = |w: &World, who: Actor| Some(w.pubkey(who)) == authority;
        let mut callee_errors = CalleeErrors::default();
        let mut amount = None;
        let mut user_account = None;
        let mut price = None;
        let mut harness_input = None;
        let refused = |name: &str| Expect::Refused(Some(name.to_string()));
        let mut update_sent: Option<ConfigChange> = None;

        let (instructions, expect): (Vec<Instruction>, Expect) = match op {
            Op::Warp(seconds) => {
                self.warp(*seconds);
                return Executed::nothing();
            }

            Op::Stake {
                who,
                amount: a,
                sub,
            } => {
                let source = self.ashao_account(*who);
                let value = a.resolve(self.balance(&source));
                amount = Some(value);
                user_account = Some(source);
                let mut accounts = ashao_treasury::accounts::Stake {
                    owner: self.pubkey(*who),
                    config: self.config_for(*sub),
                    position: self.position_address(*who),
                    ashao_mint: self.ashao_mint,
                    owner_ashao: source,
                    stake_vault: self.stake_vault,
                    token_program: self.ashao_program,
                    system_program: SYSTEM_PROGRAM,
                };
                match *sub {
                    Sub::PositionOf(other) => accounts.position = self.position_address(other),
                    Sub::TokenAccountOf(other) => accounts.owner_ashao = self.ashao_account(other),
                    Sub::TreasuryVault(v) => accounts.owner_ashao = self.vault(v),
                    Sub::AttackerVault => {
                        accounts.stake_vault = self.ashao_account(Actor::Attacker)
                    }
                    Sub::WrongMint => {
                        accounts.ashao_mint = self.other_mint;
                        accounts.owner_ashao = self.other_mint_account();
                    }
                    Sub::WrongTokenProgram => accounts.token_program = self.other_token_program(),
                    Sub::NotATokenProgram => accounts.token_program = SYSTEM_PROGRAM,
                    _ => {}
                }
                let expect = if *sub != Sub::None {
                    Expect::Refused(None)
                } else if paused {
                    refused("Paused")
                } else if value == 0 {
                    refused("ZeroAmount")
                } else if value > self.balance(&source) {
                    refused("InsufficientBalance")
                } else {
                    Expect::Ok("a stake within the balance while not paused")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        accounts,
                        ashao_treasury::instruction::Stake { amount: value },
                    )],
                    expect,
                )
            }

            Op::RequestUnstake {
                who,
                amount: a,
                sub,
            } => {
                let position = self.position(*who);
                let staked = position.as_ref().map_or(0, |p| p.staked);
                let value = a.resolve(staked);
                amount = Some(value);
                let mut accounts = ashao_treasury::accounts::RequestUnstake {
                    owner: self.pubkey(*who),
                    config: self.config_for(*sub),
                    position: self.position_address(*who),
                };
                if let Sub::PositionOf(other) = *sub {
                    accounts.position = self.position_address(other);
                }
                // A request maturing with the newest ticket joins it; else it needs a free slot.
                let matures = config
                    .as_ref()
                    .map_or(0, |c| self.now + i64::from(c.unstake_cooldown_secs));
                let tickets_full = position.as_ref().is_some_and(|p| {
                    let tickets = p.active_tickets();
                    tickets.len() == usize::from(MAX_UNSTAKE_TICKETS)
                        && tickets.last().is_some_and(|t| t.available_at != matures)
                });
                let expect = if *sub != Sub::None {
                    Expect::Refused(None)
                } else if position.is_none() {
                    refused("AccountNotInitialized")
                } else if value == 0 {
                    refused("ZeroAmount")
                } else if value > staked {
                    refused("InsufficientStake")
                } else if tickets_full {
                    refused("UnstakeTicketsFull")
                } else {
                    Expect::Ok("an unstake request within the stake (paused or not)")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        accounts,
                        ashao_treasury::instruction::RequestUnstake { amount: value },
                    )],
                    expect,
                )
            }

            Op::Withdraw { who, sub } => {
                let position = self.position(*who);
                let destination = match *sub {
                    Sub::TokenAccountOf(other) => self.ashao_account(other),
                    Sub::TreasuryVault(v) => self.vault(v),
                    Sub::WrongMint => self.other_mint_account(),
                    _ => self.ashao_account(*who),
                };
                user_account = Some(destination);
                let matured: u64 = position.as_ref().map_or(0, |p| {
                    p.active_tickets()
                        .iter()
                        .filter(|t| t.available_at <= self.now)
                        .map(|t| t.amount)
                        .sum()
                });
                amount = Some(matured);
                let mut accounts = ashao_treasury::accounts::Withdraw {
                    owner: self.pubkey(*who),
                    config: self.config_for(*sub),
                    position: self.position_address(*who),
                    ashao_mint: self.ashao_mint,
                    destination,
                    stake_vault: self.stake_vault,
                    token_program: self.ashao_program,
                };
                match *sub {
                    Sub::PositionOf(other) => accounts.position = self.position_address(other),
                    Sub::AttackerVault => {
                        accounts.stake_vault = self.ashao_account(Actor::Attacker)
                    }
                    Sub::WrongMint => accounts.ashao_mint = self.other_mint,
                    Sub::WrongTokenProgram => accounts.token_program = self.other_token_program(),
                    _ => {}
                }
                // Any $ASHAO account may receive: another's is still the owner's choice.
                let valid_sub = matches!(sub, Sub::None | Sub::TokenAccountOf(_));
                let expect = if !valid_sub {
                    Expect::Refused(None)
                } else {
                    match &position {
                        None => refused("AccountNotInitialized"),
                        Some(p) if p.unstaking == 0 => refused("NothingToWithdraw"),
                        Some(_) if matured == 0 => refused("CooldownNotElapsed"),
                        Some(_) => Expect::Ok("a withdrawal of matured requests (paused or not)"),
                    }
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        accounts,
                        ashao_treasury::instruction::Withdraw {},
                    )],
                    expect,
                )
            }

            Op::Claim { who, sub } => {
                let position = self.position(*who);
                let destination = match *sub {
                    Sub::TokenAccountOf(other) => self.usdc_account(other),
                    Sub::TreasuryVault(v) => self.vault(v),
                    Sub::WrongMint => self.other_mint_account(),
                    _ => self.usdc_account(*who),
                };
                user_account = Some(destination);
                let claimable = config.as_ref().map_or(0, |c| self.claimable_now(c, *who));
                amount = Some(claimable);
                let mut accounts = ashao_treasury::accounts::Claim {
                    owner: self.pubkey(*who),
                    config: self.config_for(*sub),
                    position: self.position_address(*who),
                    usdc_mint: self.usdc_mint,
                    destination,
                    rewards_vault: self.rewards_vault,
                    token_program: spl_token::ID,
                };
                match *sub {
                    Sub::PositionOf(other) => accounts.position = self.position_address(other),
                    Sub::SwapVaults => accounts.rewards_vault = self.buyback_vault,
                    Sub::AttackerVault => {
                        accounts.rewards_vault = self.usdc_account(Actor::Attacker)
                    }
                    Sub::WrongMint => accounts.usdc_mint = self.other_mint,
                    Sub::WrongTokenProgram => accounts.token_program = spl_token_2022::ID,
                    _ => {}
                }
                let valid_sub = matches!(sub, Sub::None | Sub::TokenAccountOf(_));
                let expect = if !valid_sub {
                    Expect::Refused(None)
                } else if position.is_none() {
                    refused("AccountNotInitialized")
                } else if claimable == 0 {
                    refused("NothingToClaim")
                } else {
                    Expect::Ok("a claim of owed rewards (paused or not)")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        accounts,
                        ashao_treasury::instruction::Claim {},
                    )],
                    expect,
                )
            }

            Op::ClosePosition { who, sub } => {
                let position = self.position(*who);
                let mut accounts = ashao_treasury::accounts::ClosePosition {
                    owner: self.pubkey(*who),
                    config: self.config_for(*sub),
                    position: self.position_address(*who),
                };
                if let Sub::PositionOf(other) = *sub {
                    accounts.position = self.position_address(other);
                }
                let expect = if *sub != Sub::None {
                    Expect::Refused(None)
                } else {
                    match &position {
                        None => refused("AccountNotInitialized"),
                        Some(p) if !p.is_empty() => refused("PositionNotEmpty"),
                        Some(_) => Expect::Ok("closing an empty position (paused or not)"),
                    }
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        accounts,
                        ashao_treasury::instruction::ClosePosition {},
                    )],
                    expect,
                )
            }

            Op::DepositRevenue {
                who,
                amount: a,
                sub,
            } => {
                let source = match *sub {
                    Sub::TokenAccountOf(other) => self.usdc_account(other),
                    Sub::TreasuryVault(v) => self.vault(v),
                    Sub::WrongMint => self.other_mint_account(),
                    _ => self.usdc_account(*who),
                };
                let balance = self.balance(&self.usdc_account(*who));
                let value = a.resolve(balance);
                amount = Some(value);
                user_account = Some(source);
                let mut accounts = ashao_treasury::accounts::DepositRevenue {
                    payer: self.pubkey(*who),
                    config: self.config_for(*sub),
                    usdc_mint: self.usdc_mint,
                    source,
                    buyback_vault: self.buyback_vault,
                    rewards_vault: self.rewards_vault,
                    token_program: spl_token::ID,
                };
                match *sub {
                    Sub::SwapVaults => {
                        accounts.buyback_vault = self.rewards_vault;
                        accounts.rewards_vault = self.buyback_vault;
                    }
                    Sub::AttackerVault => {
                        accounts.buyback_vault = self.usdc_account(Actor::Attacker)
                    }
                    Sub::WrongMint => accounts.usdc_mint = self.other_mint,
                    Sub::WrongTokenProgram => accounts.token_program = spl_token_2022::ID,
                    _ => {}
                }
                let expect = if *sub != Sub::None {
                    Expect::Refused(None)
                } else if paused {
                    refused("Paused")
                } else if value == 0 {
                    refused("ZeroAmount")
                } else if value > balance {
                    refused("InsufficientBalance")
                } else {
                    Expect::Ok("a deposit within the payer's balance while not paused")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        accounts,
                        ashao_treasury::instruction::DepositRevenue { amount: value },
                    )],
                    expect,
                )
            }

            Op::SettleUsage {
                who,
                batch,
                workers,
                extra,
                defect,
            } => {
                let source = self.usdc_account(*who);
                // A defect of the first worker needs one.
                let defect = match (defect, workers.is_empty()) {
                    (SettleDefect::BasesOverGross, _) | (_, false) => defect,
                    _ => &SettleDefect::None,
                };
                let mut lines: Vec<SettleLine> = workers
                    .iter()
                    .map(|(worker, base)| self.settle_line(*worker, *base))
                    .collect();
                let bases = lines.iter().fold(0u64, |sum, l| sum.saturating_add(l.base));
                let gross = match defect {
                    SettleDefect::BasesOverGross => bases.saturating_sub(1),
                    _ => bases.saturating_add(*extra),
                };
                let first = workers.first().map(|(worker, _)| *worker);
                match (defect, lines.first_mut()) {
                    (SettleDefect::WrongMint, Some(line)) => line.usdc = self.other_mint_account(),
                    (SettleDefect::TreasuryVault, Some(line)) => line.usdc = self.buyback_vault,
                    (SettleDefect::PositionOf(other), Some(line)) => {
                        line.position = self.position_address(*other)
                    }
                    (SettleDefect::Duplicate, Some(line)) => {
                        let again = *line;
                        lines.push(again);
                    }
                    _ => {}
                }
                let ledger = self.ledger(*who);
                let last = ledger
                    .as_ref()
                    .filter(|l| l.batch_count > 0)
                    .map(|l| l.last_batch_id);
                let start = ledger.as_ref().map_or(0, |l| l.window_start);
                let batch_id = match batch {
                    BatchCase::Next => last.map_or(0, |id| id.saturating_add(1)),
                    BatchCase::Ahead(n) => last.unwrap_or(0).saturating_add(*n),
                    BatchCase::Replay => last.unwrap_or(0),
                    BatchCase::TooOld => start.saturating_sub(1),
                    BatchCase::TooFarAhead => start.saturating_add(2 * USAGE_BATCH_WINDOW),
                };
                let status = ledger
                    .as_ref()
                    .map_or(BatchIdStatus::Open, |l| l.status(batch_id));
                amount = Some(gross);
                user_account = Some(source);
                let billing = config
                    .as_ref()
                    .is_some_and(|c| c.is_billing_authority(&self.pubkey(*who)));
                let expect = if paused {
                    refused("Paused")
                } else if !billing {
                    refused("BillingNotAllowed")
                } else if gross == 0 {
                    refused("ZeroAmount")
                } else if lines.len() > usize::from(MAX_SETTLEMENT_WORKERS) {
                    refused("TooManyWorkers")
                } else if status == BatchIdStatus::Settled {
                    refused("BatchAlreadySettled")
                } else if status == BatchIdStatus::TooOld {
                    refused("BatchIdTooOld")
                } else if status == BatchIdStatus::TooFarAhead {
                    refused("BatchIdTooFarAhead")
                } else if gross > self.balance(&source) {
                    refused("InsufficientBalance")
                } else {
                    match defect {
                        SettleDefect::WrongMint => refused("WorkerAccountWrongMint"),
                        SettleDefect::TreasuryVault => refused("InvalidWorkerAccount"),
                        SettleDefect::PositionOf(other) if Some(*other) != first => {
                            refused("WorkerPositionMismatch")
                        }
                        SettleDefect::Duplicate => refused("DuplicateWorker"),
                        SettleDefect::BasesOverGross => refused("BasesExceedGross"),
                        _ => Expect::Ok("a billing authority's batch within its balance, each worker once, under a new id"),
                    }
                };
                (
                    vec![self.settle_usage_ix(*who, source, batch_id, gross, &lines)],
                    expect,
                )
            }

            Op::PlainTransfer { who, to, amount: a } => {
                let (source, mint, program, decimals) = match to {
                    Vault::Stake => (
                        self.ashao_account(*who),
                        self.ashao_mint,
                        self.ashao_program,
                        self.setup.ashao_decimals,
                    ),
                    _ => (
                        self.usdc_account(*who),
                        self.usdc_mint,
                        spl_token::ID,
                        USDC_DECIMALS,
                    ),
                };
                let value = a.resolve(self.balance(&source)).min(self.balance(&source));
                let destination = self.vault(*to);
                let transfer = if program == spl_token::ID {
                    spl_token::instruction::transfer_checked(
                        &program,
                        &source,
                        &mint,
                        &destination,
                        &self.pubkey(*who),
                        &[],
                        value,
                        decimals,
                    )
                } else {
                    spl_token_2022::instruction::transfer_checked(
                        &program,
                        &source,
                        &mint,
                        &destination,
                        &self.pubkey(*who),
                        &[],
                        value,
                        decimals,
                    )
                }
                .unwrap_or_else(|e| panic!("{e}"));
                let mut done = self.attempt(
                    vec![transfer],
                    Expect::Ok("a plain transfer"),
                    callee_errors,
                );
                if done.outcome.is_ok() {
                    harness_input = Some((*to, value));
                    match to {
                        Vault::Stake => self.donated_ashao += value,
                        _ => self.unsynced_usdc += value,
                    }
                }
                done.harness_input = harness_input;
                return done;
            }

            Op::SyncRevenue { who, sub } => {
                let excess = config.as_ref().map_or(0, |c| {
                    let buyback = self
                        .balance(&self.buyback_vault)
                        .saturating_sub(c.buyback_bucket);
                    let rewards = self
                        .balance(&self.rewards_vault)
                        .saturating_sub(c.rewards_vault_expected().unwrap_or(u64::MAX));
                    buyback.saturating_add(rewards)
                });
                amount = Some(excess);
                let mut accounts = ashao_treasury::accounts::SyncRevenue {
                    payer: self.pubkey(*who),
                    config: self.config_for(*sub),
                    usdc_mint: self.usdc_mint,
                    buyback_vault: self.buyback_vault,
                    rewards_vault: self.rewards_vault,
                    token_program: spl_token::ID,
                };
                match *sub {
                    Sub::SwapVaults => {
                        accounts.buyback_vault = self.rewards_vault;
                        accounts.rewards_vault = self.buyback_vault;
                    }
                    Sub::AttackerVault => {
                        accounts.rewards_vault = self.usdc_account(Actor::Attacker)
                    }
                    Sub::WrongMint => accounts.usdc_mint = self.other_mint,
                    Sub::WrongTokenProgram => accounts.token_program = spl_token_2022::ID,
                    _ => {}
                }
                let expect = if *sub != Sub::None {
                    Expect::Refused(None)
                } else if paused {
                    refused("Paused")
                } else if excess == 0 {
                    refused("NothingToSync")
                } else {
                    Expect::Ok("a sync of plain transfers while not paused")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        accounts,
                        ashao_treasury::instruction::SyncRevenue {},
                    )],
                    expect,
                )
            }

            Op::UpdateConfig { who, change } => {
                let change = self.config_change(change);
                update_sent = Some(change.clone());
                let expect = match &config {
                    _ if !is_authority(self, *who) => refused("Unauthorized"),
                    Some(c) => {
                        let current = c.params();
                        let next = change.applied_to(&current);
                        if next.validate().is_err() {
                            Expect::Refused(None)
                        } else if params_changed_safely(&current, &next).is_ok() {
                            Expect::Ok("a change that only reduces risk applies at once")
                        } else {
                            refused("ChangeNeedsTimelock")
                        }
                    }
                    None => Expect::Any,
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        ashao_treasury::accounts::UpdateConfig {
                            authority: self.pubkey(*who),
                            config: self.config,
                        },
                        ashao_treasury::instruction::UpdateConfig { change },
                    )],
                    expect,
                )
            }

            Op::QueueConfigChange { who, change } => {
                let change = self.config_change(change);
                let expect = match &config {
                    _ if !is_authority(self, *who) => refused("Unauthorized"),
                    Some(c)
                        if c.queued_change_eta != 0
                            && self.now <= c.queued_change_eta + i64::from(TIMELOCK_GRACE_SECS) =>
                    {
                        refused("ConfigChangeAlreadyQueued")
                    }
                    Some(c) => {
                        let current = c.params();
                        let next = change.applied_to(&current);
                        if next.validate().is_err() {
                            Expect::Refused(None)
                        } else if next == current {
                            refused("NoConfigChange")
                        } else {
                            Expect::Ok("the authority queues a change within the bounds")
                        }
                    }
                    None => Expect::Any,
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        ashao_treasury::accounts::QueueConfigChange {
                            authority: self.pubkey(*who),
                            config: self.config,
                        },
                        ashao_treasury::instruction::QueueConfigChange { change },
                    )],
                    expect,
                )
            }

            Op::ApplyConfigChange { who } => {
                let expect = match &config {
                    Some(c) if c.queued_change_eta == 0 => refused("NoQueuedConfigChange"),
                    Some(c) if self.now < c.queued_change_eta => refused("TimelockNotElapsed"),
                    Some(c) if self.now > c.queued_change_eta + i64::from(TIMELOCK_GRACE_SECS) => {
                        refused("ConfigChangeExpired")
                    }
                    // Applied on top of the parameters as they are now, so it may no longer fit.
                    Some(c) if c.queued_change.applied_to(&c.params()).validate().is_err() => {
                        Expect::Refused(None)
                    }
                    Some(_) => Expect::Ok("anyone applies a queued change inside its window"),
                    None => Expect::Any,
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        ashao_treasury::accounts::ApplyConfigChange {
                            caller: self.pubkey(*who),
                            config: self.config,
                        },
                        ashao_treasury::instruction::ApplyConfigChange {},
                    )],
                    expect,
                )
            }

            Op::CancelConfigChange { who } => {
                let expect = if !is_authority(self, *who) {
                    refused("Unauthorized")
                } else if config.as_ref().is_some_and(|c| c.queued_change_eta == 0) {
                    refused("NoQueuedConfigChange")
                } else {
                    Expect::Ok("the authority cancels its queued change")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        ashao_treasury::accounts::CancelConfigChange {
                            authority: self.pubkey(*who),
                            config: self.config,
                        },
                        ashao_treasury::instruction::CancelConfigChange {},
                    )],
                    expect,
                )
            }

            Op::ProposeAuthority { who, to } => {
                let new_authority = to.map_or(Address::default(), |a| self.pubkey(a));
                let expect = if !is_authority(self, *who) {
                    refused("Unauthorized")
                } else if Some(new_authority) == authority {
                    refused("InvalidNewAuthority")
                } else {
                    Expect::Ok("the authority proposes a successor")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        ashao_treasury::accounts::ProposeAuthority {
                            authority: self.pubkey(*who),
                            config: self.config,
                        },
                        ashao_treasury::instruction::ProposeAuthority { new_authority },
                    )],
                    expect,
                )
            }

            Op::AcceptAuthority { who } => {
                let expect = match &config {
                    Some(c) if c.pending_authority == Address::default() => {
                        refused("NoPendingAuthority")
                    }
                    Some(c) if c.pending_authority != self.pubkey(*who) => {
                        refused("NotPendingAuthority")
                    }
                    Some(c) if self.now < c.pending_authority_eta => refused("TimelockNotElapsed"),
                    Some(c)
                        if self.now > c.pending_authority_eta + i64::from(TIMELOCK_GRACE_SECS) =>
                    {
                        refused("AuthorityProposalExpired")
                    }
                    _ => Expect::Ok("the pending authority accepts inside its window"),
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        ashao_treasury::accounts::AcceptAuthority {
                            new_authority: self.pubkey(*who),
                            config: self.config,
                        },
                        ashao_treasury::instruction::AcceptAuthority {},
                    )],
                    expect,
                )
            }

            Op::SetPaused { who, paused } => {
                let expect = if is_authority(self, *who) {
                    Expect::Ok("the authority pauses or resumes")
                } else {
                    refused("Unauthorized")
                };
                (
                    vec![ix(
                        ashao_treasury::ID,
                        ashao_treasury::accounts::SetPaused {
                            authority: self.pubkey(*who),
                            config: self.config,
                        },
                        ashao_treasury::instruction::SetPaused { paused: *paused },
                    )],
                    expect,
                )
            }

            Op::Buyback {
                who,
                amount: a,
                min_out,
                oracle,
                shape,
                sub,
            } => {
                let Some(c) = config.clone() else {
                    return Executed::nothing();
                };
                let (built, expect, presented, value) =
                    self.buyback(&c, *who, *a, *min_out, oracle, *shape, *sub);
                amount = Some(value);
                price = presented;
                (built, expect)
            }

            Op::MarketSwap { usdc_in, amount: a } => {
                let (source, destination) = if *usdc_in {
                    (self.usdc_account(Actor::Lp), self.ashao_account(Actor::Lp))
                } else {
                    (self.ashao_account(Actor::Lp), self.usdc_account(Actor::Lp))
                };
                let value = a.resolve(self.balance(&source));
                let swap = self.swap_ix(Actor::Lp, *usdc_in, source, destination, value);
                return self.attempt(vec![swap], Expect::Any, callee_errors);
            }

            Op::Initialize { who } => {
                callee_errors.system_account_in_use = true;
                let params = self.initial_params();
                let initialize =
                    self.initialize_ix(self.pubkey(*who), self.usdc_mint, self.ashao_mint, params);
                (vec![initialize], Expect::Refused(None))
            }
        };

        let mut done = self.attempt(instructions, expect, callee_errors);
        if matches!(op, Op::SyncRevenue { .. }) && done.outcome.is_ok() {
            // The plain transfers so far are revenue now.
            self.unsynced_usdc = 0;
        }
        if done.outcome.is_ok() {
            self.record_admin(op, config.as_ref(), update_sent.as_ref());
        }
        done.amount = amount;
        done.user_account = user_account;
        if done.outcome.is_ok() {
            done.price = price;
        }
        done
    }

    /// Keeps the harness's own record of what the authority moved since the last queued change:
    /// a queue starts it afresh, an update adds each field it set to another value.
    fn record_admin(
        &mut self,
        op: &Op,
        before: Option<&TreasuryConfig>,
        update: Option<&ConfigChange>,
    ) {
        match op {
            Op::QueueConfigChange { .. } => self.moved_since_queue.clear(),
            Op::UpdateConfig { .. } => {
                let (Some(before), Some(update)) = (before, update) else {
                    return;
                };
                let current = param_values(&before.params());
                for (name, value) in change_values(update) {
                    if current.iter().any(|(n, v)| *n == name && *v != value) {
                        self.moved_since_queue.retain(|(n, _)| *n != name);
                        self.moved_since_queue.push((name, value));
                    }
                }
            }
            _ => {}
        }
    }

    /// Sends a transaction and names its outcome.
    pub fn attempt(
        &mut self,
        instructions: Vec<Instruction>,
        expect: Expect,
        callee_errors: CalleeErrors,
    ) -> Executed {
        let mut keys: Vec<Address> = Vec::new();
        for i in &instructions {
            for meta in &i.accounts {
                if !keys.contains(&meta.pubkey) {
                    keys.push(meta.pubkey);
                }
            }
        }
        let accounts = keys.iter().map(|k| (*k, self.account(k))).collect();
        heap::take_records();
        let result = self.send(&instructions);
        let records = heap::take_records();
        let names: Vec<&'static str> = instructions
            .iter()
            .filter(|i| i.program_id == ashao_treasury::ID)
            .map(|i| treasury_instruction_name(&i.data))
            .collect();
        let heap = names.iter().copied().zip(records).collect();
        let (outcome, tx_error, logs) = match result {
            Ok(logs) => (Ok(()), None, logs),
            Err(failure) => {
                let refusal = match &failure.error {
                    TransactionError::InstructionError(index, error) => {
                        let program = instructions
                            .get(usize::from(*index))
                            .map(|i| i.program_id)
                            .unwrap_or_default();
                        let callee = if program == ashao_treasury::ID {
                            Callee::Treasury
                        } else if program == test_amm::ID {
                            Callee::Amm
                        } else {
                            Callee::Other
                        };
                        classify(callee, error, callee_errors)
                    }
                    other => Refusal::Unnamed(format!("{other:?}")),
                };
                let panicked = failure.logs.iter().any(|l| l.contains("panicked at"));
                let refusal = if panicked {
                    Refusal::Unnamed(format!("panic ({})", refusal.name()))
                } else {
                    refusal
                };
                (Err(refusal), Some(failure.error), failure.logs)
            }
        };
        Executed {
            sent: true,
            outcome,
            tx_error,
            logs,
            expect,
            accounts,
            heap,
            amount: None,
            user_account: None,
            price: None,
            harness_input: None,
            instructions,
        }
    }

    fn swap_ix(
        &self,
        user: Actor,
        usdc_in: bool,
        source: Address,
        destination: Address,
        amount_in: u64,
    ) -> Instruction {
        let (
            input_mint,
            output_mint,
            source_vault,
            destination_vault,
            input_program,
            output_program,
        ) = if usdc_in {
            (
                self.usdc_mint,
                self.ashao_mint,
                self.pool_usdc_vault,
                self.pool_ashao_vault,
                spl_token::ID,
                self.ashao_program,
            )
        } else {
            (
                self.ashao_mint,
                self.usdc_mint,
                self.pool_ashao_vault,
                self.pool_usdc_vault,
                self.ashao_program,
                spl_token::ID,
            )
        };
        ix(
            test_amm::ID,
            test_amm::accounts::Swap {
                user: self.pubkey(user),
                pool: self.pool,
                input_mint,
                output_mint,
                user_source: source,
                user_destination: destination,
                pool_source_vault: source_vault,
                pool_destination_vault: destination_vault,
                input_token_program: input_program,
                output_token_program: output_program,
            },
            test_amm::instruction::Swap {
                amount_in,
                minimum_amount_out: 0,
            },
        )
    }

    /// The pool's quote for `usdc_in` USDC (0 when it cannot swap).
    pub fn quote_usdc_in(&self, usdc_in: u64) -> u64 {
        self.quote_usdc_in_checked(usdc_in).unwrap_or(0)
    }

    /// The pool's quote for `usdc_in` USDC, or the test AMM's refusal of the swap.
    pub fn quote_usdc_in_checked(&self, usdc_in: u64) -> Result<u64, test_amm::errors::AmmError> {
        let Some(pool) = self.account(&self.pool).and_then(|a| {
            <test_amm::state::Pool as anchor_lang::AccountDeserialize>::try_deserialize(
                &mut a.data.as_slice(),
            )
            .ok()
        }) else {
            return Err(test_amm::errors::AmmError::EmptyPool);
        };
        test_amm::math::quote_exact_in(
            self.balance(&self.pool_usdc_vault),
            self.balance(&self.pool_ashao_vault),
            usdc_in,
            pool.fee_bps,
        )
        .map(|q| q.amount_out)
    }

    #[allow(clippy::too_many_arguments)]
    fn buyback(
        &mut self,
        c: &TreasuryConfig,
        who: Actor,
        a: Amount,
        min_out: MinOut,
        oracle: &Oracle,
        shape: Shape,
        sub: Sub,
    ) -> (Vec<Instruction>, Expect, Option<PricePresented>, u64) {
        let capacity = c.buyback_bucket.min(c.max_buyback_usdc);
        let value = a.resolve(capacity);
        let crank = self.pubkey(who);
        let crank_usdc = match sub {
            Sub::TokenAccountOf(other) => self.usdc_account(other),
            _ => self.usdc_account(who),
        };
        let crank_ashao = match sub {
            Sub::WrongMint => self.other_mint_account(),
            _ => self.ashao_account(who),
        };
        let swap_in = match shape {
            Shape::PartialSwap(m) => Amount::PerMille(m).resolve(value),
            Shape::Overspend => value.saturating_add(1),
            _ => value,
        };
        let received = self.quote_usdc_in(swap_in);
        let min_ashao_out = match min_out {
            MinOut::Quote => received,
            MinOut::AboveQuote => received.saturating_add(1),
            MinOut::One => 1,
            MinOut::Zero => 0,
        };

        // The price update.
        let (feed_id, max_age, max_conf) = match c.price_guard {
            PriceGuard::PythPull {
                feed_id,
                max_age_secs,
                max_confidence_bps,
            } => (feed_id, max_age_secs, max_confidence_bps),
            PriceGuard::None => (FEED_ID, 60, 100),
        };
        let boundary = oracle_boundary(
            swap_in,
            received,
            oracle.exponent,
            self.setup.ashao_decimals,
            c.max_slippage_bps,
        );
        // The low end of the confidence interval, which the guard prices the floor at.
        let low: i64 = match oracle.price {
            PriceCase::Above(bps) => boundary.map_or(i64::MAX, |b| {
                (i128::from(b) * (10_000 + i128::from(bps)) / 10_000).min(i128::from(i64::MAX))
                    as i64
            }),
            PriceCase::AtBoundary => boundary.unwrap_or(i64::MAX),
            PriceCase::JustBelow => boundary.map_or(i64::MAX, |b| b - 1),
            PriceCase::Below(bps) => boundary.map_or(i64::MAX, |b| {
                (i128::from(b) * (10_000 - i128::from(bps.min(9_999))) / 10_000) as i64
            }),
            PriceCase::Zero => 0,
            PriceCase::Negative => -1,
        };
        let (price, conf) = match oracle.conf {
            ConfCase::Zero => (low, 0),
            // The widest interval the guard accepts whose low end is `low`: the largest price
            // with (price − low) × 10_000 <= price × max_conf.
            ConfCase::AtLimit => {
                let widest = i128::from(low.max(0)) * 10_000 / (10_000 - i128::from(max_conf));
                i64::try_from(widest)
                    .ok()
                    .filter(|_| low > 0)
                    .map_or((low, 0), |p| (p, (p - low) as u64))
            }
            ConfCase::OverLimit => (
                low,
                (i128::from(low.max(0)) * i128::from(max_conf) / 10_000) as u64 + 1,
            ),
        };
        let publish_time = match oracle.age {
            AgeCase::Fresh => self.now,
            AgeCase::AtLimit => self.now - i64::from(max_age),
            AgeCase::Stale(extra) => self.now - i64::from(max_age) - i64::from(extra),
            AgeCase::Future(ahead) => self.now + i64::from(ahead),
        };
        let published_ahead =
            matches!(oracle.age, AgeCase::Future(ahead) if ahead > MAX_ORACLE_CLOCK_SKEW_SECS);
        let update = PriceUpdate {
            full: oracle.defect != Defect::Partial,
            // The feed the guard names (the authority may have queued another), or another.
            feed_id: match oracle.defect {
                Defect::WrongFeed if feed_id == FEED_ID => OTHER_FEED_ID,
                Defect::WrongFeed => FEED_ID,
                _ => feed_id,
            },
            price,
            conf,
            exponent: oracle.exponent,
            publish_time,
            posted_slot: self.slot,
            garbage: oracle.defect == Defect::Garbage,
        };
        let owner = if oracle.defect == Defect::WrongOwner {
            self.pubkey(Actor::Attacker)
        } else {
            World::pyth_receiver()
        };
        self.publish_price(&update, owner);

        let config_address = self.config_for(sub);
        let mut begin_accounts = ashao_treasury::accounts::BeginBuyback {
            crank,
            config: config_address,
            buyback_vault: self.buyback_vault,
            usdc_mint: self.usdc_mint,
            ashao_mint: self.ashao_mint,
            crank_usdc,
            crank_ashao,
            token_program: spl_token::ID,
            instructions_sysvar: INSTRUCTIONS_SYSVAR,
        };
        let mut finish_accounts = ashao_treasury::accounts::FinishBuyback {
            crank,
            config: config_address,
            buyback_vault: self.buyback_vault,
            usdc_mint: self.usdc_mint,
            ashao_mint: self.ashao_mint,
            crank_usdc,
            crank_ashao,
            token_program: spl_token::ID,
            ashao_token_program: self.ashao_program,
            instructions_sysvar: INSTRUCTIONS_SYSVAR,
            price_update: self.price_update,
        };
        match sub {
            Sub::SwapVaults => {
                begin_accounts.buyback_vault = self.rewards_vault;
                finish_accounts.buyback_vault = self.rewards_vault;
            }
            Sub::AttackerVault => {
                begin_accounts.buyback_vault = self.usdc_account(Actor::Attacker);
                finish_accounts.buyback_vault = self.usdc_account(Actor::Attacker);
            }
            Sub::WrongMint => {
                begin_accounts.ashao_mint = self.other_mint;
                finish_accounts.ashao_mint = self.other_mint;
            }
            Sub::WrongTokenProgram => {
                begin_accounts.token_program = spl_token_2022::ID;
                finish_accounts.token_program = spl_token_2022::ID;
            }
            _ => {}
        }
        let begin = ix(
            ashao_treasury::ID,
            begin_accounts,
            ashao_treasury::instruction::BeginBuyback {
                usdc_amount: value,
                min_ashao_out,
            },
        );
        let finish = ix(
            ashao_treasury::ID,
            finish_accounts,
            ashao_treasury::instruction::FinishBuyback {},
        );
        let swap_destination = match shape {
            // Another account than the crank's (when the attacker is an allow-listed crank, its
            // own account is the crank's).
            Shape::SwapToAttacker if who == Actor::Attacker => self.ashao_account(Actor::Lp),
            Shape::SwapToAttacker => self.ashao_account(Actor::Attacker),
            _ => crank_ashao,
        };
        let swap = self.swap_ix(who, true, crank_usdc, swap_destination, swap_in);
        let instructions = match shape {
            Shape::Normal | Shape::PartialSwap(_) | Shape::Overspend | Shape::SwapToAttacker => {
                vec![begin, swap, finish]
            }
            Shape::NoFinish => vec![begin, swap],
            Shape::NoSwap => vec![begin, finish],
            Shape::TransferBetween => {
                let leak = spl_token::instruction::transfer(
                    &spl_token::ID,
                    &crank_usdc,
                    &self.usdc_account(Actor::Attacker),
                    &crank,
                    &[],
                    1,
                )
                .unwrap_or_else(|e| panic!("{e}"));
                vec![begin, leak, swap, finish]
            }
            Shape::AllowedBetween => {
                let mut limit = vec![2u8];
                limit.extend_from_slice(&400_000u32.to_le_bytes());
                let budget = Instruction {
                    program_id: solana_sdk_ids::compute_budget::ID,
                    accounts: Vec::<AccountMeta>::new(),
                    data: limit,
                };
                let create = spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                    &crank,
                    &crank,
                    &self.ashao_mint,
                    &self.ashao_program,
                );
                vec![begin, budget, create, swap, finish]
            }
            Shape::FinishOnly => vec![finish],
            Shape::DoubleBegin => vec![begin.clone(), begin, swap, finish],
        };

        // What the rules allow: everything right gives a buyback; anything wrong, a refusal by
        // the name of the first rule it breaks, in the order the transaction meets them.
        let expect = if !matches!(
            shape,
            Shape::Normal | Shape::PartialSwap(_) | Shape::AllowedBetween
        ) || sub != Sub::None
        {
            Expect::Refused(None)
        } else {
            let refusal = buyback_refusal(&BuybackCase {
                config: c,
                crank,
                now: self.now,
                value,
                min_ashao_out,
                swap_quote: self
                    .quote_usdc_in_checked(swap_in)
                    .map_err(|e| format!("test_amm::{e:?}")),
                oracle,
                price,
                published_ahead,
            });
            match refusal {
                Some(name) => Expect::Refused(Some(name)),
                None if boundary.is_some_and(|b| low >= b) => {
                    Expect::Ok("a buyback by the crank at or above the oracle's price")
                }
                None => Expect::Refused(Some("PriceBelowOracle".into())),
            }
        };
        let presented = Some(PricePresented {
            price,
            conf,
            exponent: oracle.exponent,
            slippage_bps: c.max_slippage_bps,
        });
        (instructions, expect, presented, value)
    }
}

/// What a buyback of the right shape, with the right accounts, meets on its way.
struct BuybackCase<'a> {
    config: &'a TreasuryConfig,
    crank: Address,
    now: i64,
    value: u64,
    min_ashao_out: u64,
    /// What the pool gives for the swap, or its refusal by name.
    swap_quote: Result<u64, String>,
    oracle: &'a Oracle,
    /// The price the update carries.
    price: i64,
    published_ahead: bool,
}

/// The first rule a buyback of the right shape breaks, by its error's name (`None`: only the
/// oracle price is left to judge), in the order the transaction meets them: the instructions
/// between the halves (`begin_buyback`'s transaction check), `begin_buyback`'s rules, the swap
/// itself, the price account (owner, layout, feed, verification, age, clock skew, price and
/// exponent, confidence), then what the crank received. Written from the rules
/// (docs/ARCHITECTURE.md, "Buybacks"), not from the program's code.
fn buyback_refusal(b: &BuybackCase) -> Option<String> {
    let c = b.config;
    let (oracle, now) = (b.oracle, b.now);
    let first_buyback = c.buyback_count == 0;
    let rules: [(bool, &str); 16] = [
        // The swap between the halves must go to the configured swap program (none: no swap).
        (
            c.swap_program != test_amm::ID,
            "BuybackInstructionNotAllowed",
        ),
        (c.paused, "Paused"),
        (!c.active_cranks().contains(&b.crank), "CrankNotAllowed"),
        (c.price_guard == PriceGuard::None, "NoPriceGuard"),
        (b.value == 0 || b.min_ashao_out == 0, "ZeroAmount"),
        (b.value > c.max_buyback_usdc, "BuybackTooLarge"),
        (b.value > c.buyback_bucket, "BuybackExceedsBucket"),
        (
            !first_buyback
                && i128::from(now)
                    < i128::from(c.last_buyback_ts) + i128::from(c.min_buyback_interval_secs),
            "BuybackTooSoon",
        ),
        (oracle.defect == Defect::WrongOwner, "OracleWrongOwner"),
        (oracle.defect == Defect::Garbage, "OracleInvalidAccount"),
        (oracle.defect == Defect::WrongFeed, "OracleWrongFeed"),
        (oracle.defect == Defect::Partial, "OracleNotFullyVerified"),
        (matches!(oracle.age, AgeCase::Stale(_)), "OracleStale"),
        (b.published_ahead, "OraclePublishedInFuture"),
        (
            b.price <= 0 || oracle.exponent.abs() > 18,
            "OraclePriceInvalid",
        ),
        (
            oracle.conf == ConfCase::OverLimit,
            "OracleConfidenceTooWide",
        ),
    ];
    // The swap runs between `begin_buyback`'s rules and the price account's.
    let (before_swap, after_swap) = rules.split_at(8);
    if let Some((_, name)) = before_swap.iter().find(|(broken, _)| *broken) {
        return Some((*name).to_string());
    }
    let received = match &b.swap_quote {
        Ok(received) => *received,
        Err(amm) => return Some(amm.clone()),
    };
    if let Some((_, name)) = after_swap.iter().find(|(broken, _)| *broken) {
        return Some((*name).to_string());
    }
    (received < b.min_ashao_out).then(|| "MinAshaoOutNotMet".to_string())
}

/// The least $ASHAO (base units) the guard requires for `spent` USDC at `price × 10^exponent`
/// dollars per $ASHAO less `slippage_bps`, computed exactly (independently of the program's
/// integer math): `ceil(spent × (10_000 − s) × 10^ashao_dec / (10_000 × price × 10^(exponent +
/// usdc_dec)))`.
pub fn oracle_min_out(
    spent: u64,
    price: i64,
    exponent: i32,
    ashao_decimals: u8,
    slippage_bps: u16,
) -> Option<BigInt> {
    if price <= 0 {
        return None;
    }
    let ten = BigInt::from(10);
    let k = exponent + i32::from(USDC_DECIMALS);
    let mut numerator = BigInt::from(spent)
        * BigInt::from(10_000 - i64::from(slippage_bps))
        * num_traits::pow(ten.clone(), usize::from(ashao_decimals));
    let mut denominator = BigInt::from(10_000) * BigInt::from(price);
    if k >= 0 {
        denominator *= num_traits::pow(ten, k.unsigned_abs() as usize);
    } else {
        numerator *= num_traits::pow(ten, k.unsigned_abs() as usize);
    }
    let ratio = BigRational::new(numerator, denominator);
    Some(ratio.ceil().to_integer())
}

/// The least positive price (in `10^exponent` dollars) at which receiving `received` for
/// `spent` meets the guard, if any `i64` price does: `received >= ceil(N / (D × price))` holds
/// exactly when `price >= N / (D × received)`, with `N / D` the fraction of [`oracle_min_out`].
pub fn oracle_boundary(
    spent: u64,
    received: u64,
    exponent: i32,
    ashao_decimals: u8,
    slippage_bps: u16,
) -> Option<i64> {
    if received == 0 {
        return (spent == 0).then_some(1);
    }
    let ten = BigInt::from(10);
    let k = exponent + i32::from(USDC_DECIMALS);
    let mut numerator = BigInt::from(spent)
        * BigInt::from(10_000 - i64::from(slippage_bps))
        * num_traits::pow(ten.clone(), usize::from(ashao_decimals));
    let mut denominator = BigInt::from(10_000) * BigInt::from(received);
    if k >= 0 {
        denominator *= num_traits::pow(ten, k.unsigned_abs() as usize);
    } else {
        numerator *= num_traits::pow(ten, k.unsigned_abs() as usize);
    }
    let least = BigRational::new(numerator, denominator).ceil().to_integer();
    least.max(BigInt::from(1)).to_i64()
}
