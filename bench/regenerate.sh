#!/usr/bin/env bash
# Regenerates the benchmark's large lockfile from bench/large-project/package.json
# with one package manager, against the registry of the user's npm config,
# writing only the lockfile: no node_modules, no tarballs unpacked, no package
# code or install scripts run. Outputs are git-ignored:
#   npm  → bench/.work/large/package-lock.json
#   pnpm → bench/.work/large-pnpm/pnpm-lock.yaml
#   bun  → bench/.work/large-bun/bun.lock
#   yarn → bench/.work/large-yarn/yarn.lock (yarn berry)
#
#   bash bench/regenerate.sh [--manager npm|pnpm|bun|yarn] [--force]
#
# --force resolves again from scratch; otherwise an existing lockfile made from
# the same package.json is kept. BENCH_BEFORE (an ISO date) makes npm resolve
# as if on that date (--before), so that two regenerations give the same tree;
# set it empty to resolve today. pnpm has no --before: its tree is today's and
# may differ by a few versions (bench/pm-load.mjs prints both counts), and so
# has bun, and yarn. pnpm, bun and yarn berry are fetched by npx at a pinned
# version (BENCH_PNPM, BENCH_BUN, BENCH_YARN); yarn's lockfile-only mode still
# downloads each tarball once (its checksums hash them), scripts off,
# release-age gate off. Adding a manager: one case in resolve() and one in
# lockfile_of().
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
before="${BENCH_BEFORE-2026-11-26T00:00:00Z}"
pnpm_version="${BENCH_PNPM-10.34.8}"
bun_version="${BENCH_BUN-1.4.5}"
yarn_version="${BENCH_YARN-4.18.1}"
manager=npm
force=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) force=1 ;;
    --manager) manager="${2:-}"; shift ;;
    --manager=*) manager="${1#--manager=}" ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "regenerate.sh: unknown argument $1 (expected --manager npm|pnpm|bun|yarn, --force)" >&2; exit 2 ;;
  esac
  shift
done

lockfile_of() {
  case "$1" in
    npm) echo "package-lock.json" ;;
    pnpm) echo "pnpm-lock.yaml" ;;
    bun) echo "bun.lock" ;;
    yarn) echo "yarn.lock" ;;
    *) echo "regenerate.sh: --manager $1: expected npm, pnpm, bun or yarn" >&2; exit 2 ;;
  esac
}
lockfile="$(lockfile_of "$manager")"
out="$here/.work/large$([[ $manager == npm ]] || echo "-$manager")"

# The repository's pinned Node.js (npm itself comes from the system).
export PATH="$repo/node_modules/.bin:$PATH"

count() {
  if [[ $manager != npm ]]; then
    echo "$out/$lockfile: $(wc -c <"$out/$lockfile") bytes (bench/pm-load.mjs prints its package count)"
    return
  fi
  node -e '
    const lock = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const entries = Object.entries(lock.packages ?? {}).filter(([location]) => location !== "");
    const resolved = entries.filter(([, entry]) => entry.resolved).length;
    console.log(`${process.argv[1]}: lockfileVersion ${lock.lockfileVersion}, ${entries.length} packages, ${resolved} with a resolved URL`);
  ' "$out/$lockfile"
}

resolve() {
  case "$manager" in
    npm)
      # A real project's lockfile records each package's `resolved` URL (npm's
      # default); a user config that omits them would make every tool's job easier.
      local args=(install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error
        --omit-lockfile-registry-resolved=false)
      [[ -n "$before" ]] && args+=("--before=$before")
      npm "${args[@]}"
      ;;
    pnpm)
      npx --yes "pnpm@$pnpm_version" install --lockfile-only --ignore-scripts --reporter=append-only | tail -n 2
      ;;
    bun)
      # bun's default registry is its own; point it at npm's configured one.
      npx --yes "bun@$bun_version" install --lockfile-only --ignore-scripts --registry "$(npm config get registry)" | tail -n 2
      ;;
    yarn)
      YARN_NPM_REGISTRY_SERVER="$(npm config get registry)" YARN_ENABLE_SCRIPTS=0 YARN_ENABLE_TELEMETRY=0 \
        YARN_ENABLE_GLOBAL_CACHE=0 YARN_CACHE_FOLDER="$here/.work/yarn-cache" YARN_NPM_MINIMAL_AGE_GATE=0 \
        npx --yes -p "@yarnpkg/cli-dist@$yarn_version" yarn install --mode=update-lockfile | tail -n 2
      rm -rf .yarn .pnp.cjs .pnp.loader.mjs
      ;;
  esac
}

if [[ -f "$out/$lockfile" && $force -eq 0 ]] && cmp -s "$here/large-project/package.json" "$out/package.json"; then
  echo "$lockfile exists (pass --force to regenerate)"
  count
  exit 0
fi

rm -rf "$out"
mkdir -p "$out"
cp "$here/large-project/package.json" "$out/package.json"
echo "resolving bench/large-project/package.json with $manager against $(npm config get registry)$([[ $manager == npm && -n $before ]] && echo " as of $before") ..."
cd "$out"
start=$(date +%s)
resolve
echo "resolved in $(( $(date +%s) - start )) s"
count
