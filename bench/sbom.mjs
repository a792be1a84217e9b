// depguard sbom beside npm sbom on the same lockfile, each as a whole process
// (spawn to exit, wall clock), both formats, offline from the lockfile:
//
//   bash bench/regenerate.sh && node bench/sbom.mjs [-n <runs>] [--dataset <dir>]
//
// Prints the median and the spread of each, and checks that both name the
// same packages (the set of name@version), so a fast run that wrote nothing
// shows. Run it with the repository's pinned Node.js (node_modules/.bin first
// on PATH); npm comes from PATH; depguard must be built (dist/). Runs are
// interleaved so that a noisy neighbour slows every tool alike.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bench, PATH, repo } from './lib/paths.mjs';

const { values } = parseArgs({ options: { iterations: { type: 'string', short: 'n', default: '5' }, dataset: { type: 'string' } } });
const iterations = Number(values.iterations);
const dataset = resolve(values.dataset ?? join(bench, '.work', 'large'));
if (!Number.isInteger(iterations) || iterations < 1) throw new Error('-n must be a positive integer');
if (!existsSync(join(dataset, 'package-lock.json'))) {
  process.stderr.write(`sbom.mjs: no package-lock.json in ${dataset}: run bash bench/regenerate.sh first\n`);
  process.exit(2);
}
if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('sbom.mjs: dist/ is missing: build depguard first (tsc -p tsconfig.json)\n');
  process.exit(2);
}
const env = { ...process.env, PATH, NO_COLOR: '1' };

const tools = {
  'depguard sbom': (format) => [process.execPath, [join(repo, 'bin', 'depguard.js'), 'sbom', dataset, '--format', format]],
  'npm sbom': (format) => ['npm', ['sbom', '--sbom-format', format, '--package-lock-only', '--offline']],
};

// CPU time (user + system) through /usr/bin/time where there is one: on a
// busy machine it says more than the wall clock, which waits for the cores.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function run(command, args) {
  const started = process.hrtime.bigint();
  const [cmd, argv] = TIME ? [TIME, ['-f', 'cpu %U %S', command, ...args]] : [command, args];
  const result = spawnSync(cmd, argv, { cwd: dataset, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null, document: JSON.parse(result.stdout) };
}

const names = {
  // Both write bom-ref as name@version (depguard adds #location only when two origins share one).
  cyclonedx: (doc) => new Set(doc.components.map((c) => c['bom-ref'].replace(/#.*$/, ''))),
  spdx: (doc) => new Set(doc.packages.slice(1).map((p) => `${p.name}@${p.versionInfo}`)),
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

process.stdout.write(`dataset ${dataset}, ${iterations} runs each (after one untimed run), node ${process.version}, npm ${spawnSync('npm', ['--version'], { env, encoding: 'utf8' }).stdout.trim()}\n`);
for (const format of ['cyclonedx', 'spdx']) {
  const times = Object.fromEntries(Object.keys(tools).map((tool) => [tool, []]));
  const cpu = Object.fromEntries(Object.keys(tools).map((tool) => [tool, []]));
  const sets = {};
  for (let round = 0; round <= iterations; round++) {
    for (const [tool, command] of Object.entries(tools)) {
      const { ms, cpuMs, document } = run(...command(format));
      if (round > 0) times[tool].push(ms);
      if (round > 0 && cpuMs !== null) cpu[tool].push(cpuMs);
      sets[tool] = names[format](document);
    }
  }
  const [ours, theirs] = Object.values(sets);
  const same = ours.size === theirs.size && [...ours].every((name) => theirs.has(name));
  for (const [tool, ms] of Object.entries(times)) {
    const cpuText = cpu[tool].length > 0 ? `  cpu median ${median(cpu[tool]).toFixed(0)} ms` : '';
    process.stdout.write(`${format.padEnd(9)} ${tool.padEnd(14)} wall median ${median(ms).toFixed(0).padStart(6)} ms (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)})${cpuText}  ${sets[tool].size} packages\n`);
  }
  process.stdout.write(`${format.padEnd(9)} same name@version set: ${same ? 'yes' : 'NO'}\n`);
}
