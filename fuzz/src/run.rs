//! Runs, campaigns, shrinking and replay.
//!
//! A campaign is a sequence of runs; run `r` of campaign seed `S` is built from its own seed
//! (`run_seed(S, r)`): the world's set-up (token program, decimals, parameters, balances) and the
//! generated steps. A failing run is shrunk to a minimal sequence of steps that still fails the
//! same property, printed as a JSON case that `--replay` plays again and that becomes a
//! regression test once copied into `fuzz/regressions/`.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::check::{check_step, Model, Snapshot, Violation};
use crate::errors::CalleeErrors;
use crate::exec::Expect;
use crate::gen;
use crate::heap::HeapUsage;
use crate::ops::Op;
use crate::rng::Rng;
use crate::world::{Actor, Setup, World};

/// A test binary's checks without the libtest harness (see the campaign): each prints `ok:` or
/// `FAILED:`, and [`Checks::finish`] prints `N passed, M failed` and exits 1 on any failure.
#[derive(Default)]
pub struct Checks {
    pub passed: u32,
    pub failed: u32,
}

impl Checks {
    pub fn check(&mut self, name: &str, ok: bool, detail: impl std::fmt::Display) {
        if ok {
            self.passed += 1;
            println!("ok: {name}");
        } else {
            self.failed += 1;
            println!("FAILED: {name}: {detail}");
        }
    }

    pub fn finish(self) {
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed > 0 {
            std::process::exit(1);
        }
    }
}

/// A replayable case: a world's set-up and the steps played in it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Case {
    /// What the case shows (filled in when it becomes a regression).
    pub about: String,
    pub setup: Setup,
    pub ops: Vec<Op>,
}

/// Outcomes of one kind of step.
#[derive(Clone, Debug, Default)]
pub struct Outcomes {
    pub ok: u64,
    pub refused: BTreeMap<String, u64>,
}

/// What a campaign saw.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub runs: u64,
    pub steps: u64,
    pub transactions: u64,
    pub by_step: BTreeMap<&'static str, Outcomes>,
    /// The largest heap each treasury instruction used.
    pub heap: BTreeMap<&'static str, HeapUsage>,
    /// Whether the treasury ran as SBF (from `anchor build`): the runtime then enforces the heap
    /// and stack limits itself, and nothing is measured on the host.
    pub sbf: bool,
    pub elapsed: Duration,
}

impl Stats {
    pub fn steps_per_second(&self) -> f64 {
        self.steps as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn record_heap(&mut self, name: &'static str, usage: HeapUsage) {
        let entry = self.heap.entry(name).or_default();
        entry.bump_bytes = entry.bump_bytes.max(usage.bump_bytes);
        entry.peak_live_bytes = entry.peak_live_bytes.max(usage.peak_live_bytes);
        entry.allocations = entry.allocations.max(usage.allocations);
    }
}

/// A property that failed at a step.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Index of the failing step (`None`: while setting the world up).
    pub step: Option<usize>,
    pub violation: Violation,
}

/// Where a run's steps come from.
enum Steps<'a> {
    Replay(&'a [Op]),
    Generate { rng: Rng, count: usize },
}

/// The seed of run `run` of a campaign.
pub fn run_seed(campaign_seed: u64, run: u64) -> u64 {
    Rng::new(campaign_seed ^ run.wrapping_mul(0xA24B_AED4_963E_E407)).next_u64()
}

/// Initialises the treasury after the initialisations the rules refuse (a stranger, a mint
/// with a freeze authority, an out-of-bounds parameter), each checked like a step.
fn start(world: &mut World, stats: &mut Stats) -> Result<(), Violation> {
    let params = world.initial_params();
    let mut too_short = params.clone();
    too_short.stream_period_secs = 60;
    let stranger = world.pubkey(Actor::Stranger);
    let authority = world.pubkey(Actor::Authority);
    let attempts = [
        (
            world.initialize_ix(stranger, world.usdc_mint, world.ashao_mint, params.clone()),
            "NotUpgradeAuthority",
        ),
        (
            world.initialize_ix(
                authority,
                world.usdc_mint,
                world.freeze_mint,
                params.clone(),
            ),
            "MintHasFreezeAuthority",
        ),
        (
            world.initialize_ix(authority, world.usdc_mint, world.ashao_mint, too_short),
            "StreamPeriodTooShort",
        ),
    ];
    let model = Model::default();
    for (instruction, name) in attempts {
        let before = Snapshot::read(world, None);
        let executed = world.attempt(
            vec![instruction],
            Expect::Refused(Some(name.to_string())),
            CalleeErrors::default(),
        );
        record(stats, "initialize", &executed);
        let after = Snapshot::read(world, None);
        check_step(
            world,
            &Op::Initialize {
                who: Actor::Stranger,
            },
            &executed,
            &before,
            &after,
            &model,
        )?;
    }
    world.initialize().map_err(|f| Violation {
        what: "the upgrade authority initialises".into(),
        detail: format!("{:?}\n{}", f.error, f.logs.join("\n")),
    })?;
    stats.by_step.entry("initialize").or_default().ok += 1;
    let after = Snapshot::read(world, None);
    if after.config.is_none() {
        return Err(Violation {
            what: "the upgrade authority initialises".into(),
            detail: "no config after initialize".into(),
        });
    }
    Ok(())
}

fn record(stats: &mut Stats, kind: &'static str, executed: &crate::exec::Executed) {
    let outcomes = stats.by_step.entry(kind).or_default();
    match &executed.outcome {
        Ok(()) => outcomes.ok += 1,
        Err(refusal) => {
            *outcomes
                .refused
                .entry(refusal.name().to_string())
                .or_default() += 1
        }
    }
    if executed.sent {
        stats.transactions += 1;
    }
    for (name, usage) in &executed.heap {
        stats.record_heap(name, *usage);
    }
}

/// Plays one run. Returns the steps played and the first failure.
fn play(setup: &Setup, steps: Steps, stats: &mut Stats) -> (Vec<Op>, Option<Failure>) {
    let mut played = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut world = World::new(setup.clone());
        stats.sbf |= !world.treasury_native;
        if let Err(violation) = start(&mut world, stats) {
            return Some(Failure {
                step: None,
                violation,
            });
        }
        stats.runs += 1;
        let mut model = Model::default();
        let (mut rng, count, replay) = match steps {
            Steps::Replay(ops) => (Rng::new(0), ops.len(), Some(ops)),
            Steps::Generate { rng, count } => (rng, count, None),
        };
        for index in 0..count {
            let op = match replay {
                Some(ops) => ops[index].clone(),
                None => gen::step(&mut rng, &world),
            };
            played.push(op.clone());
            let before = Snapshot::read(&world, None);
            let executed = world.execute(&op);
            let mut before = before;
            before.user = executed.user_account.and_then(|user| {
                executed
                    .accounts
                    .iter()
                    .find(|(address, _)| *address == user)
                    .map(|(_, account)| {
                        account
                            .as_ref()
                            .and_then(|a| a.data.get(64..72))
                            .and_then(|b| b.try_into().ok())
                            .map_or(0, u64::from_le_bytes)
                    })
            });
            let after = Snapshot::read(&world, executed.user_account);
            stats.steps += 1;
            record(stats, op.kind(), &executed);
            if executed.outcome.is_ok() {
                model.update(&op, executed.amount, &before, &after);
            }
            if let Err(violation) = check_step(&world, &op, &executed, &before, &after, &model) {
                return Some(Failure {
                    step: Some(index),
                    violation,
                });
            }
        }
        None
    }));
    let failure = match outcome {
        Ok(failure) => failure,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            Some(Failure {
                step: played.len().checked_sub(1),
                violation: Violation {
                    what: "no panic anywhere".into(),
                    detail: message,
                },
            })
        }
    };
    (played, failure)
}

/// Replays a case; the first failure, if any.
pub fn replay(case: &Case, stats: &mut Stats) -> Option<Failure> {
    play(&case.setup, Steps::Replay(&case.ops), stats).1
}

/// The smallest sequence found (by removing chunks, then single steps) that still fails the
/// same property. Bounded by `budget`.
pub fn shrink(case: &Case, what: &str, budget: Duration) -> Case {
    let started = Instant::now();
    let fails = |ops: &[Op]| {
        let mut scratch = Stats::default();
        play(&case.setup, Steps::Replay(ops), &mut scratch)
            .1
            .is_some_and(|f| f.violation.what == what)
    };
    let mut ops = case.ops.clone();
    let mut chunks = 2usize;
    while ops.len() > 1 && started.elapsed() < budget {
        let size = ops.len().div_ceil(chunks);
        let mut reduced = false;
        let mut start = 0;
        while start < ops.len() && started.elapsed() < budget {
            let end = (start + size).min(ops.len());
            let candidate: Vec<Op> = ops[..start].iter().chain(&ops[end..]).cloned().collect();
            if !candidate.is_empty() && fails(&candidate) {
                ops = candidate;
                reduced = true;
            } else {
                start = end;
            }
        }
        if reduced {
            chunks = chunks.saturating_sub(1).max(2);
        } else if size == 1 {
            break;
        } else {
            chunks = (chunks * 2).min(ops.len());
        }
    }
    Case {
        about: String::new(),
        setup: case.setup.clone(),
        ops,
    }
}

/// How a campaign runs.
#[derive(Clone, Debug)]
pub struct CampaignConfig {
    pub seed: u64,
    /// Steps in all (the last run is cut short to fit).
    pub steps: u64,
    /// Steps per run: a fresh world every so often keeps set-ups varied and failures short.
    pub steps_per_run: u64,
    /// Print a progress line about this often.
    pub progress_every: Option<Duration>,
    /// How long shrinking a failure may take.
    pub shrink_budget: Duration,
}

/// A failure a campaign found, shrunk.
#[derive(Clone, Debug)]
pub struct Found {
    pub run: u64,
    pub run_seed: u64,
    pub step: Option<usize>,
    pub violation: Violation,
    pub original_steps: usize,
    pub shrunk: Case,
}

pub struct CampaignReport {
    pub stats: Stats,
    pub found: Option<Found>,
}

/// Runs a campaign until its steps are spent or a property fails.
pub fn campaign(config: &CampaignConfig) -> CampaignReport {
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut last_progress = Instant::now();
    let mut run = 0u64;
    while stats.steps < config.steps {
        let seed = run_seed(config.seed, run);
        let setup = Setup::from_seed(seed);
        let count = config.steps_per_run.min(config.steps - stats.steps) as usize;
        let steps = Steps::Generate {
            rng: Rng::new(seed),
            count,
        };
        let (played, failure) = play(&setup, steps, &mut stats);
        stats.elapsed = started.elapsed();
        if let Some(failure) = failure {
            let case = Case {
                about: String::new(),
                setup,
                ops: played,
            };
            let shrunk = shrink(&case, &failure.violation.what, config.shrink_budget);
            return CampaignReport {
                stats,
                found: Some(Found {
                    run,
                    run_seed: seed,
                    step: failure.step,
                    violation: failure.violation,
                    original_steps: case.ops.len(),
                    shrunk,
                }),
            };
        }
        if let Some(every) = config.progress_every {
            if last_progress.elapsed() >= every {
                last_progress = Instant::now();
                eprintln!(
                    "fuzz: {}/{} steps, {} runs, {} transactions, {:.0} steps/s",
                    stats.steps,
                    config.steps,
                    stats.runs,
                    stats.transactions,
                    stats.steps_per_second()
                );
            }
        }
        run += 1;
    }
    stats.elapsed = started.elapsed();
    CampaignReport { stats, found: None }
}

/// The report of a failure: seed, property, and the shrunk case as JSON.
pub fn describe(config: &CampaignConfig, found: &Found) -> String {
    let json = serde_json::to_string_pretty(&found.shrunk).unwrap_or_default();
    format!(
        "FAILED: campaign seed {} run {} (run seed {}), step {:?} of {}: {}\n{}\n\
         shrunk to {} steps (replay: npm run fuzz -- --replay <file>; as a regression: save it \
         in fuzz/regressions/<name>.json with an `about` and run prettier on it):\n{json}",
        config.seed,
        found.run,
        found.run_seed,
        found.step,
        found.original_steps,
        found.violation.what,
        found.violation.detail,
        found.shrunk.ops.len()
    )
}

/// The outcomes per kind of step, and the heap per instruction, as text tables.
pub fn summary(stats: &Stats) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} steps in {} runs ({} transactions) in {:.1} s: {:.0} steps/s\n",
        stats.steps,
        stats.runs,
        stats.transactions,
        stats.elapsed.as_secs_f64(),
        stats.steps_per_second()
    ));
    out.push_str("step                  ok  refused (by name)\n");
    for (kind, outcomes) in &stats.by_step {
        let refused: u64 = outcomes.refused.values().sum();
        let mut names: Vec<(&String, &u64)> = outcomes.refused.iter().collect();
        names.sort_by(|a, b| b.1.cmp(a.1));
        let top: Vec<String> = names
            .iter()
            .take(6)
            .map(|(n, c)| format!("{n} {c}"))
            .collect();
        out.push_str(&format!(
            "{kind:<20} {:>5} {:>6}  {}\n",
            outcomes.ok,
            refused,
            top.join(", ")
        ));
    }
    out.push_str("instruction            heap (bump)  peak live  allocations\n");
    for (name, usage) in &stats.heap {
        out.push_str(&format!(
            "{name:<22} {:>11} {:>10} {:>12}\n",
            usage.bump_bytes, usage.peak_live_bytes, usage.allocations
        ));
    }
    out
}
