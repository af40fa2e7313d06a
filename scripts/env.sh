# Shared environment for the repository's scripts (sourced, not run).
# Cargo's build directory lives outside the clone so repeat runs on the same machine are warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ashao-treasury/target}"
export ASHAO_VALIDATOR_BIN="${ASHAO_VALIDATOR_BIN:-$CARGO_TARGET_DIR/debug/ashao-validator}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
