#!/usr/bin/env bash
# The main job: installs everything, builds, and runs the local economy on the embedded validator
# until Ctrl-C. Extra arguments go to `ashao localnet` (see `--help`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh
step "ashao localnet"
exec node -r ts-node/register/transpile-only app/cli/src/main.ts localnet "$@"
