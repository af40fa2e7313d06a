#!/usr/bin/env bash
# The main job: installs everything, builds, and runs the local economy on the embedded validator
# until Ctrl-C. Extra arguments go to `ashao localnet` (see `--help`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

# Help builds nothing: the command's own help, from the TypeScript (installing the Node packages
# first on a fresh clone), without the Rust build.
for arg in "$@"; do
  if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
    [ -d node_modules/commander ] || npm ci --no-audit --no-fund >/dev/null
    exec node -r ts-node/register/transpile-only app/cli/src/main.ts localnet --help
  fi
done

bash scripts/setup.sh
step "ashao localnet"
exec node app/cli/bin/ashao.js localnet "$@"
