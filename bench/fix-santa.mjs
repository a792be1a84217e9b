// `depguard fix` at real size: santa-tracker-web (652 packages, its lockfile
// in shared/data) against osv-scanner's frozen santatracker universe served on
// 127.0.0.1, advisories from the OSV folder of shared/data
// (`--advisory-source <dir>`), as the issue's "fix does not finish" case.
// Runs fix twice with one cache folder: cold (empty cache), then warm, and
// prints wall and CPU time of each, the plan's size, and the advisory hits it
// fixes and introduces. Progress goes to stderr (--verbose), shown here.
// Never touches the network: a stray request goes to a proxy that is not there.
//
//   tsc -p tsconfig.json && node bench/fix-santa.mjs [--cpu-prof dir] [--quiet] [-- extra fix flags]
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { universePackuments } from './lib/universe.mjs';
import { repo, shared } from './lib/paths.mjs';

const UNIVERSE = join(shared, 'peers', 'osv-scanner', 'internal', 'remediation', 'testdata', 'santatracker', 'universe.yaml');
const OSV = join(shared, 'advisories', 'osv');
const SANTA = join(shared, 'lockfiles', 'santa-tracker-web');

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'cpu-prof': { type: 'string' }, quiet: { type: 'boolean', default: false }, runs: { type: 'string', default: '2' } } });
const fail = (message) => {
  process.stderr.write(`fix-santa.mjs: ${message}\n`);
  process.exit(2);
};
if (!existsSync(join(repo, 'dist', 'cli', 'main.js')) && !existsSync(join(repo, 'dist', 'index.js'))) fail('dist/ is missing: build depguard first (tsc -p tsconfig.json)');
for (const path of [UNIVERSE, OSV, SANTA]) if (!existsSync(path)) fail(`${path} is missing: this benchmark needs ../shared/data beside the checkout`);

const packuments = universePackuments(UNIVERSE, 'https://registry.example.org/');
const server = createServer((req, res) => {
  const doc = packuments.get(decodeURIComponent((req.url ?? '/').slice(1)));
  res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(doc ?? { error: 'Not found' }));
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const registry = `http://127.0.0.1:${server.address().port}/`;

const scratch = mkdtempSync(join(os.tmpdir(), 'depguard-bench-fix-santa-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const userconfig = join(scratch, 'npmrc');
writeFileSync(userconfig, '');
const env = { ...process.env, NO_COLOR: '1', npm_config_userconfig: userconfig, npm_config_update_notifier: 'false', npm_config_proxy: 'http://127.0.0.1:9/', npm_config_https_proxy: 'http://127.0.0.1:9/', npm_config_noproxy: '127.0.0.1' };
const cache = join(scratch, 'cache');

// CPU time of the child from GNU time when there is one.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function run(args, cwd) {
  return new Promise((done) => {
    const started = performance.now();
    const child = TIME ? spawn(TIME, ['-f', 'CPU %U %S', process.execPath, ...args], { cwd, env }) : spawn(process.execPath, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!values.quiet) process.stderr.write(String(chunk).replace(/^(CPU .*|Command exited with non-zero status \d+)\n?/gm, ''));
    });
    child.on('close', (code) => {
      const cpu = /^CPU ([\d.]+) ([\d.]+)$/m.exec(stderr);
      done({ code, stdout, ms: performance.now() - started, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null });
    });
  });
}

const rows = [];
const runs = Number(values.runs);
for (let round = 0; round < runs; round++) {
  const dir = mkdtempSync(join(scratch, 'project-'));
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(SANTA, file), join(dir, file));
  const label = round === 0 ? 'cold' : 'warm';
  const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(values['cpu-prof']), '--cpu-prof-name', `fix-santa-${label}-${round}.cpuprofile`] : [];
  const result = await run([...prof, join(repo, 'bin', 'depguard.js'), 'fix', dir, '--registry', registry, '--cache', cache, '--advisory-source', OSV, '--format', 'json', '--verbose', ...positionals], dir);
  if (![0, 1].includes(result.code)) fail(`depguard fix exited ${result.code}`);
  const plan = JSON.parse(result.stdout);
  const offered = plan.packages.flatMap((entry) => entry.suggestions.filter((s) => s.offered));
  const fixed = new Set(offered.flatMap((s) => s.verification.fixed));
  const joined = plan.plan.verification;
  rows.push({ label, ms: result.ms, cpuMs: result.cpuMs, packages: plan.packages.length, offered: offered.length, fixed: fixed.size, joinedFixed: joined?.fixed.length ?? 0, joinedIntroduced: joined?.introduced.length ?? 0, left: joined?.stillVulnerable.length ?? null, partial: Boolean(plan.partial), searched: plan.plan.searched ?? null });
}
server.close();
process.stdout.write('| run | wall (s) | CPU (s) | packages planned | suggestions offered | advisory hits the offered suggestions fix | plan: hits fixed | plan: introduced | plan: left | partial | combinations searched |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n');
for (const row of rows) process.stdout.write(`| ${row.label} | ${(row.ms / 1000).toFixed(1)} | ${row.cpuMs === null ? '—' : (row.cpuMs / 1000).toFixed(1)} | ${row.packages} | ${row.offered} | ${row.fixed} | ${row.joinedFixed} | ${row.joinedIntroduced} | ${row.left ?? '—'} | ${row.partial} | ${row.searched ? `${row.searched.combinations}${row.searched.improved ? ', improved' : ''}` : '0 (no offered suggestion left to combine)'} |\n`);
