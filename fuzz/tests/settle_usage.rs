//! `settle_usage` on the local validator's runtime: money moved to each worker and the vaults,
//! conservation, the tier edges, unstaking and warming principal, the warm-up's bound on
//! just-in-time staking, every named refusal changing nothing, and a malicious billing
//! authority, stranger and worker.
//!
//! Runs without the libtest harness (see the campaign). Ends with `N passed, M failed`.

use ashao_fuzz::errors::CalleeErrors;
use ashao_fuzz::exec::{Executed, Expect};
use ashao_fuzz::heap::SBF_HEAP_USABLE_BYTES;
use ashao_fuzz::ops::{Amount, Op, Sub};
use ashao_fuzz::scenario::{ensure, events, refused, run_scenarios, Scenario};
use ashao_fuzz::world::{Actor, ParamsSpec, SettleLine, Setup, TxFailure, World};
use ashao_treasury::constants::{MAX_SETTLEMENT_WORKERS, USAGE_BATCH_WINDOW};
use ashao_treasury::errors::TreasuryError;
use ashao_treasury::events::{RevenueDeposited, RevenueSource, UsageSettled, WorkerPaid};
use ashao_treasury::state::TreasuryParams;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_message::{Message, VersionedMessage};
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;

/// One $ASHAO (six decimals).
const UNIT: u64 = 1_000_000;
/// The tiers: 10% from 100 $ASHAO, 50% from 1,000.
const TIER_1: (u64, u16) = (100 * UNIT, 1_000);
const TIER_2: (u64, u16) = (1_000 * UNIT, 5_000);
const COOLDOWN: u32 = 3_600;
/// A transaction packet.
const MAX_TRANSACTION_BYTES: usize = 1_232;

fn setup() -> Setup {
    Setup {
        ashao_token_2022: false,
        ashao_decimals: 6,
        pool_fee_bps: 30,
        ashao_balances: [
            10_000 * UNIT,
            1,
            10_000 * UNIT,
            10_000 * UNIT,
            10_000 * UNIT,
        ],
        pool_usdc: 1_000_000_000_000,
        pool_ashao: 1_000_000 * UNIT,
        params: ParamsSpec {
            stream_period_secs: 86_400,
            unstake_cooldown_secs: COOLDOWN,
            boost_tiers: vec![TIER_1, TIER_2],
            max_buyback_usdc: 1_000_000_000,
            min_buyback_interval_secs: 3_600,
            max_slippage_bps: 100,
            price_guard: None,
            timelock_secs: COOLDOWN + 86_400,
        },
    }
}

/// A world whose treasury is initialised with these billing authorities.
fn world_with(billing: &[Actor]) -> World {
    let mut world = World::new(setup());
    let params = TreasuryParams {
        billing_authorities: billing.iter().map(|a| world.pubkey(*a)).collect(),
        ..world.initial_params()
    };
    world
        .initialize_with(params)
        .unwrap_or_else(|f| panic!("initialize: {:?}\n{}", f.error, f.logs.join("\n")));
    world
}

fn world() -> World {
    world_with(&[Actor::Billing])
}

fn must(world: &mut World, op: Op) -> Result<Executed, String> {
    let done = world.execute(&op);
    match &done.outcome {
        Ok(()) => Ok(done),
        Err(refusal) => Err(format!(
            "{op:?} refused: {refusal:?}\n{}",
            done.logs.join("\n")
        )),
    }
}

fn stake(world: &mut World, who: Actor, amount: u64) -> Result<(), String> {
    must(
        world,
        Op::Stake {
            who,
            amount: Amount::Exact(amount),
            sub: Sub::None,
        },
    )
    .map(drop)
}

fn request_unstake(world: &mut World, who: Actor, amount: u64) -> Result<(), String> {
    must(
        world,
        Op::RequestUnstake {
            who,
            amount: Amount::Exact(amount),
            sub: Sub::None,
        },
    )
    .map(drop)
}

fn settle(
    world: &mut World,
    batch_id: u64,
    gross: u64,
    workers: &[(Actor, u64)],
) -> Result<Vec<String>, TxFailure> {
    let lines: Vec<SettleLine> = workers
        .iter()
        .map(|(worker, base)| world.settle_line(*worker, *base))
        .collect();
    let ix = world.settle_usage_ix(
        Actor::Billing,
        world.usdc_account(Actor::Billing),
        batch_id,
        gross,
        &lines,
    );
    world.send(&[ix])
}

fn balances(world: &World, accounts: &[Address]) -> Vec<u64> {
    accounts.iter().map(|a| world.balance(a)).collect()
}

// ---------------------------------------------------------------------------------------------

/// Alice at the top tier, Bob at the first, Whale not staked: each is paid base × (1 + boost),
/// the vaults get the rest split 50/50, the billing account pays exactly the gross, and the
/// events say so.
fn pays_workers_and_the_treasury_exactly() -> Result<(), String> {
    let mut w = world();
    stake(&mut w, Actor::Alice, TIER_2.0)?;
    stake(&mut w, Actor::Bob, TIER_1.0)?;
    w.warp(u64::from(COOLDOWN));
    let lines = [
        (Actor::Alice, 1_000_000),
        (Actor::Bob, 2_000_001),
        (Actor::Whale, 3_000_000),
    ];
    let gross = 10_000_000;
    let watched = [
        w.usdc_account(Actor::Billing),
        w.usdc_account(Actor::Alice),
        w.usdc_account(Actor::Bob),
        w.usdc_account(Actor::Whale),
        w.buyback_vault,
        w.rewards_vault,
    ];
    let before = balances(&w, &watched);
    let logs = settle(&mut w, 7, gross, &lines).map_err(|f| f.logs.join("\n"))?;
    let after = balances(&w, &watched);
    // Alice 1,000,000 + 50%; Bob 2,000,001 + 10% = 200,000.1, floored; Whale no boost.
    let paid = [1_500_000u64, 2_200_001, 3_000_000];
    let revenue = gross - paid.iter().sum::<u64>();
    ensure(after[0] == before[0] - gross, || {
        "billing paid the gross".into()
    })?;
    for (i, p) in paid.iter().enumerate() {
        ensure(after[i + 1] - before[i + 1] == *p, || {
            format!("worker {i} got {} not {p}", after[i + 1] - before[i + 1])
        })?;
    }
    ensure(
        after[4] - before[4] == revenue - revenue / 2 && after[5] - before[5] == revenue / 2,
        || {
            format!(
                "vaults got {} and {}",
                after[4] - before[4],
                after[5] - before[5]
            )
        },
    )?;
    let paid_events: Vec<WorkerPaid> = events(&logs);
    let boosts: Vec<(u16, u64)> = paid_events.iter().map(|e| (e.boost_bps, e.boost)).collect();
    ensure(
        boosts == vec![(5_000, 500_000), (1_000, 200_000), (0, 0)],
        || format!("WorkerPaid boosts {boosts:?}"),
    )?;
    let batch: Vec<UsageSettled> = events(&logs);
    let deposit: Vec<RevenueDeposited> = events(&logs);
    ensure(
        batch.len() == 1
            && batch[0].gross == gross
            && batch[0].paid_to_workers + batch[0].revenue == gross
            && batch[0].boost_paid == 700_000
            && batch[0].revenue == revenue
            && !batch[0].boost_capped,
        || "one UsageSettled with the batch's figures".into(),
    )?;
    ensure(
        deposit.len() == 1
            && deposit[0].source == RevenueSource::Usage
            && deposit[0].amount == revenue,
        || "the revenue went the deposit's way".into(),
    )?;
    let c = w.treasury().ok_or("no config")?;
    ensure(
        c.total_usage_gross == gross
            && c.total_paid_to_workers == gross - revenue
            && c.total_boost_paid == 700_000
            && c.total_usage_revenue == revenue
            && c.total_revenue == revenue
            && c.buyback_bucket == after[4] - before[4],
        || "config totals".into(),
    )?;
    let ledger = w.ledger(Actor::Billing).ok_or("no ledger")?;
    ensure(
        ledger.batch_count == 1 && ledger.last_batch_id == 7 && ledger.total_gross == gross,
        || "ledger".into(),
    )
}

/// One base unit below each tier's `min_stake` earns the tier below; at it, the tier.
fn tier_edges() -> Result<(), String> {
    let mut w = world();
    stake(&mut w, Actor::Alice, TIER_1.0 - 1)?;
    stake(&mut w, Actor::Bob, TIER_1.0)?;
    stake(&mut w, Actor::Whale, TIER_2.0 - 1)?;
    stake(&mut w, Actor::Attacker, TIER_2.0)?;
    w.warp(u64::from(COOLDOWN));
    let lines: Vec<(Actor, u64)> = [Actor::Alice, Actor::Bob, Actor::Whale, Actor::Attacker]
        .into_iter()
        .map(|a| (a, 10_000))
        .collect();
    let logs = settle(&mut w, 1, 100_000, &lines).map_err(|f| f.logs.join("\n"))?;
    let bps: Vec<u16> = events::<WorkerPaid>(&logs)
        .iter()
        .map(|e| e.boost_bps)
        .collect();
    ensure(bps == vec![0, 1_000, 1_000, 5_000], || {
        format!("tiers {bps:?}")
    })
}

/// Principal in an unstake ticket earns no boost: after requesting all but one base unit below
/// the top tier, Alice earns the first tier's boost.
fn unstaking_principal_earns_no_boost() -> Result<(), String> {
    let mut w = world();
    stake(&mut w, Actor::Alice, TIER_2.0)?;
    w.warp(u64::from(COOLDOWN));
    request_unstake(&mut w, Actor::Alice, 1)?;
    let logs =
        settle(&mut w, 1, 100_000, &[(Actor::Alice, 10_000)]).map_err(|f| f.logs.join("\n"))?;
    let e = events::<WorkerPaid>(&logs);
    ensure(
        e.len() == 1 && e[0].boost_stake == TIER_2.0 - 1 && e[0].boost_bps == 1_000,
        || format!("{:?}", e.first().map(|e| (e.boost_stake, e.boost_bps))),
    )
}

/// The warm-up: stake staked just before a settlement earns nothing there. The attacker stakes
/// the top tier's minimum, is paid for a large batch at once and unstakes: its boost is 0, while
/// its principal stays locked for the cooldown. Only after one whole cooldown staked does the
/// boost apply, and leaving then still waits out another.
fn just_in_time_staking_gains_nothing() -> Result<(), String> {
    let mut w = world();
    let base = 1_000_000_000; // 1,000 USDC of usage for the attacker's worker
    stake(&mut w, Actor::Attacker, TIER_2.0)?;
    let logs =
        settle(&mut w, 1, 2 * base, &[(Actor::Attacker, base)]).map_err(|f| f.logs.join("\n"))?;
    let jit = events::<WorkerPaid>(&logs);
    request_unstake(&mut w, Actor::Attacker, TIER_2.0)?;
    let position = w.position(Actor::Attacker).ok_or("no position")?;
    let locked_until = position.unstake_tickets[0].available_at;
    ensure(
        jit.len() == 1 && jit[0].boost == 0 && jit[0].boost_stake == 0,
        || {
            format!(
                "a just-in-time stake earned {:?}",
                jit.first().map(|e| e.boost)
            )
        },
    )?;
    // The cost: the principal is locked for a whole cooldown after the settlement, for a gain
    // of 0 (any positive price of locked capital exceeds it).
    ensure(locked_until - w.now == i64::from(COOLDOWN), || {
        format!("locked for {} s", locked_until - w.now)
    })?;
    // Staked through a whole warm-up, the same principal earns the tier.
    stake(&mut w, Actor::Alice, TIER_2.0)?;
    w.warp(u64::from(COOLDOWN) - 1);
    let early =
        settle(&mut w, 2, 2 * base, &[(Actor::Alice, base)]).map_err(|f| f.logs.join("\n"))?;
    w.warp(1);
    let warm =
        settle(&mut w, 3, 2 * base, &[(Actor::Alice, base)]).map_err(|f| f.logs.join("\n"))?;
    let early = events::<WorkerPaid>(&early);
    let warm = events::<WorkerPaid>(&warm);
    ensure(early[0].boost == 0 && warm[0].boost == base / 2, || {
        format!(
            "boost one second early {}, at the end {}",
            early[0].boost, warm[0].boost
        )
    })
}

/// Boosts asking for more than the remainder are scaled down: workers get at most the gross.
fn boosts_never_exceed_the_gross() -> Result<(), String> {
    let mut w = world();
    stake(&mut w, Actor::Alice, TIER_2.0)?;
    stake(&mut w, Actor::Bob, TIER_2.0)?;
    w.warp(u64::from(COOLDOWN));
    let lines = [(Actor::Alice, 600_000), (Actor::Bob, 400_000)];
    let vaults = [w.buyback_vault, w.rewards_vault];
    let before = balances(&w, &vaults);
    let logs = settle(&mut w, 1, 1_100_000, &lines).map_err(|f| f.logs.join("\n"))?;
    let e = events::<WorkerPaid>(&logs);
    let batch = events::<UsageSettled>(&logs);
    ensure(
        e[0].boost == 60_000 && e[1].boost == 40_000 && batch[0].boost_capped,
        || format!("boosts {} {}", e[0].boost, e[1].boost),
    )?;
    ensure(
        balances(&w, &vaults) == before && batch[0].revenue == 0,
        || "no revenue when the boosts take the whole remainder".into(),
    )
}

/// Each named refusal changes nothing.
fn every_bad_input_is_refused_by_name() -> Result<(), String> {
    let mut w = world();
    stake(&mut w, Actor::Alice, TIER_2.0)?;
    w.warp(u64::from(COOLDOWN));
    settle(&mut w, 100, 1_000, &[(Actor::Bob, 10)]).map_err(|f| f.logs.join("\n"))?;
    let billing = w.usdc_account(Actor::Billing);
    let alice = w.settle_line(Actor::Alice, 100);
    let bob = w.settle_line(Actor::Bob, 100);
    let ix = |w: &World, id: u64, gross: u64, lines: &[SettleLine]| {
        w.settle_usage_ix(Actor::Billing, billing, id, gross, lines)
    };
    refused(
        &mut w,
        |w| ix(w, 101, 199, &[alice, bob]),
        TreasuryError::BasesExceedGross,
    )?;
    refused(
        &mut w,
        |w| ix(w, 101, 1_000, &[alice, bob, alice]),
        TreasuryError::DuplicateWorker,
    )?;
    refused(
        &mut w,
        |w| ix(w, 100, 1_000, &[alice]),
        TreasuryError::BatchAlreadySettled,
    )?;
    refused(
        &mut w,
        |w| ix(w, 99 - 99 % 64 - 1, 1_000, &[alice]),
        TreasuryError::BatchIdTooOld,
    )?;
    refused(
        &mut w,
        |w| ix(w, 64 + 2 * USAGE_BATCH_WINDOW, 1_000, &[alice]),
        TreasuryError::BatchIdTooFarAhead,
    )?;
    let eleven = vec![alice; usize::from(MAX_SETTLEMENT_WORKERS) + 1];
    refused(
        &mut w,
        |w| ix(w, 101, 1_000, &eleven),
        TreasuryError::TooManyWorkers,
    )?;
    let mut odd = ix(&w, 101, 1_000, &[alice]);
    odd.accounts.pop();
    refused(&mut w, |_| odd, TreasuryError::WorkerAccountsMismatch)?;
    refused(&mut w, |w| ix(w, 101, 0, &[]), TreasuryError::ZeroAmount)?;
    refused(
        &mut w,
        |w| ix(w, 101, u64::MAX, &[alice]),
        TreasuryError::InsufficientBalance,
    )?;
    // A worker account of another mint.
    let wrong_mint = SettleLine {
        usdc: w.other_mint_account(),
        position: w.position_address(Actor::Attacker),
        base: 100,
    };
    refused(
        &mut w,
        |w| ix(w, 101, 1_000, &[wrong_mint]),
        TreasuryError::WorkerAccountWrongMint,
    )?;
    // A treasury vault as a worker; a worker account not writable.
    let vault = SettleLine {
        usdc: w.buyback_vault,
        ..alice
    };
    refused(
        &mut w,
        |w| ix(w, 101, 1_000, &[vault]),
        TreasuryError::InvalidWorkerAccount,
    )?;
    let mut readonly = ix(&w, 101, 1_000, &[alice]);
    let last = readonly.accounts.len() - 2;
    readonly.accounts[last].is_writable = false;
    refused(&mut w, |_| readonly, TreasuryError::InvalidWorkerAccount)?;
    // Positions that are not the worker's: another owner's, the config, a random empty address.
    for position in [
        w.position_address(Actor::Alice),
        w.config,
        Address::new_unique(),
    ] {
        let line = SettleLine { position, ..bob };
        refused(
            &mut w,
            |w| ix(w, 101, 1_000, &[line]),
            TreasuryError::WorkerPositionMismatch,
        )?;
    }
    // Paused.
    must(
        &mut w,
        Op::SetPaused {
            who: Actor::Authority,
            paused: true,
        },
    )?;
    refused(
        &mut w,
        |w| ix(w, 101, 1_000, &[alice]),
        TreasuryError::Paused,
    )
}

/// A stranger cannot settle, even paying the gross itself; a worker cannot take another's
/// boost with its own account next to the staker's position.
fn strangers_and_workers_cannot_take_a_boost() -> Result<(), String> {
    let mut w = world();
    stake(&mut w, Actor::Whale, TIER_2.0)?;
    w.warp(u64::from(COOLDOWN));
    let whale_position_for_attacker = SettleLine {
        usdc: w.usdc_account(Actor::Attacker),
        position: w.position_address(Actor::Whale),
        base: 1_000,
    };
    let stranger = w.settle_usage_ix(
        Actor::Stranger,
        w.usdc_account(Actor::Stranger),
        1,
        2_000,
        &[w.settle_line(Actor::Stranger, 1_000)],
    );
    refused(&mut w, |_| stranger, TreasuryError::BillingNotAllowed)?;
    let billing = w.usdc_account(Actor::Billing);
    let stolen = w.settle_usage_ix(
        Actor::Billing,
        billing,
        1,
        2_000,
        &[whale_position_for_attacker],
    );
    refused(&mut w, |_| stolen, TreasuryError::WorkerPositionMismatch)
}

/// A billing authority gone bad settles fake batches to itself at the top tier: it is paid at
/// most the gross it paid in, the vaults never lose a unit, and its ids do not touch another
/// billing authority's.
fn a_malicious_billing_authority_cannot_drain_the_treasury() -> Result<(), String> {
    let mut w = world_with(&[Actor::Billing, Actor::Attacker]);
    stake(&mut w, Actor::Attacker, TIER_2.0)?;
    must(
        &mut w,
        Op::DepositRevenue {
            who: Actor::Stranger,
            amount: Amount::Exact(1_000_000_000),
            sub: Sub::None,
        },
    )?;
    w.warp(u64::from(COOLDOWN));
    let attacker_usdc = w.usdc_account(Actor::Attacker);
    let vaults = [w.buyback_vault, w.rewards_vault];
    for (id, base, gross) in [(1u64, 1_000u64, 1_000u64), (2, 1_000, 1_500), (3, 0, 5)] {
        let before = balances(&w, &vaults);
        let attacker_before = w.balance(&attacker_usdc);
        let line = w.settle_line(Actor::Attacker, base);
        let ix = w.settle_usage_ix(Actor::Attacker, attacker_usdc, id, gross, &[line]);
        w.send(&[ix]).map_err(|f| f.logs.join("\n"))?;
        let after = balances(&w, &vaults);
        ensure(
            after.iter().zip(&before).all(|(a, b)| a >= b)
                && w.balance(&attacker_usdc) <= attacker_before,
            || format!("batch {id}: vaults {before:?} -> {after:?}"),
        )?;
    }
    // Batch id 1 of the attacker does not settle (or burn) the billing service's id 1.
    settle(&mut w, 1, 10, &[]).map_err(|f| f.logs.join("\n"))?;
    ensure(
        w.ledger(Actor::Billing).map(|l| l.batch_count) == Some(1)
            && w.ledger(Actor::Attacker).map(|l| l.batch_count) == Some(3),
        || "ledgers are per billing authority".into(),
    )
}

/// The largest batch (nine workers, four staked at a tier) settles, fits one packet with a
/// compute-unit limit and a priority fee, and stays under the SBF heap; prints the figures. One
/// worker more does not fit.
fn the_largest_batch_fits_a_transaction() -> Result<(), String> {
    let mut w = world();
    let workers: Vec<Actor> = Actor::ALL
        .into_iter()
        .filter(|a| *a != Actor::Billing)
        .collect();
    for staker in [Actor::Whale, Actor::Alice, Actor::Bob, Actor::Attacker] {
        stake(&mut w, staker, TIER_2.0)?;
    }
    w.warp(u64::from(COOLDOWN));
    let lines: Vec<SettleLine> = workers.iter().map(|a| w.settle_line(*a, 1_000)).collect();
    let max = usize::from(MAX_SETTLEMENT_WORKERS);
    let settle_ix = |w: &World, lines: &[SettleLine]| {
        w.settle_usage_ix(
            Actor::Billing,
            w.usdc_account(Actor::Billing),
            u64::MAX,
            100_000,
            lines,
        )
    };
    let ix = settle_ix(&w, &lines[..max]);
    let (bytes, keys) = settle_transaction_bytes(&w, &ix)?;
    let (one_more, _) = settle_transaction_bytes(&w, &settle_ix(&w, &lines[..=max]))?;
    let done = w.attempt(vec![ix.clone()], Expect::Any, CalleeErrors::default());
    let heap = done
        .heap
        .iter()
        .map(|(_, usage)| usage.bump_bytes)
        .max()
        .unwrap_or(0);
    println!(
        "  largest settle_usage: {max} workers, {} accounts in the instruction, {keys} keys in the \
         transaction, {bytes} bytes with a compute-unit limit and price (limit \
         {MAX_TRANSACTION_BYTES}; {one_more} with one worker more), heap {heap} bytes",
        ix.accounts.len()
    );
    ensure(done.outcome.is_ok(), || {
        format!("{:?}\n{}", done.outcome, done.logs.join("\n"))
    })?;
    ensure(
        bytes <= MAX_TRANSACTION_BYTES && one_more > MAX_TRANSACTION_BYTES,
        || format!("{bytes} bytes, {one_more} with one worker more"),
    )?;
    ensure(heap <= SBF_HEAP_USABLE_BYTES, || {
        format!("heap {heap} bytes")
    })
}

/// A settlement's transaction as a billing service sends it: a compute-unit limit and price, then
/// `settle_usage`, one signature (the billing wallet pays). Its bytes and account keys.
fn settle_transaction_bytes(w: &World, ix: &Instruction) -> Result<(usize, usize), String> {
    let budget = |tag: u8, value: &[u8]| Instruction {
        program_id: solana_sdk_ids::compute_budget::ID,
        accounts: Vec::new(),
        data: [&[tag], value].concat(),
    };
    let instructions = [
        budget(2, &400_000u32.to_le_bytes()),
        budget(3, &1_000u64.to_le_bytes()),
        ix.clone(),
    ];
    let message = Message::new(&instructions, Some(&w.pubkey(Actor::Billing)));
    let keys = message.account_keys.len();
    let tx = VersionedTransaction {
        signatures: vec![Signature::default(); 1],
        message: VersionedMessage::Legacy(message),
    };
    Ok((
        bincode::serialize(&tx).map_err(|e| e.to_string())?.len(),
        keys,
    ))
}

fn main() {
    let scenarios: [(&str, Scenario); 9] = [
        (
            "pays workers and the treasury exactly",
            pays_workers_and_the_treasury_exactly,
        ),
        ("tier edges", tier_edges),
        (
            "unstaking principal earns no boost",
            unstaking_principal_earns_no_boost,
        ),
        (
            "just-in-time staking gains nothing",
            just_in_time_staking_gains_nothing,
        ),
        (
            "boosts never exceed the gross",
            boosts_never_exceed_the_gross,
        ),
        (
            "every bad input is refused by name",
            every_bad_input_is_refused_by_name,
        ),
        (
            "strangers and workers cannot take a boost",
            strangers_and_workers_cannot_take_a_boost,
        ),
        (
            "a malicious billing authority cannot drain the treasury",
            a_malicious_billing_authority_cannot_drain_the_treasury,
        ),
        (
            "the largest batch fits a transaction",
            the_largest_batch_fits_a_transaction,
        ),
    ];
    run_scenarios(&scenarios);
}
