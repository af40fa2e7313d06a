#!/usr/bin/env bash
# The repository's whole test command (the README's and CI's): formatting, lints, generated-code
# freshness, Rust unit/property/runtime tests, then the TypeScript suites against the local
# validator. Prints each runner's summary and a total at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
started=$SECONDS

bash scripts/setup.sh

step "rustfmt"
cargo fmt --all --check
step "clippy (-D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings
step "generated code is fresh (IDL and TypeScript types)"
cargo run --locked -q -p idl-gen -- --check
has_script() { node -e "process.exit(require('./package.json').scripts?.['$1'] ? 0 : 1)"; }
if has_script lint; then
  step "TypeScript lint, format and type check"
  npm run -s lint
fi

mkdir -p artifacts
# Sums the numbers in the matches of a pattern (0 when nothing matches).
count_matches() { { grep -Eo "$1" "$2" || true; } | awk '{s+=$(NF-1)} END {printf "%d\n", s}'; }
step "cargo test (unit, property and in-process runtime tests)"
cargo test --locked --workspace --exclude ashao-fuzz 2>&1 | tee artifacts/cargo-test.log
# A bounded campaign from a fixed seed (about a minute on two idle cores; `npm run fuzz` runs
# longer ones), the fuzzer's regressions and the SBF limits; counted with the cargo tests.
step "stateful fuzz campaign, its regressions and the SBF limits (ashao-fuzz)"
cargo test --locked -p ashao-fuzz 2>&1 | tee -a artifacts/cargo-test.log
rust_passed=$(( $(count_matches 'test result: [a-zA-Z]+\. [0-9]+ passed' artifacts/cargo-test.log) + $(count_matches '^[0-9]+ passed' artifacts/cargo-test.log) ))
rust_failed=$(( $(count_matches 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' artifacts/cargo-test.log) + $(count_matches '^[0-9]+ passed, [0-9]+ failed' artifacts/cargo-test.log) ))
rust_ignored=$(count_matches 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed; [0-9]+ ignored' artifacts/cargo-test.log)

: > artifacts/ts-mocha.log
ts_status=0
if has_script test:ts; then
  step "ts-mocha (against fresh local validators)"
  set +e
  npm run -s test:ts 2>&1 | tee artifacts/ts-mocha.log
  ts_status=${PIPESTATUS[0]}
  set -e
fi
ts_passed=$(count_matches '^ +[0-9]+ passing' artifacts/ts-mocha.log)
ts_failed=$(count_matches '^ +[0-9]+ failing' artifacts/ts-mocha.log)
ts_pending=$(count_matches '^ +[0-9]+ pending' artifacts/ts-mocha.log)

step "summary ($((SECONDS - started)) s)"
echo "cargo: $rust_passed passed, $rust_failed failed, $rust_ignored skipped"
echo "ts-mocha: $ts_passed passed, $ts_failed failed, $ts_pending skipped"
total_failed=$((rust_failed + ts_failed + ts_pending + rust_ignored))
echo "total: $((rust_passed + ts_passed)) passed, $total_failed failed"
[ "$ts_status" -eq 0 ] && [ "$total_failed" -eq 0 ]
