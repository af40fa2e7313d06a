//! What native execution hides from the SBF limits, checked without SBF:
//!
//! - heap: every instruction, in its largest form (eight boost tiers, eight cranks, the largest
//!   queued change, a buyback with instructions between its halves), stays under the 32 KiB a
//!   program gets, as the SBF bump allocator would count it (see `ashao_fuzz::heap`);
//! - stack: every `Accounts` struct and every value the program holds on the stack (state,
//!   parameters, events, the decoded price update) is far below SBF's 4 KiB frame;
//! - size: each instruction's accounts (count, writable, signers, bytes of data loaded) and each
//!   SDK action's transaction bytes against the 1232-byte packet.
//!
//! Prints the tables docs/ARCHITECTURE.md quotes. Runs without the libtest harness (see the
//! campaign), ending with `N passed, M failed`.

use std::collections::BTreeMap;
use std::mem::size_of;

use anchor_lang::prelude::ProgramData;
use anchor_spl::associated_token::spl_associated_token_account;
use anchor_spl::token::spl_token;
use ashao_fuzz::errors::CalleeErrors;
use ashao_fuzz::exec::{Executed, Expect};
use ashao_fuzz::heap::{measure, HeapUsage, SBF_HEAP_USABLE_BYTES};
use ashao_fuzz::ops::{
    AgeCase, Amount, Change, ConfCase, Defect, Feed, Guard, MinOut, Op, Oracle, PriceCase, Shape,
    Sub, SwapTarget,
};
use ashao_fuzz::run::Checks;
use ashao_fuzz::world::{Actor, Setup, Vault, World, FEED_ID};
use ashao_treasury::constants::{MAX_UNSTAKE_TICKETS, MIN_TIMELOCK_SECS};
use ashao_treasury::instructions as ix;
use ashao_treasury::oracle::PriceGuard;
use ashao_treasury::state::BoostTier;
use solana_instruction::{AccountMeta, Instruction};
use solana_message::{Message, VersionedMessage};
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;

/// The largest `Accounts` struct we allow: every large account is boxed, so a struct is a few
/// words per account.
const MAX_ACCOUNTS_STRUCT_BYTES: usize = 512;
/// The largest value the program may hold on its stack: half of SBF's 4 KiB frame, so a frame
/// holding one of them still has room for its other locals.
const MAX_STACK_VALUE_BYTES: usize = 2_048;
/// SBF's stack frame.
const SBF_FRAME_BYTES: usize = 4_096;
/// A transaction packet.
const MAX_TRANSACTION_BYTES: usize = 1_232;

// ---------------------------------------------------------------------------------------------
// Stack

fn stack(checks: &mut Checks) {
    let accounts: [(&str, usize); 18] = [
        ("Initialize", size_of::<ix::Initialize>()),
        ("UpdateConfig", size_of::<ix::UpdateConfig>()),
        ("QueueConfigChange", size_of::<ix::QueueConfigChange>()),
        ("ApplyConfigChange", size_of::<ix::ApplyConfigChange>()),
        ("CancelConfigChange", size_of::<ix::CancelConfigChange>()),
        ("ProposeAuthority", size_of::<ix::ProposeAuthority>()),
        ("AcceptAuthority", size_of::<ix::AcceptAuthority>()),
        ("SetPaused", size_of::<ix::SetPaused>()),
        ("BeginBuyback", size_of::<ix::BeginBuyback>()),
        ("FinishBuyback", size_of::<ix::FinishBuyback>()),
        ("DepositRevenue", size_of::<ix::DepositRevenue>()),
        ("SyncRevenue", size_of::<ix::SyncRevenue>()),
        ("SettleUsage", size_of::<ix::SettleUsage>()),
        ("Stake", size_of::<ix::Stake>()),
        ("RequestUnstake", size_of::<ix::RequestUnstake>()),
        ("Withdraw", size_of::<ix::Withdraw>()),
        ("Claim", size_of::<ix::Claim>()),
        ("ClosePosition", size_of::<ix::ClosePosition>()),
    ];
    use ashao_treasury::events as e;
    use ashao_treasury::math::buyback::{BuybackOutcome, BuybackSnapshot};
    use ashao_treasury::math::rewards::RewardStream;
    use ashao_treasury::oracle::OraclePrice;
    use ashao_treasury::state as s;
    let values: [(&str, usize); 36] = [
        ("TreasuryConfig", size_of::<s::TreasuryConfig>()),
        ("StakePosition", size_of::<s::StakePosition>()),
        ("UsageLedger", size_of::<s::UsageLedger>()),
        ("TreasuryParams", size_of::<s::TreasuryParams>()),
        ("ConfigChange", size_of::<s::ConfigChange>()),
        ("PendingBuyback", size_of::<s::PendingBuyback>()),
        ("SyncOutcome", size_of::<s::SyncOutcome>()),
        ("BuybackBalances", size_of::<s::BuybackBalances>()),
        ("PriceGuard", size_of::<PriceGuard>()),
        ("OraclePrice", size_of::<OraclePrice>()),
        ("RewardStream", size_of::<RewardStream>()),
        ("BuybackSnapshot", size_of::<BuybackSnapshot>()),
        ("BuybackOutcome", size_of::<BuybackOutcome>()),
        (
            "PriceUpdateV2 (decoded)",
            size_of::<pyth_solana_receiver_sdk::price_update::PriceUpdateV2>(),
        ),
        ("ProgramData", size_of::<ProgramData>()),
        ("TreasuryInitialized", size_of::<e::TreasuryInitialized>()),
        ("RevenueDeposited", size_of::<e::RevenueDeposited>()),
        ("Staked", size_of::<e::Staked>()),
        ("UnstakeRequested", size_of::<e::UnstakeRequested>()),
        ("Withdrawn", size_of::<e::Withdrawn>()),
        ("RewardsClaimed", size_of::<e::RewardsClaimed>()),
        ("PositionClosed", size_of::<e::PositionClosed>()),
        ("ConfigUpdated", size_of::<e::ConfigUpdated>()),
        ("AuthorityProposed", size_of::<e::AuthorityProposed>()),
        ("ConfigChangeQueued", size_of::<e::ConfigChangeQueued>()),
        ("ConfigChangeApplied", size_of::<e::ConfigChangeApplied>()),
        (
            "ConfigChangeCancelled",
            size_of::<e::ConfigChangeCancelled>(),
        ),
        ("AuthorityTransferred", size_of::<e::AuthorityTransferred>()),
        ("PauseSet", size_of::<e::PauseSet>()),
        ("BuybackExecuted", size_of::<e::BuybackExecuted>()),
        ("WorkerPaid", size_of::<e::WorkerPaid>()),
        ("UsageSettled", size_of::<e::UsageSettled>()),
        ("BoostTier", size_of::<BoostTier>()),
        ("UnstakeTicket", size_of::<s::UnstakeTicket>()),
        (
            "Account<TreasuryConfig>",
            size_of::<anchor_lang::prelude::Account<s::TreasuryConfig>>(),
        ),
        (
            "Box<Account<TreasuryConfig>>",
            size_of::<Box<anchor_lang::prelude::Account<s::TreasuryConfig>>>(),
        ),
    ];
    println!(
        "\naccount sizes: TreasuryConfig {}, StakePosition {} bytes",
        8 + <s::TreasuryConfig as anchor_lang::Space>::INIT_SPACE,
        8 + <s::StakePosition as anchor_lang::Space>::INIT_SPACE
    );
    println!("\nstack: Accounts structs (bytes; bound {MAX_ACCOUNTS_STRUCT_BYTES})");
    for (name, size) in accounts {
        println!("  {name:<22} {size:>5}");
        checks.check(
            &format!("stack: {name} accounts struct <= {MAX_ACCOUNTS_STRUCT_BYTES} bytes"),
            size <= MAX_ACCOUNTS_STRUCT_BYTES,
            format!("{size} bytes (box a large account)"),
        );
    }
    println!("\nstack: values held on the stack (bytes; bound {MAX_STACK_VALUE_BYTES} of a {SBF_FRAME_BYTES}-byte frame)");
    for (name, size) in values {
        println!("  {name:<30} {size:>5}");
        checks.check(
            &format!("stack: {name} <= {MAX_STACK_VALUE_BYTES} bytes"),
            size <= MAX_STACK_VALUE_BYTES,
            format!("{size} bytes"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Heap and size, from one world where every instruction runs in its largest form

/// Every instruction once, in its largest form, successfully.
fn scenario() -> Vec<Op> {
    let cranks: Vec<Actor> = Actor::ALL[..8].to_vec();
    let largest = Change {
        stream_period_secs: Some(7_200),
        unstake_cooldown_secs: Some(3_600),
        boost_tiers: Some((1..=8u64).map(|i| (i * 1_000, (i * 100) as u16)).collect()),
        max_buyback_usdc: Some(1_000_000_000_000),
        min_buyback_interval_secs: Some(60),
        max_slippage_bps: Some(1_000),
        swap_program: Some(SwapTarget::TestAmm),
        cranks: Some(cranks),
        price_guard: Some(Guard::Pyth {
            feed: Feed::Ashao,
            max_age_secs: 3_600,
            max_confidence_bps: 1_000,
        }),
        timelock_secs: Some(MIN_TIMELOCK_SECS),
    };
    let good_price = Oracle {
        price: PriceCase::Above(100),
        exponent: -8,
        age: AgeCase::Fresh,
        conf: ConfCase::AtLimit,
        defect: Defect::None,
    };
    // Eight unstake requests a second apart: the most tickets a position holds.
    let mut unstakes = Vec::new();
    for _ in 1..MAX_UNSTAKE_TICKETS {
        unstakes.push(Op::RequestUnstake {
            who: Actor::Alice,
            amount: Amount::PerMille(100),
            sub: Sub::None,
        });
        unstakes.push(Op::Warp(1));
    }
    unstakes.push(Op::RequestUnstake {
        who: Actor::Alice,
        amount: Amount::All,
        sub: Sub::None,
    });
    let mut ops = vec![
        Op::DepositRevenue {
            who: Actor::Stranger,
            amount: Amount::Exact(10_000_000_000),
            sub: Sub::None,
        },
        Op::Stake {
            who: Actor::Whale,
            amount: Amount::PerMille(500),
            sub: Sub::None,
        },
        Op::Stake {
            who: Actor::Alice,
            amount: Amount::All,
            sub: Sub::None,
        },
        Op::QueueConfigChange {
            who: Actor::Authority,
            change: largest.clone(),
        },
        Op::Warp(2 * 86_400),
        Op::ApplyConfigChange { who: Actor::Bob },
        // An update that supersedes the largest queued change, then one cancelled.
        Op::QueueConfigChange {
            who: Actor::Authority,
            change: Change {
                stream_period_secs: Some(10_800),
                ..largest.clone()
            },
        },
        Op::UpdateConfig {
            who: Actor::Authority,
            change: Change {
                max_slippage_bps: Some(500),
                ..Change::default()
            },
        },
        Op::QueueConfigChange {
            who: Actor::Authority,
            change: Change {
                stream_period_secs: Some(10_800),
                ..largest
            },
        },
        Op::CancelConfigChange {
            who: Actor::Authority,
        },
        Op::PlainTransfer {
            who: Actor::Stranger,
            to: Vault::Rewards,
            amount: Amount::Exact(3_000_000),
        },
        Op::SyncRevenue {
            who: Actor::Stranger,
            sub: Sub::None,
        },
        Op::Warp(3_600),
        Op::Buyback {
            who: Actor::Crank,
            amount: Amount::PerMille(100),
            min_out: MinOut::Quote,
            oracle: good_price,
            shape: Shape::AllowedBetween,
            sub: Sub::None,
        },
        Op::Claim {
            who: Actor::Whale,
            sub: Sub::None,
        },
    ];
    ops.extend(unstakes);
    ops.extend([
        Op::Warp(3_600),
        Op::Withdraw {
            who: Actor::Alice,
            sub: Sub::None,
        },
        Op::Claim {
            who: Actor::Alice,
            sub: Sub::None,
        },
        Op::ClosePosition {
            who: Actor::Alice,
            sub: Sub::None,
        },
        Op::ProposeAuthority {
            who: Actor::Authority,
            to: Some(Actor::NewAuthority),
        },
        Op::Warp(u64::from(MIN_TIMELOCK_SECS)),
        Op::AcceptAuthority {
            who: Actor::NewAuthority,
        },
        Op::SetPaused {
            who: Actor::NewAuthority,
            paused: true,
        },
    ]);
    ops
}

fn largest_params(world: &World) -> ashao_treasury::state::TreasuryParams {
    let mut params = world.initial_params();
    params.boost_tiers = (1..=8u64)
        .map(|i| BoostTier {
            min_stake: i * 10,
            boost_bps: (i * 100) as u16,
        })
        .collect();
    params.cranks = Actor::ALL[..8].iter().map(|a| world.pubkey(*a)).collect();
    params.price_guard = PriceGuard::PythPull {
        feed_id: FEED_ID,
        max_age_secs: 3_600,
        max_confidence_bps: 1_000,
    };
    params.max_buyback_usdc = 1_000_000_000_000;
    params.min_buyback_interval_secs = 60;
    params.max_slippage_bps = 1_000;
    params
}

/// The transaction an SDK action sends: the wallet pays, with the action's extra instructions.
fn transaction_bytes(instructions: &[Instruction], fee_payer: &solana_address::Address) -> usize {
    let message = Message::new(instructions, Some(fee_payer));
    let signatures =
        vec![Signature::default(); usize::from(message.header.num_required_signatures)];
    let tx = VersionedTransaction {
        signatures,
        message: VersionedMessage::Legacy(message),
    };
    bincode::serialize(&tx).map_or(usize::MAX, |b| b.len())
}

fn compute_budget(tag: u8, value: u64, len: usize) -> Instruction {
    let mut data = vec![tag];
    data.extend_from_slice(&value.to_le_bytes()[..len]);
    Instruction {
        program_id: solana_sdk_ids::compute_budget::ID,
        accounts: Vec::<AccountMeta>::new(),
        data,
    }
}

fn heap_and_size(checks: &mut Checks, token_2022: bool) {
    let mut setup = Setup::from_seed(7);
    setup.ashao_token_2022 = token_2022;
    setup.ashao_decimals = 9;
    setup.pool_fee_bps = 30;
    setup.params.unstake_cooldown_secs = 3_600;
    setup.params.timelock_secs = MIN_TIMELOCK_SECS;
    let mut world = World::new(setup);
    let program = if token_2022 {
        "Token-2022"
    } else {
        "SPL Token"
    };
    let initialize = world.initialize_ix(
        world.pubkey(Actor::Authority),
        world.usdc_mint,
        world.ashao_mint,
        largest_params(&world),
    );
    let initialized = world.attempt(
        vec![initialize],
        Expect::Ok("initialize"),
        CalleeErrors::default(),
    );
    checks.check(
        &format!("scenario ({program} $ASHAO): initialize with eight tiers and eight cranks"),
        initialized.outcome.is_ok(),
        format!("{:?}\n{}", initialized.outcome, initialized.logs.join("\n")),
    );
    let mut rows: Vec<(String, Executed)> = vec![("initialize".to_string(), initialized)];
    for op in scenario() {
        let executed = world.execute(&op);
        if !executed.sent {
            continue;
        }
        checks.check(
            &format!("scenario ({program} $ASHAO): {} succeeds", op.kind()),
            executed.outcome.is_ok(),
            format!("{:?}\n{}", executed.outcome, executed.logs.join("\n")),
        );
        rows.push((op.kind().to_string(), executed));
    }

    if !world.treasury_native {
        println!(
            "\nthe treasury runs as SBF (target/deploy): the runtime enforced its heap and stack"
        );
    }
    println!("\nheap per instruction ({program} $ASHAO; SBF bump allocator, bytes of {SBF_HEAP_USABLE_BYTES} usable)");
    // The largest use of each instruction in the scenario.
    let mut heap: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let uses = rows
        .iter()
        .flat_map(|(_, executed)| executed.heap.iter().copied());
    for (name, usage) in uses {
        let entry = heap.entry(name).or_default();
        entry.0 = entry.0.max(usage.bump_bytes);
        entry.1 = entry.1.max(usage.peak_live_bytes);
    }
    for (name, (bump, live)) in &heap {
        println!("  {name:<22} {bump:>6} (peak live {live})");
        checks.check(
            &format!("heap ({program}): {name} under the SBF heap"),
            *bump <= SBF_HEAP_USABLE_BYTES,
            format!("{bump} bytes"),
        );
    }

    if token_2022 {
        return;
    }
    println!("\naccounts per instruction (programs and sysvars among them; data bytes of the other accounts when it ran)");
    println!("| instruction | accounts | programs, sysvars | writable | signers | account data (bytes) | instruction data (bytes) |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut seen = Vec::new();
    for (_, executed) in &rows {
        for instruction in executed
            .instructions
            .iter()
            .filter(|i| i.program_id == ashao_treasury::ID)
        {
            let name = ashao_fuzz::exec::treasury_instruction_name(&instruction.data);
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let metas = &instruction.accounts;
            // As they were when the instruction ran.
            let accounts: Vec<_> = metas
                .iter()
                .map(|m| {
                    executed
                        .accounts
                        .iter()
                        .find(|(address, _)| *address == m.pubkey)
                        .and_then(|(_, account)| account.clone())
                })
                .collect();
            let is_program_or_sysvar = |a: &Option<solana_account::Account>| {
                a.as_ref()
                    .is_some_and(|a| a.executable || a.owner == solana_sdk_ids::sysvar::ID)
            };
            let data: usize = accounts
                .iter()
                .filter(|a| !is_program_or_sysvar(a))
                .map(|a| a.as_ref().map_or(0, |a| a.data.len()))
                .sum();
            println!(
                "| `{name}` | {} | {} | {} | {} | {} | {} |",
                metas.len(),
                accounts.iter().filter(|a| is_program_or_sysvar(a)).count(),
                metas.iter().filter(|m| m.is_writable).count(),
                metas.iter().filter(|m| m.is_signer).count(),
                data,
                instruction.data.len()
            );
        }
    }

    println!("\ntransaction bytes per SDK action (legacy message, the wallet pays; limit {MAX_TRANSACTION_BYTES})");
    println!("| SDK action | instructions | bytes |");
    println!("| --- | --- | --- |");
    let mut seen = Vec::new();
    for (kind, executed) in &rows {
        if seen.contains(kind) {
            continue;
        }
        seen.push(kind.clone());
        let treasury: Vec<Instruction> = executed
            .instructions
            .iter()
            .filter(|i| i.program_id == ashao_treasury::ID)
            .cloned()
            .collect();
        let Some(first) = treasury.first() else {
            continue;
        };
        let wallet = first
            .accounts
            .iter()
            .find(|m| m.is_signer)
            .map(|m| m.pubkey)
            .unwrap_or_default();
        let (action, instructions) = match kind.as_str() {
            // withdraw/claim create the destination account when it is missing.
            "withdraw" | "claim" => {
                let (mint, program) = if kind == "withdraw" {
                    (world.ashao_mint, world.ashao_program)
                } else {
                    (world.usdc_mint, spl_token::ID)
                };
                let create = spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                    &wallet, &wallet, &mint, &program,
                );
                (
                    format!("{kind} (creating the destination)"),
                    vec![create, first.clone()],
                )
            }
            // The crank's transaction: compute budget, its two accounts (idempotent), begin,
            // the route (here the test AMM), finish.
            "buyback" => {
                let swap = executed
                    .instructions
                    .iter()
                    .find(|i| i.program_id == test_amm::ID)
                    .cloned()
                    .into_iter();
                let mut all = vec![
                    compute_budget(2, 400_000, 4),
                    compute_budget(3, 1, 8),
                    spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                        &wallet, &wallet, &world.usdc_mint, &spl_token::ID,
                    ),
                    spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                        &wallet, &wallet, &world.ashao_mint, &world.ashao_program,
                    ),
                    treasury[0].clone(),
                ];
                all.extend(swap);
                all.extend(treasury[1..].iter().cloned());
                ("buyback (test AMM route)".to_string(), all)
            }
            _ => (kind.clone(), treasury.clone()),
        };
        let bytes = transaction_bytes(&instructions, &wallet);
        println!("| {action} | {} | {bytes} |", instructions.len());
        checks.check(
            &format!("size: {action} fits a transaction"),
            bytes <= MAX_TRANSACTION_BYTES,
            format!("{bytes} bytes"),
        );
    }
}

/// The meter counts as the SBF bump allocator does: every allocation, aligned, never freed.
fn meter(checks: &mut Checks) {
    let (_, usage) = measure(HeapUsage::default(), || {
        let bytes: Vec<u8> = Vec::with_capacity(1_001);
        let word = Box::new(7u64);
        drop(bytes);
        drop(word);
        let mut grown: Vec<u64> = Vec::new();
        for i in 0..5 {
            grown.push(i);
        }
    });
    // 1_001 bytes, then 8 aligned to 8 (1_008 + 8 = 1_016), then the vector's 4 then 8 words.
    checks.check(
        "the heap meter counts like the SBF bump allocator",
        usage.bump_bytes == 1_016 + 32 + 64 && usage.peak_live_bytes == 1_009,
        format!("{usage:?}"),
    );
    println!("\nentrypoint heap (deserialize's account list, before the program runs):");
    for n in [2usize, 7, 11] {
        let usage = ashao_fuzz::heap::entrypoint_usage_distinct(n);
        println!("  {n:>2} accounts: {} bytes", usage.bump_bytes);
    }
}

fn main() {
    let mut checks = Checks::default();
    meter(&mut checks);
    stack(&mut checks);
    heap_and_size(&mut checks, false);
    heap_and_size(&mut checks, true);
    checks.finish();
}
