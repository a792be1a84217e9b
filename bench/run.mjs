// Times depguard against a bare Arborist load and two other tools, each as a
// whole process (spawn to exit, wall clock), on the same lockfiles, in one run.
//
//   bash bench/regenerate.sh && node bench/run.mjs [options]
//
//   -n, --iterations <n>   timed runs of each tool per data set (default 5)
//   --warmup <n>           untimed runs of each tool first (default 1)
//   --dataset <dir>        a project folder with package-lock.json; repeatable;
//                          replaces the defaults (bench/.work/large, and the
//                          shared lockfile-lint checkout when it is there)
//   --no-phases            skip the in-process phase breakdown of depguard
//   --json <file>          also write every raw timing to a file
//
// Run it with the repository's pinned Node.js (node_modules/.bin first on
// PATH); depguard must be built (dist/). Runs are interleaved (one of each
// tool per round) so that a noisy neighbour slows every tool alike.
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
    warmup: { type: 'string', default: '1' },
    dataset: { type: 'string', multiple: true },
    'no-phases': { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 16).join('\n')}\n`);
  process.exit(0);
}
const iterations = Number(values.iterations);
const warmup = Number(values.warmup);
if (!Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(warmup) || warmup < 0) {
  process.stderr.write('run.mjs: --iterations must be a positive integer and --warmup a non-negative one\n');
  process.exit(2);
}

function fail(message) {
  process.stderr.write(`run.mjs: ${message}\n`);
  process.exit(2);
}

if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) fail('dist/ is missing: build depguard first (tsc -p tsconfig.json)');
if (!existsSync(join(bin, 'lockfile-lint'))) fail('node_modules/.bin/lockfile-lint is missing: run npm ci first');
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) fail(`Node.js ${process.versions.node} is too old: put the pinned one first (export PATH=$PWD/node_modules/.bin:$PATH)`);

// lockfile-lint's allowed host: the registry of the user's npm config, as depguard uses.
const registryHost = URL.parse(version('npm', ['config', 'get', 'registry']))?.host ?? fail('could not read the registry from `npm config get registry`');

function datasets() {
  if (values.dataset) {
    const dirs = values.dataset.map((dir) => resolve(dir));
    for (const dir of dirs) if (!existsSync(join(dir, 'package-lock.json'))) fail(`${dir} has no package-lock.json`);
    return dirs;
  }
  const large = join(bench, '.work', 'large');
  if (!existsSync(join(large, 'package-lock.json'))) fail('bench/.work/large/package-lock.json is missing: run `bash bench/regenerate.sh` first');
  const list = [large];
  // The shared data folder sits beside the repository (checkout and CI alike).
  const shared = resolve(repo, '..', 'shared', 'data', 'lockfiles', 'lockfile-lint');
  if (existsSync(join(shared, 'package-lock.json'))) list.push(shared);
  return list;
}

function version(command, args) {
  const result = spawnSync(command, args, { env, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split('\n').pop() : 'unknown';
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** npm: aliases in the lockfile (`string-width-cjs:string-width`), which lockfile-lint's name check must be told about. */
function aliases(dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const found = new Set();
  for (const [location, entry] of Object.entries(lock.packages ?? {})) {
    const at = location.lastIndexOf('node_modules/');
    if (at < 0) continue; // the root and workspace folders
    const keyName = location.slice(at + 'node_modules/'.length);
    if (typeof entry.name === 'string' && entry.name !== keyName && !entry.link) found.add(`${keyName}:${entry.name}`);
  }
  return [...found].sort();
}

function packageCount(dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  return Object.keys(lock.packages ?? {}).filter((location) => location !== '').length;
}

/** The tools, each a command line run in the project folder, and the exit codes that count as a normal run. */
function tools(dir) {
  const nameAliases = aliases(dir);
  return [
    { id: 'arborist', label: 'bare Arborist loadVirtual (bench/arborist-load.mjs)', command: process.execPath, args: [join(bench, 'arborist-load.mjs'), dir], ok: [0] },
    {
      id: 'arborist-cc',
      label: '… the same with the compile cache on (as bin/depguard.js)',
      command: process.execPath,
      args: [join(bench, 'arborist-load.mjs'), dir, '--compile-cache'],
      ok: [0],
    },
    { id: 'depguard', label: 'depguard check --format json', command: process.execPath, args: [join(repo, 'bin', 'depguard.js'), 'check', dir, '--format', 'json'], ok: [0, 1], keepStdout: true },
    {
      id: 'lockfile-lint',
      label: 'lockfile-lint (https, host, integrity, names)',
      command: join(bin, 'lockfile-lint'),
      args: [
        '--path', join(dir, 'package-lock.json'), '--type', 'npm', '--validate-https', '--allowed-hosts', registryHost,
        '--validate-integrity', '--validate-package-names', ...(nameAliases.length ? ['--allowed-package-name-aliases', ...nameAliases] : []), '--format', 'plain',
      ],
      ok: [0, 1],
    },
    // npm ls reads node_modules by default (every package "missing" without it);
    // --package-lock-only makes it read the lockfile, as the others do.
    { id: 'npm-ls', label: 'npm ls --all --json --package-lock-only', command: 'npm', args: ['ls', '--all', '--json', '--package-lock-only'], ok: [0, 1] },
  ];
}

// GNU time, when there, also gives each run's CPU time (user + sys), which a
// busy neighbour on a small machine disturbs less than the wall clock, and its
// peak memory.
const gnuTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%U', 'true'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/time' : null;
const scratch = mkdtempSync(join(os.tmpdir(), 'depguard-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function readUsage(file) {
  try {
    const [user, sys, rssKb] = readFileSync(file, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { cpuMs: (user + sys) * 1000, rssMb: rssKb / 1024 };
  } catch {
    return { cpuMs: NaN, rssMb: NaN };
  }
}

function runOnce(tool, dir) {
  return new Promise((resolvePromise) => {
    const usageFile = join(scratch, 'usage');
    const [command, args] = gnuTime ? [gnuTime, ['-f', '%U %S %M', '-o', usageFile, tool.command, ...tool.args]] : [tool.command, tool.args];
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdoutBytes += chunk.length;
      if (tool.keepStdout) stdout.push(chunk);
    });
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on('error', (error) => resolvePromise({ ms: NaN, code: null, stdoutBytes, stderr: error.message }));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const usage = gnuTime ? readUsage(usageFile) : { cpuMs: NaN, rssMb: NaN };
      resolvePromise({ ms, ...usage, code, stdoutBytes, stderr, stdout: tool.keepStdout ? Buffer.concat(stdout).toString('utf8') : '' });
    });
  });
}

function median(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const fmt = (ms) => (Number.isFinite(ms) ? ms.toFixed(0) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

async function benchDataset(dir) {
  const list = tools(dir);
  const runs = Object.fromEntries(list.map((tool) => [tool.id, []]));
  const problems = [];
  const record = (tool, run, timed) => {
    if (!tool.ok.includes(run.code)) problems.push(`${tool.id} exited ${run.code}: ${run.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
    if (timed) runs[tool.id].push(run);
  };
  for (let round = 0; round < warmup; round++) for (const tool of list) record(tool, await runOnce(tool, dir), false);
  for (let round = 0; round < iterations; round++) {
    for (const tool of list) record(tool, await runOnce(tool, dir), true);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const base = median(runs.arborist.map((run) => run.ms));
  const baseCpu = median(runs.arborist.map((run) => run.cpuMs));
  const rows = list.map((tool) => {
    const good = runs[tool.id].filter((run) => tool.ok.includes(run.code));
    const times = good.map((run) => run.ms);
    const codes = [...new Set(runs[tool.id].map((run) => run.code))].join('/');
    return {
      id: tool.id,
      label: tool.label,
      median: times.length ? median(times) : NaN,
      min: times.length ? Math.min(...times) : NaN,
      max: times.length ? Math.max(...times) : NaN,
      cpu: good.length ? median(good.map((run) => run.cpuMs)) : NaN,
      rss: good.length ? median(good.map((run) => run.rssMb)) : NaN,
      codes,
      runs: good.map(({ ms, cpuMs, rssMb }) => ({ ms, cpuMs, rssMb })),
    };
  });
  const depguardOutput = runs.depguard.at(-1)?.stdout ?? '';
  for (const tool of list) for (const run of runs[tool.id]) delete run.stdout;
  return { dir, packages: packageCount(dir), base, baseCpu, rows, problems: [...new Set(problems)], depguardOutput };
}

async function phaseBreakdown(dir) {
  const samples = [];
  for (let round = 0; round < warmup + iterations; round++) {
    const result = spawnSync(process.execPath, [join(bench, 'phases.mjs'), dir], { env, encoding: 'utf8' });
    let parsed;
    try {
      parsed = JSON.parse(result.stdout);
    } catch {
      return { error: `phases.mjs printed no JSON (exit ${result.status}): ${result.stderr.trim().slice(0, 300)}` };
    }
    if (parsed.error) return { error: parsed.error };
    if (round >= warmup) samples.push(parsed.phases);
  }
  const names = Object.keys(samples[0]);
  return { phases: names.map((name) => ({ name, median: median(samples.map((sample) => sample[name] ?? 0)) })) };
}

const sets = datasets();
const header = [
  `depguard ${JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version} at ${version('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'])}`,
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}`,
  `node ${process.versions.node}, npm ${version('npm', ['--version'])}, @npmcli/arborist ${packageVersion('@npmcli/arborist')}, lockfile-lint ${packageVersion('lockfile-lint')}`,
  `${iterations} timed run(s) of each tool after ${warmup} warm-up, interleaved; wall clock of the whole process${gnuTime ? '; CPU = user + sys' : ' (no /usr/bin/time: no CPU column)'}`,
  `load average at start: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`,
];
process.stdout.write(`${header.join('\n')}\n`);

const report = { header, iterations, warmup, datasets: [] };
for (const dir of sets) {
  process.stderr.write(`${dir} `);
  const result = await benchDataset(dir);
  const relativeDir = dir.startsWith(repo) ? dir.slice(repo.length + 1) : dir;
  const lines = [
    '',
    `### ${relativeDir} (${result.packages} lockfile entries)`,
    '',
    '| tool | median ms | min ms | max ms | median / bare Arborist | CPU ms (median) | CPU / bare Arborist | peak RSS MB | exit |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...result.rows.map(
      (row) =>
        `| ${row.label} | ${fmt(row.median)} | ${fmt(row.min)} | ${fmt(row.max)} | ${ratio(row.median, result.base)} | ${fmt(row.cpu)} | ${ratio(row.cpu, result.baseCpu)} | ${fmt(row.rss)} | ${row.codes} |`,
    ),
  ];
  const depguard = result.rows.find((row) => row.id === 'depguard');
  if (result.depguardOutput) {
    try {
      const output = JSON.parse(result.depguardOutput);
      const bySeverity = Object.entries(output.summary ?? {}).filter(([, count]) => count > 0).map(([severity, count]) => `${count} ${severity}`);
      lines.push('', `depguard: ${output.project?.packageCount} packages, ${output.findings?.length ?? '?'} findings${bySeverity.length ? ` (${bySeverity.join(', ')})` : ''}, ${output.diagnostics?.length ?? 0} diagnostics`);
    } catch {
      lines.push('', 'depguard printed no JSON document');
    }
  }
  const lint = result.rows.find((row) => row.id === 'lockfile-lint');
  lines.push(
    '',
    `target  depguard ≤ 1.5× bare Arborist: ${ratio(depguard.median, result.base)} -> ${depguard.median <= 1.5 * result.base ? 'met' : 'MISSED'} (CPU time: ${ratio(depguard.cpu, result.baseCpu)})`,
    `stretch depguard ≤ lockfile-lint:      ${ratio(depguard.median, lint.median)} of lockfile-lint -> ${depguard.median <= lint.median ? 'met' : 'MISSED'} (CPU time: ${ratio(depguard.cpu, lint.cpu)})`,
  );
  for (const problem of result.problems) lines.push(`unexpected exit: ${problem}`);
  const { depguardOutput, ...entry } = result;
  if (!values['no-phases']) {
    const breakdown = await phaseBreakdown(dir);
    if (breakdown.error) lines.push('', `phase breakdown unavailable: ${breakdown.error}`);
    else {
      lines.push('', 'depguard in process (bench/phases.mjs, median ms):', '', '| phase | ms |', '| --- | ---: |');
      for (const phase of breakdown.phases) lines.push(`| ${phase.name.replace(/^ +/, '… ')} | ${fmt(phase.median)} |`);
      entry.phases = breakdown.phases;
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  report.datasets.push(entry);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
