#!/usr/bin/env bash
# Resolves bench/large-project/package.json with pnpm into bench/.work/large-pnpm/
# (git-ignored): `pnpm install --lockfile-only --ignore-scripts` against the
# registry of your npm config writes only pnpm-lock.yaml (no node_modules, no
# package code or install scripts run). pnpm is fetched by npx at a pinned
# version; it runs on the repository's pinned Node.js.
#
#   bash bench/regenerate-pnpm.sh            # skip when the lockfile already exists
#   bash bench/regenerate-pnpm.sh --force    # resolve again from scratch
#
# pnpm has no --before: the tree is today's, so it may differ from the npm
# lockfile of bench/regenerate.sh by a few versions; bench/pm-load.mjs prints both counts.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$here/.work/large-pnpm"
pnpm_version="${BENCH_PNPM-10.34.8}"
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "regenerate-pnpm.sh: unknown argument $arg (expected --force)" >&2; exit 2 ;;
  esac
done
export PATH="$repo/node_modules/.bin:$PATH"

if [[ -f "$out/pnpm-lock.yaml" && $force -eq 0 ]] && cmp -s "$here/large-project/package.json" "$out/package.json"; then
  echo "pnpm lockfile exists (pass --force to regenerate)"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
cp "$here/large-project/package.json" "$out/package.json"
cd "$out"
start=$(date +%s)
npx --yes "pnpm@$pnpm_version" install --lockfile-only --ignore-scripts --reporter=append-only | tail -n 2
echo "resolved in $(( $(date +%s) - start )) s: $out/pnpm-lock.yaml"
