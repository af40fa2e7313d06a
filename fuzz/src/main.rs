//! `npm run fuzz -- [--steps N] [--seed S] [--steps-per-run K] [--replay case.json]`
//!
//! Runs a campaign (a progress line every few seconds, then the outcome table and the heap
//! figures) or replays a case. Exits 1 when a property fails, after printing the seed and the
//! shrunk case.

use std::process::ExitCode;
use std::time::Duration;

use ashao_fuzz::run::{campaign, describe, replay, summary, CampaignConfig, Case, Stats};

const USAGE: &str =
    "usage: ashao-fuzz [--steps N] [--seed S] [--steps-per-run K] [--replay case.json]";

fn parse() -> Result<(CampaignConfig, Option<String>), String> {
    let mut config = CampaignConfig {
        seed: 1,
        steps: 20_000,
        steps_per_run: 400,
        progress_every: Some(Duration::from_secs(5)),
        shrink_budget: Duration::from_secs(300),
    };
    let mut replay = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        let number = |v: String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|e| format!("{flag}: {e}"))
        };
        match flag.as_str() {
            "--steps" => config.steps = number(value()?)?,
            "--seed" => config.seed = number(value()?)?,
            "--steps-per-run" => config.steps_per_run = number(value()?)?.max(1),
            "--replay" => replay = Some(value()?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((config, replay))
}

fn main() -> ExitCode {
    let (config, replay_path) = match parse() {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = replay_path {
        let case: Case = match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        {
            Ok(case) => case,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        let mut stats = Stats::default();
        return match replay(&case, &mut stats) {
            None => {
                println!("{path}: {} steps, every property held", case.ops.len());
                ExitCode::SUCCESS
            }
            Some(failure) => {
                println!(
                    "{path}: step {:?}: {}\n{}",
                    failure.step, failure.violation.what, failure.violation.detail
                );
                ExitCode::FAILURE
            }
        };
    }
    eprintln!(
        "fuzz: campaign seed {}, {} steps, {} per run",
        config.seed, config.steps, config.steps_per_run
    );
    let report = campaign(&config);
    println!("{}", summary(&report.stats));
    match &report.found {
        None => ExitCode::SUCCESS,
        Some(found) => {
            println!("{}", describe(&config, found));
            ExitCode::FAILURE
        }
    }
}
