// Times a full online check of a large lockfile: the offline-only checks plus
// the checks that ask the registry about every package (deprecated,
// provenance, release-age), as whole processes:
//
//   cold         an empty --cache folder (npm's HTTP cache and depguard's
//                compact cache both empty): every packument from the registry
//   warm         the second run on that cache: compact records younger than
//                --max-age answer, no HTTP
//   offline      --offline on that cache
//   revalidate   --max-age 0 on that cache: every packument asked again
//                (ETag / Last-Modified), answered 304 when unchanged
//   offline-only the same lockfile with only the checks that need no registry
//                data: the baseline of the target (warm ≤ 2× this)
//
//   bash bench/regenerate.sh && node bench/online.mjs [options]
//
//   -n, --iterations <n>    timed runs of warm, offline and offline-only (default 5)
//   --cold <n>              cold runs per --concurrency value (default 1)
//   --revalidate <n>        revalidating runs (default 1; 0 to skip)
//   --concurrency <list>    --concurrency values for the cold runs, comma-separated
//                           (default 16, depguard's default); warm, offline and
//                           revalidate use the first
//   --dataset <dir>         project folder with package-lock.json (default bench/.work/large)
//   --baseline <ids>        the offline-only checks (default lockfile,pinning,engines,install-scripts,npm-config)
//   --online <ids>          the registry checks added for the online runs (default deprecated,provenance,release-age)
//   --json <file>           also write every raw timing to a file
//
// Every run passes --verbose: its stderr lines (one per packument request)
// give the request counts by cache status and the average number of requests
// in flight (the sum of request times over the run's wall clock). The
// registry is the one of your npm config; cold times are the registry's.
// Run with the repository's pinned Node.js; depguard must be built (dist/).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bench, bin, PATH, repo } from './lib/paths.mjs';

const env = { ...process.env, PATH, NO_COLOR: '1', FORCE_COLOR: '0' };

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', short: 'n', default: '5' },
    cold: { type: 'string', default: '1' },
    revalidate: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '16' },
    dataset: { type: 'string' },
    baseline: { type: 'string', default: 'lockfile,pinning,engines,install-scripts,npm-config' },
    online: { type: 'string', default: 'deprecated,provenance,release-age' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 33).join('\n')}\n`);
  process.exit(0);
}

function fail(message) {
  process.stderr.write(`online.mjs: ${message}\n`);
  process.exit(2);
}

const count = (name) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) fail(`--${name} must be a whole number`);
  return value;
};
const iterations = Math.max(1, count('iterations'));
const coldRuns = count('cold');
const revalidateRuns = count('revalidate');
const concurrencies = values.concurrency.split(',').map((value) => Number(value.trim()));
if (concurrencies.some((value) => !Number.isInteger(value) || value < 1 || value > 256)) fail('--concurrency takes whole numbers from 1 to 256');

const dataset = resolve(values.dataset ?? join(bench, '.work', 'large'));
if (!existsSync(join(dataset, 'package-lock.json'))) fail(`${dataset}/package-lock.json is missing: run \`bash bench/regenerate.sh\` first`);
if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) fail('dist/ is missing: build depguard first (tsc -p tsconfig.json)');
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) fail(`Node.js ${process.versions.node} is too old: put the pinned one first (export PATH=$PWD/node_modules/.bin:$PATH)`);

const { CHECKS } = await import(join(repo, 'dist', 'checks', 'index.js'));
const known = new Set(CHECKS.map((check) => check.meta.id));
const ids = (list) => {
  const parsed = list.split(',').map((id) => id.trim()).filter(Boolean);
  for (const id of parsed) if (!known.has(id)) fail(`unknown check "${id}" (expected one of ${[...known].join(', ')})`);
  return parsed;
};
const baseline = ids(values.baseline);
const online = [...new Set([...baseline, ...ids(values.online)])];

const scratch = mkdtempSync(join(os.tmpdir(), 'depguard-online-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
let caches = 0;
const freshCache = () => join(scratch, `cache-${++caches}`);

/** One whole depguard process; stderr kept for the --verbose request lines. */
function runOnce(args) {
  return new Promise((resolvePromise) => {
    const usageFile = join(scratch, 'usage');
    const full = [join(repo, 'bin', 'depguard.js'), 'check', dataset, '--format', 'json', '--verbose', '--no-progress', ...args];
    const [command, commandArgs] = gnuTime ? [gnuTime, ['-f', '%U %S %M', '-o', usageFile, process.execPath, ...full]] : [process.execPath, full];
    const start = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      let usage = { cpuMs: NaN, rssMb: NaN };
      if (gnuTime) {
        const [user, sys, rssKb] = readFileSync(usageFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        usage = { cpuMs: (user + sys) * 1000, rssMb: rssKb / 1024 };
      }
      resolvePromise({ ms, ...usage, code, requests: requestStats(stderr, ms), summary: summarise(Buffer.concat(stdout).toString('utf8')), stderrTail: stderr.split('\n').filter((line) => !line.startsWith('depguard: GET ')).join('\n').trim().slice(0, 600) });
    });
  });
}

// `depguard: GET <url> <status|-> <ms>ms cache=<status>[ attempts=<n>][ error=<code>]`
const REQUEST = /^depguard: GET \S+ (\S+) (\d+)ms cache=(\S+)/;
const NO_HTTP = new Set(['compact', 'hit', 'stale']);

function requestStats(stderr, wallMs) {
  const byCache = {};
  let http = 0;
  let busyMs = 0;
  let errors = 0;
  for (const line of stderr.split('\n')) {
    const match = REQUEST.exec(line);
    if (!match) continue;
    const [, status, ms, cache] = match;
    byCache[cache] = (byCache[cache] ?? 0) + 1;
    if (!NO_HTTP.has(cache) && status !== '-') {
      http++;
      busyMs += Number(ms);
    }
    if (line.includes(' error=')) errors++;
  }
  return { http, byCache, errors, inFlight: wallMs > 0 ? busyMs / wallMs : 0 };
}

function summarise(stdout) {
  try {
    const doc = JSON.parse(stdout);
    const byRule = {};
    for (const finding of doc.findings) byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;
    return { packages: doc.project.packageCount, findings: doc.findings.length, byRule, diagnostics: doc.diagnostics.length };
  } catch {
    return null;
  }
}

const median = (numbers) => {
  const sorted = [...numbers].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

const onlyOnline = ['--only', online.join(',')];
const onlyBaseline = ['--only', baseline.join(',')];
const rows = [];
const problems = [];
const record = (label, concurrency, runs) => {
  for (const run of runs) if (run.code !== 0 && run.code !== 1) problems.push(`${label} exited ${run.code}: ${run.stderrTail}`);
  const good = runs.filter((run) => run.code === 0 || run.code === 1);
  const cacheStatuses = {};
  for (const run of good) for (const [cache, n] of Object.entries(run.requests.byCache)) cacheStatuses[cache] = Math.max(cacheStatuses[cache] ?? 0, n);
  rows.push({
    label,
    concurrency,
    runs: good.length,
    median: median(good.map((run) => run.ms)),
    min: Math.min(...good.map((run) => run.ms)),
    max: Math.max(...good.map((run) => run.ms)),
    cpu: median(good.map((run) => run.cpuMs)),
    rss: median(good.map((run) => run.rssMb)),
    http: median(good.map((run) => run.requests.http)),
    lookups: median(good.map((run) => Object.values(run.requests.byCache).reduce((a, b) => a + b, 0))),
    cacheStatuses,
    inFlight: median(good.map((run) => run.requests.inFlight)),
    codes: [...new Set(runs.map((run) => run.code))].join('/'),
    summary: good.at(-1)?.summary ?? null,
    raw: runs.map(({ ms, cpuMs, rssMb, code, requests }) => ({ ms, cpuMs, rssMb, code, requests })),
  });
};

process.stderr.write(`dataset ${dataset}\nonline checks: ${online.join(', ')}\nbaseline (offline-only): ${baseline.join(', ')}\n`);

// Cold: a new empty cache per run.
let warmCache = null;
for (const concurrency of concurrencies) {
  const runs = [];
  for (let i = 0; i < Math.max(1, coldRuns); i++) {
    const cache = freshCache();
    process.stderr.write(`cold --concurrency ${concurrency} ... `);
    const run = await runOnce([...onlyOnline, '--cache', cache, '--concurrency', String(concurrency)]);
    process.stderr.write(`${fmt(run.ms)} ms, ${run.requests.http} requests\n`);
    runs.push(run);
    if (concurrency === concurrencies[0] && warmCache === null) warmCache = cache;
  }
  if (coldRuns > 0) record('cold (empty --cache)', concurrency, runs);
}

// Warm, offline and offline-only, interleaved so a noisy neighbour slows each alike; one untimed round first.
const concurrency = String(concurrencies[0]);
const plans = [
  { label: 'warm (second run, same cache)', args: [...onlyOnline, '--cache', warmCache, '--concurrency', concurrency] },
  { label: '--offline (same cache)', args: [...onlyOnline, '--cache', warmCache, '--offline'] },
  { label: 'offline-only checks (baseline)', args: [...onlyBaseline, '--cache', warmCache] },
];
const timed = Object.fromEntries(plans.map((plan) => [plan.label, []]));
for (let round = 0; round <= iterations; round++) {
  for (const plan of plans) {
    const run = await runOnce(plan.args);
    if (round > 0) timed[plan.label].push(run);
  }
  process.stderr.write(round === 0 ? 'warm-up done ' : '.');
}
process.stderr.write('\n');
for (const plan of plans) record(plan.label, plan.label.startsWith('warm') ? Number(concurrency) : null, timed[plan.label]);

if (revalidateRuns > 0) {
  const runs = [];
  for (let i = 0; i < revalidateRuns; i++) runs.push(await runOnce([...onlyOnline, '--cache', warmCache, '--concurrency', concurrency, '--max-age', '0']));
  record('revalidate (--max-age 0, same cache)', Number(concurrency), runs);
}

const version = (command, args) => {
  const result = spawnSync(command, args, { env, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split('\n').pop() : 'unknown';
};
const header = [
  `depguard ${JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version} at ${version('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'])}`,
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}; node ${process.versions.node}`,
  `${iterations} timed run(s) of warm, --offline and offline-only after one warm-up, interleaved; ${Math.max(1, coldRuns)} cold run(s) per --concurrency; wall clock of the whole process${gnuTime ? '; CPU = user + sys' : ''}`,
  `load average at start: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`,
];
const baseRow = rows.find((row) => row.label.startsWith('offline-only'));
const warmRow = rows.find((row) => row.label.startsWith('warm'));
const statuses = (row) => Object.entries(row.cacheStatuses).sort(([a], [b]) => (a < b ? -1 : 1)).map(([cache, n]) => `${cache} ${n}`).join(', ') || '-';
const lines = [
  ...header,
  '',
  `### ${dataset.startsWith(repo) ? dataset.slice(repo.length + 1) : dataset} (${baseRow?.summary?.packages ?? '?'} packages)`,
  '',
  '| run | --concurrency | median ms | min ms | max ms | median / offline-only | CPU ms | peak RSS MB | HTTP requests | avg in flight | packument lookups by cache | exit |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | :---: |',
  ...rows.map(
    (row) =>
      `| ${row.label} | ${row.concurrency ?? '-'} | ${fmt(row.median)} | ${fmt(row.min)} | ${fmt(row.max)} | ${baseRow ? `${fmt(row.median / baseRow.median, 2)}×` : 'n/a'} | ${fmt(row.cpu)} | ${fmt(row.rss)} | ${fmt(row.http)} | ${row.http > 0 ? fmt(row.inFlight, 1) : '-'} | ${statuses(row)} | ${row.codes} |`,
  ),
  '',
  `target  warm ≤ 2× offline-only: ${warmRow && baseRow ? `${fmt(warmRow.median / baseRow.median, 2)}× -> ${warmRow.median <= 2 * baseRow.median ? 'met' : 'MISSED'}` : 'n/a'}`,
];
const findings = warmRow?.summary;
if (findings) lines.push(`online run: ${findings.findings} findings (${Object.entries(findings.byRule).map(([rule, n]) => `${rule} ${n}`).join(', ')}), ${findings.diagnostics} diagnostics`);
for (const problem of [...new Set(problems)]) lines.push(`unexpected exit: ${problem}`);
if (baseRow && baseRow.http > 0) lines.push(`note: the offline-only baseline made ${baseRow.http} registry requests`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ header, online, baseline, rows }, null, 2)}\n`);
