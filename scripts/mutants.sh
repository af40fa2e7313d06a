#!/usr/bin/env bash
# `npm run mutants -- [cargo-mutants options]`: mutation testing of the treasury program
# (programs/ashao-treasury) against its Rust tests and the fuzz campaign. Installs cargo-mutants
# (pinned) when missing, runs it in the copy of the tree it makes itself (the working tree is
# never mutated), prints a progress line, then killed / missed / unviable / timed out per file.
# Options pass through, e.g. `-f programs/ashao-treasury/src/oracle/pyth.rs`, `--shard 1/4`,
# `--iterate` (only what the last run did not kill), `--list`. Quicker in two passes: first
# `--test-package ashao-treasury` (the program's own tests, seconds a mutant), then `--iterate`
# (what survived, against the fuzz crate too). Its configuration, and the
# surviving mutants accepted with the reason each cannot change behaviour, are in
# .cargo/mutants.toml; docs/ARCHITECTURE.md ("Mutation testing") has the figures.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

CARGO_MUTANTS_VERSION=27.1.0
tools_root="${ASHAO_TOOLS_ROOT:-$HOME/.cache/ashao-tools}/cargo-mutants-$CARGO_MUTANTS_VERSION"
cargo_mutants="$tools_root/bin/cargo-mutants"
if ! "$cargo_mutants" mutants --version 2>/dev/null | grep -qx "cargo-mutants $CARGO_MUTANTS_VERSION"; then
  step "installing cargo-mutants $CARGO_MUTANTS_VERSION into $tools_root"
  # Its own build directory, not the workspace's.
  env -u CARGO_TARGET_DIR cargo install --locked cargo-mutants \
    --version "$CARGO_MUTANTS_VERSION" --root "$tools_root"
fi

# The mutants build in their own target directory (seeded from the workspace's, so the
# dependencies are warm), so a run never waits on, or invalidates, the workspace's builds.
mutants_target="${ASHAO_MUTANTS_TARGET_DIR:-$CARGO_TARGET_DIR-mutants}"
if [ ! -d "$mutants_target" ] && [ -d "$CARGO_TARGET_DIR" ]; then
  step "seeding $mutants_target from $CARGO_TARGET_DIR"
  cp -a "$CARGO_TARGET_DIR" "$mutants_target"
fi
export CARGO_TARGET_DIR="$mutants_target"
# The campaign each mutant faces: npm test's 36,000 steps from its seed (about 25 s).
export ASHAO_FUZZ_STEPS="${ASHAO_MUTANTS_FUZZ_STEPS:-36000}"
# Each mutant's property tests draw fresh cases and write none back: a case proptest saves in the
# copy (a property that failed once, for whatever reason) would otherwise be replayed first for
# every later mutant and "kill" each of them. It happened: a rounding bound the reward property
# stated too strictly failed once and was credited with 41 kills. npm test still replays the
# committed cases.
export PROPTEST_DISABLE_FAILURE_PERSISTENCE=true

out_parent=artifacts
out="$out_parent/mutants.out"
mkdir -p "$out_parent"
report() { npx ts-node --transpile-only scripts/mutants-report.ts "$@"; }

step "cargo mutants over programs/ashao-treasury (campaign of $ASHAO_FUZZ_STEPS steps per mutant)"
started=$SECONDS
# A mutant rebuilds the program and what links it (the local validator's runtime glue, the fuzz
# crate): minutes on two busy cores, where the baseline (nothing changed) takes seconds, so the
# build timeout is set, not derived from the baseline.
"$cargo_mutants" mutants --package ashao-treasury --output "$out_parent" --no-shuffle \
  --build-timeout "${ASHAO_MUTANTS_BUILD_TIMEOUT:-1200}" "$@" &
mutants_pid=$!
# A progress line every minute, read from what cargo-mutants has written so far (a process of
# its own, ended below).
bash -c 'sleep 5; while kill -0 "$0" 2>/dev/null; do
  npx ts-node --transpile-only scripts/mutants-report.ts progress "$1" || true; sleep 60; done' \
  "$mutants_pid" "$out" &
progress_pid=$!
set +e
wait "$mutants_pid"
status=$?
set -e
kill "$progress_pid" 2>/dev/null || true
wait "$progress_pid" 2>/dev/null || true

step "outcomes by file ($((SECONDS - started)) s)"
report summary "$out"
# cargo-mutants exits 2 when a mutant was missed, 3 when one timed out: both fail the command.
exit "$status"
