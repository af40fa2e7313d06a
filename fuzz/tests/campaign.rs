//! The bounded campaign `npm test` runs: a fixed number of steps from a fixed seed (about a
//! minute on two idle cores). `ASHAO_FUZZ_STEPS` and `ASHAO_FUZZ_SEED` override them;
//! `npm run fuzz -- --steps N --seed S` runs longer campaigns.
//!
//! Checks: no property failed (else the seed and the shrunk case are printed); every
//! instruction both succeeded and was refused; every instruction's heap stayed under SBF's.
//!
//! Runs without the libtest harness: libtest captures `println!` per thread, which would hide
//! the programs' `msg!` lines from the validator's stdout capture and count its buffer as the
//! program's heap. Ends with `N passed, M failed`.

use std::time::Duration;

use ashao_fuzz::heap::SBF_HEAP_USABLE_BYTES;
use ashao_fuzz::run::{campaign, describe, summary, CampaignConfig};

const STEPS: u64 = 36_000;
const SEED: u64 = 0xA5A0_2025;

/// Every kind of step that sends a treasury instruction; each must have been seen succeeding and
/// refused.
const INSTRUCTIONS: [&str; 18] = [
    "initialize",
    "update_config",
    "queue_config_change",
    "apply_config_change",
    "cancel_config_change",
    "propose_authority",
    "accept_authority",
    "set_paused",
    "deposit_revenue",
    "settle_usage",
    "sync_revenue",
    "stake",
    "request_unstake",
    "withdraw",
    "claim",
    "close_position",
    "buyback",
    "plain_transfer",
];

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let config = CampaignConfig {
        seed: env("ASHAO_FUZZ_SEED", SEED),
        steps: env("ASHAO_FUZZ_STEPS", STEPS),
        steps_per_run: 400,
        progress_every: Some(Duration::from_secs(20)),
        shrink_budget: Duration::from_secs(120),
    };
    println!(
        "fuzz campaign: seed {}, {} steps, {} per run",
        config.seed, config.steps, config.steps_per_run
    );
    let report = campaign(&config);
    println!("{}", summary(&report.stats));

    let mut passed = 0;
    let mut failed = 0;
    let mut check = |name: &str, ok: bool, detail: String| {
        if ok {
            passed += 1;
            println!("ok: {name}");
        } else {
            failed += 1;
            println!("FAILED: {name}: {detail}");
        }
    };

    check(
        "every property held after every step",
        report.found.is_none(),
        report
            .found
            .as_ref()
            .map(|found| describe(&config, found))
            .unwrap_or_default(),
    );
    let stats = &report.stats;
    let one_sided: Vec<String> = INSTRUCTIONS
        .iter()
        .filter(|kind| {
            let outcomes = stats.by_step.get(*kind);
            let ok = outcomes.map_or(0, |o| o.ok);
            let refused: u64 = outcomes.map_or(0, |o| o.refused.values().sum());
            ok == 0 || (refused == 0 && **kind != "plain_transfer")
        })
        .map(|kind| kind.to_string())
        .collect();
    check(
        "every instruction succeeded and was refused",
        report.found.is_some() || one_sided.is_empty(),
        format!("only one outcome seen for: {}", one_sided.join(", ")),
    );
    let over: Vec<String> = stats
        .heap
        .iter()
        .filter(|(_, usage)| usage.bump_bytes > SBF_HEAP_USABLE_BYTES)
        .map(|(name, usage)| format!("{name} {} bytes", usage.bump_bytes))
        .collect();
    if stats.sbf {
        println!(
            "the treasury ran as SBF: the runtime enforced its heap, stack and compute limits"
        );
    }
    check(
        "every instruction's heap stays under SBF's 32 KiB",
        over.is_empty() && (report.found.is_some() || stats.sbf || stats.heap.len() == 18),
        format!(
            "over: [{}]; measured {} instructions",
            over.join(", "),
            stats.heap.len()
        ),
    );
    println!(
        "fuzz campaign: {} steps, {:.0} steps/s",
        stats.steps,
        stats.steps_per_second()
    );
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
