#!/usr/bin/env bash
# Installs everything the repository needs: Node packages (from package-lock.json) and the Rust
# build of the local validator with the programs compiled in. Idempotent and quick when warm.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

command -v node >/dev/null || die "node (20.19+ or 22.12+, package.json's engines) is required"
command -v npm >/dev/null || die "npm is required"
command -v cargo >/dev/null || die "cargo (rustup, stable) is required"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)' ||
  die "node 20.19+ or 22.12+ is required (package.json's engines; found $(node --version))"

[ -f package-lock.json ] || die "package-lock.json is missing"
# better-sqlite3 compiles its native module when its prebuilt binary cannot be downloaded (an
# offline machine); node-gyp then needs Node's headers, which it would also try to download:
# point it at the ones installed beside this node, when they are there.
node_prefix="$(node -p 'require("path").resolve(process.execPath, "../..")')"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node_version.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi
lock_stamp="node_modules/.package-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$want" ]; then
  step "npm ci (Node packages pinned by package-lock.json)"
  npm ci --no-audit --no-fund
  echo "$want" > "$lock_stamp"
fi

step "tsc: the CLI as JavaScript (dist/), so \`npx ashao\` starts without compiling"
npm run -s build

step "cargo build: local validator with the programs (first build takes a few minutes; target dir $CARGO_TARGET_DIR)"
cargo build --locked -p ashao-local-validator

# Debian's Chromium drives the dashboard's browser test (playwright-core cannot download one).
if [ ! -x "${ASHAO_CHROMIUM:-/usr/bin/chromium}" ]; then
  step "apt-get install chromium (for the dashboard's browser test)"
  if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq chromium >/dev/null ||
    die "could not install Debian's chromium; install it or set ASHAO_CHROMIUM to a Chromium binary"
fi

# Debian's PostgreSQL server: the API's test of its server-database switch starts a throwaway one.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  step "apt-get install postgresql (for the API's PostgreSQL store test)"
  if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq postgresql >/dev/null ||
    die "could not install Debian's postgresql"
fi

# Debian's Prometheus: `promtool check rules` and `promtool test rules` check ops/prometheus/
# (only promtool is used; where systemd starts the packaged server, `systemctl disable --now
# prometheus` stops it).
if ! command -v "${ASHAO_PROMTOOL:-promtool}" >/dev/null 2>&1; then
  step "apt-get install prometheus (promtool, for the alert rules' tests)"
  if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq prometheus >/dev/null ||
    die "could not install Debian's prometheus; install it or set ASHAO_PROMTOOL to a promtool binary"
fi
