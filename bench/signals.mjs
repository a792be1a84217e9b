// What the supply-chain signals of issue 21 cost on a warm cache: the full
// check (strict without advisories, whose audit endpoint is not cached) with
// them on, against the same check with them off, on the large lockfile.
//
//   bash bench/regenerate.sh && node bench/signals.mjs [-n N] [--dataset dir] [--keep]
//
//   without  strict minus advisories, with publisher, signatures,
//            manifest-confusion and typosquat off and engines'
//            coreVulnerabilities false; its own cache, warmed by one run
//   with     strict minus advisories (all five on, the Node.js core index in
//            the cache); its own cache, a copy of the first after its warm-up
//            run, warmed by one more run (full packuments, signing keys)
//
// The warm runs alternate (N pairs, default 5), each a fresh
// `depguard check --format json --verbose --date 2026-11-27` process; printed:
// wall ms, the registry requests it made (from --verbose: by cache status),
// and the ratio of the medians (the target: with ≤ 1.2 × without). The cold
// warm-up runs are timed too, for reference (they depend on the registry).
// Caches live in bench/.work/signals-* (git-ignored); ~/.npm is never written.
// Run with the repository's pinned Node.js; depguard must be built (dist/).

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bench, PATH, repo } from './lib/paths.mjs';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', short: 'n', default: '5' },
    dataset: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(0, 20).join('\n')}\n`);
  process.exit(0);
}

const iterations = Math.max(1, Number(values.iterations) || 5);
const dataset = resolve(values.dataset ?? join(bench, '.work', 'large'));
const work = join(bench, '.work');
if (!existsSync(join(dataset, 'package-lock.json'))) {
  process.stderr.write(`signals.mjs: ${dataset}/package-lock.json is missing: run \`bash bench/regenerate.sh\` first\n`);
  process.exit(2);
}
if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('signals.mjs: dist/ is missing: build depguard first (tsc -p tsconfig.json)\n');
  process.exit(2);
}

const SIGNALS_OFF = {
  extends: 'strict',
  checks: { advisories: 'off', publisher: 'off', signatures: 'off', 'manifest-confusion': 'off', typosquat: 'off', engines: ['on', { coreVulnerabilities: false }] },
};
const SIGNALS_ON = { extends: 'strict', checks: { advisories: 'off' } };

const variants = {
  without: { cache: join(work, 'signals-cache-without'), config: join(work, 'signals-without.json'), policy: SIGNALS_OFF },
  with: { cache: join(work, 'signals-cache-with'), config: join(work, 'signals-with.json'), policy: SIGNALS_ON },
};

mkdirSync(work, { recursive: true });
for (const variant of Object.values(variants)) writeFileSync(variant.config, `${JSON.stringify(variant.policy, null, 2)}\n`);

// CPU time (user + system of the process and its worker threads) from GNU time, when the machine has it: less
// sensitive than wall time to a machine shared with other work.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const cpuFile = join(work, 'signals-cpu.txt');

function run(variant) {
  const load = loadavg()[0];
  const started = process.hrtime.bigint();
  const depguard = [process.execPath, join(repo, 'bin', 'depguard.js')];
  const [command, ...prefix] = TIME ? [TIME, '-f', '%U %S', '-o', cpuFile, ...depguard] : depguard;
  const result = spawnSync(
    command,
    [...prefix, 'check', dataset, '--config', variant.config, '--cache', variant.cache, '--format', 'json', '--verbose', '--no-progress', '--fail-on', 'none', '--date', '2026-11-27', '--allow-incomplete'],
    { encoding: 'utf8', env: { ...process.env, PATH, NO_COLOR: '1' }, maxBuffer: 512 * 1024 * 1024 },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    process.stderr.write(result.stderr.slice(-2000));
    throw new Error(`depguard exited ${result.status}`);
  }
  const requests = {};
  for (const line of result.stderr.split('\n')) {
    const match = /^depguard: GET \S+ \S+ \d+ms cache=(\S+)/.exec(line);
    if (match) requests[match[1]] = (requests[match[1]] ?? 0) + 1;
  }
  const doc = JSON.parse(result.stdout);
  const cpu = TIME ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0) * 1000 : null;
  return { ms, cpu, load, requests, findings: doc.findings.length, packages: doc.project.packageCount };
}

function describeRequests(requests) {
  const entries = Object.entries(requests).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0 ? 'none' : entries.map(([cache, count]) => `${count} ${cache}`).join(', ');
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const rows = [];
const row = (name, r) => {
  rows.push(`| ${name} | ${r.packages} | ${r.findings} | ${describeRequests(r.requests)} | ${Math.round(r.ms)} | ${r.cpu === null ? '-' : Math.round(r.cpu)} | ${r.load.toFixed(1)} |`);
  process.stderr.write(`${name}: ${Math.round(r.ms)} ms (CPU ${r.cpu === null ? '-' : Math.round(r.cpu)} ms), requests: ${describeRequests(r.requests)}\n`);
};

if (!values.keep) for (const variant of Object.values(variants)) rmSync(variant.cache, { recursive: true, force: true });
if (!existsSync(variants.without.cache)) {
  mkdirSync(variants.without.cache, { recursive: true });
  row('cold: without (empty cache)', run(variants.without));
}
if (!existsSync(variants.with.cache)) {
  cpSync(variants.without.cache, variants.with.cache, { recursive: true });
  // The Node.js core index, as `depguard db update nodejs` would leave it (the committed test index: the cost is the same).
  const index = join(variants.with.cache, '_depguard', 'nodejs-core');
  mkdirSync(index, { recursive: true });
  cpSync(join(repo, 'fixtures', 'nodejs-core', 'index.json'), join(index, 'index.json'));
  row('cold: with (a copy of the warm cache without)', run(variants.with));
}

const times = { without: [], with: [] };
const cpus = { without: [], with: [] };
for (let i = 0; i < iterations; i++) {
  for (const name of ['without', 'with']) {
    const result = run(variants[name]);
    times[name].push(result.ms);
    if (result.cpu !== null) cpus[name].push(result.cpu);
    row(`warm: ${name}`, result);
  }
}

const ratio = median(times.with) / median(times.without);
process.stdout.write(`| run | packages | findings | registry requests (--verbose, by cache status) | wall ms | CPU ms | load |\n| --- | ---: | ---: | --- | ---: | ---: | ---: |\n${rows.join('\n')}\n\n`);
process.stdout.write(`warm medians: without ${Math.round(median(times.without))} ms, with ${Math.round(median(times.with))} ms; ratio ${ratio.toFixed(2)} (target ≤ 1.20)\n`);
if (cpus.with.length > 0) process.stdout.write(`warm CPU medians: without ${Math.round(median(cpus.without))} ms, with ${Math.round(median(cpus.with))} ms; ratio ${(median(cpus.with) / median(cpus.without)).toFixed(2)}\n`);
