//! Every case in `fuzz/regressions/` (what a campaign found, shrunk, with what it shows in
//! `about`) replays with every property holding.
//!
//! Runs without the libtest harness (see the campaign). Ends with `N passed, M failed`.

use std::path::Path;

use ashao_fuzz::run::{replay, Case, Stats};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut passed = 0;
    let mut failed = 0;
    for path in &files {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let case: Case = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        {
            Ok(case) => case,
            Err(e) => {
                failed += 1;
                println!("FAILED: {name}: {e}");
                continue;
            }
        };
        match replay(&case, &mut Stats::default()) {
            None => {
                passed += 1;
                println!("ok: {name} ({} steps): {}", case.ops.len(), case.about);
            }
            Some(failure) => {
                failed += 1;
                println!(
                    "FAILED: {name} ({}): step {:?}: {}\n{}",
                    case.about, failure.step, failure.violation.what, failure.violation.detail
                );
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 || files.is_empty() {
        std::process::exit(1);
    }
}
