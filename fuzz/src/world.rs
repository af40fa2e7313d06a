//! The world a run plays in: the local validator's runtime with our programs registered natively
//! exactly as the validator registers them (its `programs()` list and `Chain` set-up), the real
//! SPL Token, Token-2022 and Associated Token programs, the real test AMM, the actors with their
//! keys and token accounts, and a clock the harness moves.

use std::path::Path;

use anchor_lang::{AccountDeserialize, InstructionData, ToAccountMetas};
use anchor_spl::associated_token::{
    get_associated_token_address_with_program_id, spl_associated_token_account,
};
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;
use ashao_local_validator::chain::{Chain, ProgramSpec};
use ashao_local_validator::upgradeable::programdata_address;
use ashao_treasury::constants::{
    BUYBACK_VAULT_SEED, MAX_TIMELOCK_SECS, POSITION_SEED, PYTH_RECEIVER_PROGRAM_ID,
    REACTION_WINDOW_SECS, REWARDS_VAULT_SEED, STAKE_VAULT_SEED, TREASURY_SEED, USAGE_LEDGER_SEED,
};
use ashao_treasury::oracle::PriceGuard;
use ashao_treasury::state::{
    BoostTier, StakePosition, TreasuryConfig, TreasuryParams, UsageLedger,
};
use litesvm::LiteSVM;
use serde::{Deserialize, Serialize};
use solana_account::Account;
use solana_address::Address;
use solana_clock::Clock;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::{Message, VersionedMessage};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

use crate::heap;
use crate::rng::Rng;

pub const USDC_DECIMALS: u8 = 6;
/// The clock at the start of every run (the runs do not depend on the wall clock).
pub const GENESIS_UNIX_TIMESTAMP: i64 = 1_750_000_000;
const SLOTS_PER_SECOND: u64 = 2;
const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// Everyone who signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Actor {
    /// Holds most of the staked supply.
    Whale,
    /// Holds exactly one base unit of $ASHAO.
    Small,
    Alice,
    Bob,
    /// Stakes too, and substitutes accounts and amounts.
    Attacker,
    /// The allow-listed crank.
    Crank,
    /// The program's upgrade authority, which initialises and becomes the treasury authority.
    Authority,
    /// Who the authority may hand over to.
    NewAuthority,
    /// Pays revenue and calls the permissionless instructions.
    Stranger,
    /// Provides the AMM's liquidity and trades against it.
    Lp,
    /// The network's billing service: a billing authority, settles usage.
    Billing,
}

impl Actor {
    pub const ALL: [Actor; 11] = [
        Actor::Whale,
        Actor::Small,
        Actor::Alice,
        Actor::Bob,
        Actor::Attacker,
        Actor::Crank,
        Actor::Authority,
        Actor::NewAuthority,
        Actor::Stranger,
        Actor::Lp,
        Actor::Billing,
    ];
    /// Actors holding $ASHAO to stake.
    pub const STAKERS: [Actor; 5] = [
        Actor::Whale,
        Actor::Small,
        Actor::Alice,
        Actor::Bob,
        Actor::Attacker,
    ];

    fn index(self) -> usize {
        Actor::ALL.iter().position(|a| *a == self).unwrap_or(0)
    }
}

/// The USDC vaults and the stake vault, as targets of plain transfers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Vault {
    Buyback,
    Rewards,
    Stake,
}

/// The parameters a run initialises with, in a form that serialises with a regression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamsSpec {
    pub stream_period_secs: u32,
    pub unstake_cooldown_secs: u32,
    pub boost_tiers: Vec<(u64, u16)>,
    pub max_buyback_usdc: u64,
    pub min_buyback_interval_secs: u32,
    pub max_slippage_bps: u16,
    pub price_guard: Option<(u32, u16)>,
    pub timelock_secs: u32,
}

/// Everything a run's world is built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub ashao_token_2022: bool,
    pub ashao_decimals: u8,
    pub pool_fee_bps: u16,
    /// $ASHAO each staker starts with (the small staker always has exactly 1).
    pub ashao_balances: [u64; 5],
    pub pool_usdc: u64,
    pub pool_ashao: u64,
    pub params: ParamsSpec,
}

impl Setup {
    pub fn from_seed(seed: u64) -> Setup {
        let mut rng = Rng::new(seed ^ 0x5E7C_0FFE_E000_0001);
        let ashao_decimals = rng.pick(&[0u8, 6, 9, 9]);
        let unit = 10u64.pow(u32::from(ashao_decimals));
        let whale = unit.saturating_mul(rng.range(10_000_000, 100_000_000));
        let alice = unit.saturating_mul(rng.range(1, 100_000));
        let bob = rng.range(1, unit.saturating_mul(1_000));
        let attacker = unit.saturating_mul(rng.range(1, 1_000_000));
        let some_days = rng.range(3_600, 7 * 86_400) as u32;
        let cooldown = rng.weighted(&[(3, 3_600u32), (2, some_days), (1, 30 * 86_400)]);
        // At least the cooldown plus the reaction window, at most the ceiling (31 days).
        let timelock = rng.range(
            u64::from(cooldown) + u64::from(REACTION_WINDOW_SECS),
            u64::from(MAX_TIMELOCK_SECS),
        ) as u32;
        let tiers = match rng.below(3) {
            0 => Vec::new(),
            1 => vec![(unit, 500)],
            _ => (1..=8u64)
                .map(|i| (unit.saturating_mul(10u64.pow(i as u32)), (i * 1_000) as u16))
                .collect(),
        };
        Setup {
            ashao_token_2022: rng.chance(1, 2),
            ashao_decimals,
            pool_fee_bps: rng.pick(&[0u16, 30, 100, 1_000]),
            ashao_balances: [whale, 1, alice, bob, attacker],
            pool_usdc: rng.range(10_000, 10_000_000) * 1_000_000,
            pool_ashao: unit.saturating_mul(rng.range(10_000, 100_000_000)),
            params: ParamsSpec {
                stream_period_secs: rng.pick(&[3_600u32, 86_400, 7 * 86_400, 30 * 86_400]),
                unstake_cooldown_secs: cooldown,
                boost_tiers: tiers,
                max_buyback_usdc: rng.pick(&[1u64, 1_000_000, 1_000_000_000, 1_000_000_000_000]),
                min_buyback_interval_secs: rng.pick(&[60u32, 3_600, 86_400]),
                max_slippage_bps: rng.pick(&[1u16, 100, 500, 1_000]),
                price_guard: rng
                    .chance(9, 10)
                    .then(|| (rng.range(1, 3_600) as u32, rng.range(1, 1_000) as u16)),
                timelock_secs: timelock,
            },
        }
    }
}

/// The $ASHAO/USD feed id every run's guard names.
pub const FEED_ID: [u8; 32] = [0xA5; 32];
/// Another feed.
pub const OTHER_FEED_ID: [u8; 32] = [0x5A; 32];

fn keypair(tag: u8) -> Keypair {
    let mut secret = [tag; 32];
    secret[0] = 0xF0;
    Keypair::new_from_array(secret)
}

/// An actor's derived addresses (derived once: a PDA search is slow in a debug build).
#[derive(Clone, Copy, Debug)]
struct Addresses {
    usdc: Address,
    ashao: Address,
    position: Address,
}

/// One worker of a `settle_usage`: the accounts passed for it and its base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettleLine {
    pub usdc: Address,
    pub position: Address,
    pub base: u64,
}

/// A failed transaction: which instruction and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxFailure {
    pub error: TransactionError,
    pub logs: Vec<String>,
}

pub struct World {
    pub svm: LiteSVM,
    pub setup: Setup,
    /// Whether the treasury runs natively (its heap is then measured) rather than as SBF.
    pub treasury_native: bool,
    pub now: i64,
    pub slot: u64,
    keys: Vec<Keypair>,
    addresses: Vec<Addresses>,
    pub payer: Keypair,
    pub usdc_mint: Address,
    pub ashao_mint: Address,
    /// A mint the attacker controls (SPL Token), for wrong-mint substitutions.
    pub other_mint: Address,
    /// An $ASHAO look-alike with a freeze authority (initialize must refuse it).
    pub freeze_mint: Address,
    pub ashao_program: Address,
    pub config: Address,
    pub buyback_vault: Address,
    pub rewards_vault: Address,
    pub stake_vault: Address,
    pub pool: Address,
    pub pool_usdc_vault: Address,
    pub pool_ashao_vault: Address,
    /// Where the harness publishes the Pyth `PriceUpdateV2` a buyback reads.
    pub price_update: Address,
    /// A copy of the config owned by the System Program (a foreign owner).
    pub foreign_config: Address,
    /// A copy of the config owned by the treasury program at another address (not a PDA).
    pub forged_config: Address,
    pub initial_ashao_supply: u64,
    pub usdc_supply: u64,
    /// USDC the harness sent to the USDC vaults by plain transfer since the last sync: the
    /// harness's own input, never the program's state.
    pub unsynced_usdc: u64,
    /// $ASHAO the harness sent to the stake vault by plain transfer.
    pub donated_ashao: u64,
    /// Each parameter the authority moved with `update_config` since the last change was
    /// queued, and the value it moved it to (the harness's own record of what it sent).
    pub moved_since_queue: Vec<(&'static str, String)>,
}

/// The programs as the validator hosts them, with the treasury's entry measured.
fn programs() -> Vec<ProgramSpec> {
    ashao_local_validator::programs()
        .into_iter()
        .map(|mut spec| {
            if spec.id == ashao_treasury::ID {
                spec.entry = heap::metered_treasury_entry(spec.entry);
            }
            spec
        })
        .collect()
}

impl World {
    /// Builds the chain, the mints, the accounts and the pool; the treasury is not initialised.
    pub fn new(setup: Setup) -> World {
        let authority = keypair(Actor::Authority.index() as u8 + 1);
        // As the validator does: a program whose `anchor build` output exists runs as SBF (with
        // the real heap, stack and compute limits), any other natively.
        let deploy_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/deploy");
        let chain = Chain::new(400, &deploy_dir, &programs(), authority.pubkey())
            .unwrap_or_else(|e| panic!("the chain could not start: {e:#}"));
        heap::install_metered_stubs();
        let treasury_native = chain
            .programs
            .iter()
            .any(|p| p.id == ashao_treasury::ID && p.kind == ashao_local_validator::chain::NATIVE);
        let svm = chain.into_svm();
        // Signatures are not what the program checks (the runtime sets `is_signer` from the
        // message); a run does not pay for verifying them. No history: a step may repeat a
        // transaction byte for byte.
        let svm = svm.with_sigverify(false).with_transaction_history(0);

        let (config, _) = Address::find_program_address(&[TREASURY_SEED], &ashao_treasury::ID);
        let (buyback_vault, _) =
            Address::find_program_address(&[BUYBACK_VAULT_SEED], &ashao_treasury::ID);
        let (rewards_vault, _) =
            Address::find_program_address(&[REWARDS_VAULT_SEED], &ashao_treasury::ID);
        let (stake_vault, _) =
            Address::find_program_address(&[STAKE_VAULT_SEED], &ashao_treasury::ID);
        let usdc_mint = keypair(100).pubkey();
        let ashao_mint = keypair(101).pubkey();
        let (pool, _) = Address::find_program_address(
            &[b"pool", usdc_mint.as_ref(), ashao_mint.as_ref()],
            &test_amm::ID,
        );
        let (pool_usdc_vault, _) = Address::find_program_address(
            &[b"vault", pool.as_ref(), usdc_mint.as_ref()],
            &test_amm::ID,
        );
        let (pool_ashao_vault, _) = Address::find_program_address(
            &[b"vault", pool.as_ref(), ashao_mint.as_ref()],
            &test_amm::ID,
        );
        let ashao_program = if setup.ashao_token_2022 {
            spl_token_2022::ID
        } else {
            spl_token::ID
        };
        let mut keys: Vec<Keypair> = Actor::ALL
            .iter()
            .map(|a| keypair(a.index() as u8 + 1))
            .collect();
        keys[Actor::Authority.index()] = authority;
        let addresses = keys
            .iter()
            .map(|k| Addresses {
                usdc: get_associated_token_address_with_program_id(
                    &k.pubkey(),
                    &usdc_mint,
                    &spl_token::ID,
                ),
                ashao: get_associated_token_address_with_program_id(
                    &k.pubkey(),
                    &ashao_mint,
                    &ashao_program,
                ),
                position: Address::find_program_address(
                    &[POSITION_SEED, k.pubkey().as_ref()],
                    &ashao_treasury::ID,
                )
                .0,
            })
            .collect();
        let mut world = World {
            svm,
            setup,
            treasury_native,
            now: GENESIS_UNIX_TIMESTAMP,
            slot: 1_000,
            keys,
            addresses,
            payer: keypair(99),
            usdc_mint,
            ashao_mint,
            other_mint: keypair(102).pubkey(),
            freeze_mint: keypair(103).pubkey(),
            ashao_program,
            config,
            buyback_vault,
            rewards_vault,
            stake_vault,
            pool,
            pool_usdc_vault,
            pool_ashao_vault,
            price_update: keypair(104).pubkey(),
            foreign_config: keypair(105).pubkey(),
            forged_config: keypair(106).pubkey(),
            initial_ashao_supply: 0,
            usdc_supply: 0,
            unsynced_usdc: 0,
            donated_ashao: 0,
            moved_since_queue: Vec::new(),
        };
        world.set_clock();
        world.fund();
        world
    }

    pub fn key(&self, actor: Actor) -> &Keypair {
        &self.keys[actor.index()]
    }

    pub fn pubkey(&self, actor: Actor) -> Address {
        self.key(actor).pubkey()
    }

    pub fn actor_of(&self, address: &Address) -> Option<Actor> {
        Actor::ALL.into_iter().find(|a| self.pubkey(*a) == *address)
    }

    pub fn usdc_account(&self, actor: Actor) -> Address {
        self.addresses[actor.index()].usdc
    }

    pub fn ashao_account(&self, actor: Actor) -> Address {
        self.addresses[actor.index()].ashao
    }

    /// The attacker's account of its own mint.
    pub fn other_mint_account(&self) -> Address {
        get_associated_token_address_with_program_id(
            &self.pubkey(Actor::Attacker),
            &self.other_mint,
            &spl_token::ID,
        )
    }

    pub fn position_address(&self, actor: Actor) -> Address {
        self.addresses[actor.index()].position
    }

    /// A billing authority's usage ledger.
    pub fn ledger_address(&self, billing: Actor) -> Address {
        Address::find_program_address(
            &[USAGE_LEDGER_SEED, self.pubkey(billing).as_ref()],
            &ashao_treasury::ID,
        )
        .0
    }

    pub fn ledger(&self, billing: Actor) -> Option<UsageLedger> {
        let account = self.account(&self.ledger_address(billing))?;
        UsageLedger::try_deserialize(&mut account.data.as_slice()).ok()
    }

    /// `settle_usage` as the SDK builds it: `billing` signs and pays from `source`; each line
    /// names a worker's USDC account, its position address and its base.
    pub fn settle_usage_ix(
        &self,
        billing: Actor,
        source: Address,
        batch_id: u64,
        gross: u64,
        lines: &[SettleLine],
    ) -> Instruction {
        let mut accounts = ashao_treasury::accounts::SettleUsage {
            billing: self.pubkey(billing),
            config: self.config,
            ledger: self.ledger_address(billing),
            usdc_mint: self.usdc_mint,
            source,
            buyback_vault: self.buyback_vault,
            rewards_vault: self.rewards_vault,
            token_program: spl_token::ID,
            system_program: solana_sdk_ids::system_program::ID,
        }
        .to_account_metas(None);
        for line in lines {
            accounts.push(AccountMeta::new(line.usdc, false));
            accounts.push(AccountMeta::new_readonly(line.position, false));
        }
        Instruction {
            program_id: ashao_treasury::ID,
            accounts,
            data: ashao_treasury::instruction::SettleUsage {
                batch_id,
                gross,
                bases: lines.iter().map(|l| l.base).collect(),
            }
            .data(),
        }
    }

    /// A worker's line: its own USDC account and position.
    pub fn settle_line(&self, worker: Actor, base: u64) -> SettleLine {
        SettleLine {
            usdc: self.usdc_account(worker),
            position: self.position_address(worker),
            base,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Clock and transactions

    fn set_clock(&mut self) {
        let mut clock: Clock = self.svm.get_sysvar();
        clock.slot = self.slot;
        clock.unix_timestamp = self.now;
        self.svm.set_sysvar(&clock);
    }

    /// Moves the clock forward (and the slot with it).
    pub fn warp(&mut self, seconds: u64) {
        self.now = self
            .now
            .saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX));
        self.slot = self
            .slot
            .saturating_add(seconds.saturating_mul(SLOTS_PER_SECOND).max(1));
        self.set_clock();
    }

    /// Each transaction lands in a slot of its own, in the same second.
    fn next_slot(&mut self) {
        self.slot += 1;
        self.set_clock();
    }

    /// Sends one transaction paid by the fee payer, signed by whoever its instructions need.
    pub fn send(&mut self, instructions: &[Instruction]) -> Result<Vec<String>, TxFailure> {
        self.next_slot();
        let tx = self.transaction(instructions);
        match self.svm.send_transaction(tx) {
            Ok(meta) => Ok(meta.logs),
            Err(failed) => Err(TxFailure {
                error: failed.err,
                logs: failed.meta.logs,
            }),
        }
    }

    /// The transaction for these instructions (fee payer first). Signature verification is off
    /// in a run, so the signatures are left empty (signing is a tenth of a step's time); every
    /// signer is still one of the run's keys.
    pub fn transaction(&self, instructions: &[Instruction]) -> VersionedTransaction {
        let message = Message::new_with_blockhash(
            instructions,
            Some(&self.payer.pubkey()),
            &self.svm.latest_blockhash(),
        );
        let signers = &message.account_keys[..usize::from(message.header.num_required_signatures)];
        for key in signers {
            assert!(
                *key == self.payer.pubkey() || self.keys.iter().any(|k| k.pubkey() == *key),
                "no keypair for signer {key}"
            );
        }
        VersionedTransaction {
            signatures: vec![Signature::default(); signers.len()],
            message: VersionedMessage::Legacy(message),
        }
    }

    fn must(&mut self, what: &str, instructions: &[Instruction]) {
        if let Err(failure) = self.send(instructions) {
            panic!(
                "set-up step `{what}` failed: {:?}\n{}",
                failure.error,
                failure.logs.join("\n")
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // Reading accounts

    pub fn account(&self, address: &Address) -> Option<Account> {
        self.svm.get_account(address).filter(|a| a.lamports > 0)
    }

    /// A token account's amount (SPL Token and Token-2022 share the base layout).
    pub fn token_amount(&self, address: &Address) -> Option<u64> {
        let data = self.account(address)?.data;
        Some(u64::from_le_bytes(data.get(64..72)?.try_into().ok()?))
    }

    pub fn balance(&self, address: &Address) -> u64 {
        self.token_amount(address).unwrap_or(0)
    }

    pub fn mint_supply(&self, mint: &Address) -> u64 {
        self.account(mint)
            .and_then(|a| Some(u64::from_le_bytes(a.data.get(36..44)?.try_into().ok()?)))
            .unwrap_or(0)
    }

    pub fn treasury(&self) -> Option<TreasuryConfig> {
        let account = self.account(&self.config)?;
        TreasuryConfig::try_deserialize(&mut account.data.as_slice()).ok()
    }

    pub fn position(&self, actor: Actor) -> Option<StakePosition> {
        let account = self.account(&self.position_address(actor))?;
        StakePosition::try_deserialize(&mut account.data.as_slice()).ok()
    }

    // -----------------------------------------------------------------------------------------
    // Set-up

    fn fund(&mut self) {
        for key in std::iter::once(self.payer.pubkey())
            .chain(self.keys.iter().map(Signer::pubkey))
            .collect::<Vec<_>>()
        {
            self.svm
                .airdrop(&key, 1_000 * LAMPORTS_PER_SOL)
                .unwrap_or_else(|e| panic!("airdrop: {:?}", e.err));
        }
        let ashao_decimals = self.setup.ashao_decimals;
        let payer = self.payer.pubkey();
        let issuer = self.pubkey(Actor::Authority);
        let attacker = self.pubkey(Actor::Attacker);
        let mints = [
            (100u8, spl_token::ID, USDC_DECIMALS, issuer, None),
            (101, self.ashao_program, ashao_decimals, issuer, None),
            (102, spl_token::ID, ashao_decimals, attacker, None),
            (
                103,
                self.ashao_program,
                ashao_decimals,
                issuer,
                Some(issuer),
            ),
        ];
        for (tag, program, decimals, authority, freeze) in mints {
            let mint = keypair(tag);
            self.keys.push(mint.insecure_clone());
            let rent = self.svm.minimum_balance_for_rent_exemption(82);
            let create = solana_system_interface::instruction::create_account(
                &payer,
                &mint.pubkey(),
                rent,
                82,
                &program,
            );
            let init = if program == spl_token::ID {
                spl_token::instruction::initialize_mint2(
                    &program,
                    &mint.pubkey(),
                    &authority,
                    freeze.as_ref(),
                    decimals,
                )
            } else {
                spl_token_2022::instruction::initialize_mint2(
                    &program,
                    &mint.pubkey(),
                    &authority,
                    freeze.as_ref(),
                    decimals,
                )
            }
            .unwrap_or_else(|e| panic!("mint instruction: {e}"));
            self.must("create mint", &[create, init]);
        }

        // Every actor has an associated USDC and $ASHAO account; the attacker one of its mint.
        for actor in Actor::ALL {
            let owner = self.pubkey(actor);
            let ixs = [
                spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                    &payer, &owner, &self.usdc_mint, &spl_token::ID,
                ),
                spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                    &payer, &owner, &self.ashao_mint, &self.ashao_program,
                ),
            ];
            self.must("create token accounts", &ixs);
        }
        self.must(
            "create the attacker's account of its mint",
            &[
                spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                    &payer, &attacker, &self.other_mint, &spl_token::ID,
                ),
            ],
        );

        let usdc = |actor: Actor| -> u64 {
            match actor {
                Actor::Stranger | Actor::Billing => 100_000_000_000_000_000,
                Actor::Lp => 10_000_000_000_000_000,
                Actor::Attacker => 1_000_000_000_000,
                Actor::Crank => 1_000_000_000,
                _ => 1_000_000,
            }
        };
        let unit = 10u64.pow(u32::from(ashao_decimals));
        for actor in Actor::ALL {
            let usdc_amount = usdc(actor);
            let ix = spl_token::instruction::mint_to(
                &spl_token::ID,
                &self.usdc_mint,
                &self.usdc_account(actor),
                &issuer,
                &[],
                usdc_amount,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            self.must("mint USDC", &[ix]);
            let ashao_amount = match actor {
                Actor::Whale => self.setup.ashao_balances[0],
                Actor::Small => self.setup.ashao_balances[1],
                Actor::Alice => self.setup.ashao_balances[2],
                Actor::Bob => self.setup.ashao_balances[3],
                Actor::Attacker => self.setup.ashao_balances[4],
                Actor::Lp => self.setup.pool_ashao.saturating_mul(4),
                Actor::Crank => unit.saturating_mul(1_000),
                _ => 0,
            };
            if ashao_amount > 0 {
                let ix = self.ashao_mint_to(&self.ashao_account(actor), ashao_amount);
                self.must("mint $ASHAO", &[ix]);
            }
        }
        let ix = spl_token::instruction::mint_to(
            &spl_token::ID,
            &self.other_mint,
            &self.other_mint_account(),
            &attacker,
            &[],
            u64::MAX / 2,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        self.must("mint the attacker's tokens", &[ix]);

        self.create_pool();
        self.usdc_supply = self.mint_supply(&self.usdc_mint);
    }

    fn ashao_mint_to(&self, account: &Address, amount: u64) -> Instruction {
        let issuer = self.pubkey(Actor::Authority);
        if self.setup.ashao_token_2022 {
            spl_token_2022::instruction::mint_to(
                &spl_token_2022::ID,
                &self.ashao_mint,
                account,
                &issuer,
                &[],
                amount,
            )
        } else {
            spl_token::instruction::mint_to(
                &spl_token::ID,
                &self.ashao_mint,
                account,
                &issuer,
                &[],
                amount,
            )
        }
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn create_pool(&mut self) {
        let payer = self.payer.pubkey();
        let create = Instruction {
            program_id: test_amm::ID,
            accounts: test_amm::accounts::CreatePool {
                payer,
                pool: self.pool,
                mint_a: self.usdc_mint,
                mint_b: self.ashao_mint,
                vault_a: self.pool_usdc_vault,
                vault_b: self.pool_ashao_vault,
                token_program_a: spl_token::ID,
                token_program_b: self.ashao_program,
                system_program: solana_sdk_ids::system_program::ID,
            }
            .to_account_metas(None),
            data: test_amm::instruction::CreatePool {
                fee_bps: self.setup.pool_fee_bps,
            }
            .data(),
        };
        self.must("create the pool", &[create]);
        let add = Instruction {
            program_id: test_amm::ID,
            accounts: test_amm::accounts::AddLiquidity {
                provider: self.pubkey(Actor::Lp),
                pool: self.pool,
                mint_a: self.usdc_mint,
                mint_b: self.ashao_mint,
                vault_a: self.pool_usdc_vault,
                vault_b: self.pool_ashao_vault,
                provider_a: self.usdc_account(Actor::Lp),
                provider_b: self.ashao_account(Actor::Lp),
                token_program_a: spl_token::ID,
                token_program_b: self.ashao_program,
            }
            .to_account_metas(None),
            data: test_amm::instruction::AddLiquidity {
                amount_a: self.setup.pool_usdc,
                amount_b: self.setup.pool_ashao,
            }
            .data(),
        };
        self.must("add liquidity", &[add]);
    }

    /// The parameters of the set-up, for `initialize`.
    pub fn initial_params(&self) -> TreasuryParams {
        let p = &self.setup.params;
        TreasuryParams {
            stream_period_secs: p.stream_period_secs,
            unstake_cooldown_secs: p.unstake_cooldown_secs,
            boost_tiers: p
                .boost_tiers
                .iter()
                .map(|(min_stake, boost_bps)| BoostTier {
                    min_stake: *min_stake,
                    boost_bps: *boost_bps,
                })
                .collect(),
            max_buyback_usdc: p.max_buyback_usdc,
            min_buyback_interval_secs: p.min_buyback_interval_secs,
            max_slippage_bps: p.max_slippage_bps,
            swap_program: test_amm::ID,
            cranks: vec![self.pubkey(Actor::Crank)],
            billing_authorities: vec![self.pubkey(Actor::Billing)],
            price_guard: match p.price_guard {
                None => PriceGuard::None,
                Some((max_age_secs, max_confidence_bps)) => PriceGuard::PythPull {
                    feed_id: FEED_ID,
                    max_age_secs,
                    max_confidence_bps,
                },
            },
            timelock_secs: p.timelock_secs,
        }
    }

    /// `initialize` as the SDK builds it, with these signer, mints and parameters.
    pub fn initialize_ix(
        &self,
        authority: Address,
        usdc_mint: Address,
        ashao_mint: Address,
        params: TreasuryParams,
    ) -> Instruction {
        Instruction {
            program_id: ashao_treasury::ID,
            accounts: ashao_treasury::accounts::Initialize {
                authority,
                program: ashao_treasury::ID,
                program_data: programdata_address(&ashao_treasury::ID),
                config: self.config,
                usdc_mint,
                ashao_mint,
                buyback_vault: self.buyback_vault,
                rewards_vault: self.rewards_vault,
                stake_vault: self.stake_vault,
                token_program: spl_token::ID,
                ashao_token_program: self.ashao_program,
                system_program: solana_sdk_ids::system_program::ID,
            }
            .to_account_metas(None),
            data: ashao_treasury::instruction::Initialize { params }.data(),
        }
    }

    /// Initialises the treasury with the set-up's parameters and records the starting supplies.
    pub fn initialize(&mut self) -> Result<Vec<String>, TxFailure> {
        self.initialize_with(self.initial_params())
    }

    /// Initialises the treasury with these parameters and records the starting supplies.
    pub fn initialize_with(&mut self, params: TreasuryParams) -> Result<Vec<String>, TxFailure> {
        let ix = self.initialize_ix(
            self.pubkey(Actor::Authority),
            self.usdc_mint,
            self.ashao_mint,
            params,
        );
        let result = self.send(&[ix]);
        self.initial_ashao_supply = self.mint_supply(&self.ashao_mint);
        result
    }

    /// Publishes a `PriceUpdateV2` account (the layout the Pyth Receiver writes) at the harness's
    /// price address, owned by `owner`.
    pub fn publish_price(&mut self, update: &PriceUpdate, owner: Address) {
        let data = update.to_bytes();
        let account = Account {
            lamports: self.svm.minimum_balance_for_rent_exemption(data.len()),
            data,
            owner,
            executable: false,
            rent_epoch: 0,
        };
        self.svm
            .set_account(self.price_update, account)
            .unwrap_or_else(|e| panic!("publishing the price: {e:?}"));
    }

    /// Writes the substitute config accounts (copies of the real one's bytes) the attacker
    /// passes: one owned by the System Program, one owned by the treasury at a non-PDA address.
    pub fn refresh_config_copies(&mut self) {
        let Some(real) = self.account(&self.config) else {
            return;
        };
        for (address, owner) in [
            (self.foreign_config, solana_sdk_ids::system_program::ID),
            (self.forged_config, ashao_treasury::ID),
        ] {
            let copy = Account {
                owner,
                ..real.clone()
            };
            self.svm
                .set_account(address, copy)
                .unwrap_or_else(|e| panic!("copying the config: {e:?}"));
        }
    }

    /// Whether the Pyth Receiver owns the published price (the default).
    pub fn pyth_receiver() -> Address {
        PYTH_RECEIVER_PROGRAM_ID
    }
}

/// A Pyth `PriceUpdateV2`, as the harness publishes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceUpdate {
    pub full: bool,
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub posted_slot: u64,
    /// Bytes that are not a `PriceUpdateV2` at all.
    pub garbage: bool,
}

impl PriceUpdate {
    /// Borsh, as the Receiver's Anchor account: discriminator, write authority, verification
    /// level, the price message, posted slot; 134 bytes allocated (a Full update is 133).
    pub fn to_bytes(&self) -> Vec<u8> {
        if self.garbage {
            return vec![7u8; 134];
        }
        let mut d = Vec::with_capacity(134);
        d.extend_from_slice(&[34, 241, 35, 99, 157, 126, 244, 205]);
        d.extend_from_slice(&[0x11; 32]);
        if self.full {
            d.push(1);
        } else {
            d.extend_from_slice(&[0, 5]);
        }
        d.extend_from_slice(&self.feed_id);
        d.extend_from_slice(&self.price.to_le_bytes());
        d.extend_from_slice(&self.conf.to_le_bytes());
        d.extend_from_slice(&self.exponent.to_le_bytes());
        d.extend_from_slice(&self.publish_time.to_le_bytes());
        d.extend_from_slice(&(self.publish_time - 1).to_le_bytes());
        d.extend_from_slice(&self.price.to_le_bytes());
        d.extend_from_slice(&self.conf.to_le_bytes());
        d.extend_from_slice(&self.posted_slot.to_le_bytes());
        d.resize(134, 0);
        d
    }
}
