#!/usr/bin/env bash
# `npm run fuzz -- [--steps N] [--seed S] [--steps-per-run K] [--replay case.json]`: a campaign
# of the stateful fuzzer (fuzz/) with a progress line, or the replay of a case it printed.
# docs/ARCHITECTURE.md ("Fuzzing") says what it drives and checks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
cargo build --locked -q -p ashao-fuzz --bin ashao-fuzz
exec "$CARGO_TARGET_DIR/debug/ashao-fuzz" "$@"
