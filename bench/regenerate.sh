#!/usr/bin/env bash
# Regenerates the benchmark's large lockfile from bench/large-project/package.json
# into bench/.work/large/ (git-ignored). Resolves against the registry from the
# user's npm config, writes only package-lock.json (--package-lock-only: no
# node_modules, no tarballs unpacked, no package code or install scripts run).
#
#   bash bench/regenerate.sh            # skip when the lockfile already exists
#   bash bench/regenerate.sh --force    # resolve again from scratch
#
# BENCH_BEFORE (an ISO date) resolves as if on that date (npm --before), so
# that two regenerations give the same tree; set it empty to resolve today.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$here/.work/large"
before="${BENCH_BEFORE-2026-11-26T00:00:00Z}"
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "regenerate.sh: unknown argument $arg (expected --force)" >&2; exit 2 ;;
  esac
done

# The repository's pinned Node.js (npm itself comes from the system).
export PATH="$repo/node_modules/.bin:$PATH"

count() {
  node -e '
    const lock = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const entries = Object.entries(lock.packages ?? {}).filter(([location]) => location !== "");
    const resolved = entries.filter(([, entry]) => entry.resolved).length;
    console.log(`${process.argv[1]}: lockfileVersion ${lock.lockfileVersion}, ${entries.length} packages, ${resolved} with a resolved URL`);
  ' "$out/package-lock.json"
}

if [[ -f "$out/package-lock.json" && $force -eq 0 ]] && cmp -s "$here/large-project/package.json" "$out/package.json"; then
  echo "lockfile exists (pass --force to regenerate)"
  count
  exit 0
fi

rm -rf "$out"
mkdir -p "$out"
cp "$here/large-project/package.json" "$out/package.json"
echo "resolving bench/large-project/package.json against $(npm config get registry)${before:+ as of $before} ..."
cd "$out"
# A real project's lockfile records each package's `resolved` URL (npm's
# default); a user config that omits them would make every tool's job easier.
args=(install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error
  --omit-lockfile-registry-resolved=false)
[[ -n "$before" ]] && args+=("--before=$before")
start=$(date +%s)
npm "${args[@]}"
echo "resolved in $(( $(date +%s) - start )) s"
count
