// Times depguard's advisories check against `npm audit` on the same real
// lockfile, the same advisory data and the same registry: a server on
// 127.0.0.1 answers the bulk advisory endpoint from shared/data's OSV folder
// (186 real records) and serves packuments from osv-scanner's frozen
// universe for that project. Each tool runs as a whole process (spawn to
// exit), interleaved, after a warm-up that fills its cache (npm's cacache,
// depguard's compact packument cache); the bulk endpoint is asked every run,
// as neither tool caches it.
//
//   tsc -p tsconfig.json && node bench/advisories.mjs [-n 9] [--json file] [--cpu-prof dir]
//
// Also timed: depguard reading the OSV folder directly (--advisory-source <dir>).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { bulkFrom, universePackuments } from './lib/universe.mjs';
import { bench, bin, PATH, repo } from './lib/paths.mjs';
import { median, timedRun } from './lib/timed.mjs';

const shared = resolve(repo, '..', 'shared', 'data');
const LOCKFILE = join(shared, 'lockfiles', 'santa-tracker-web');
const OSV = join(shared, 'advisories', 'osv');
const UNIVERSE = join(shared, 'peers', 'osv-scanner', 'internal', 'remediation', 'testdata', 'santatracker', 'universe.yaml');

const { values } = parseArgs({ options: { iterations: { type: 'string', short: 'n', default: '7' }, warmup: { type: 'string', default: '1' }, json: { type: 'string' }, 'cpu-prof': { type: 'string' } } });
const iterations = Number(values.iterations);
const warmup = Number(values.warmup);
const fail = (message) => {
  process.stderr.write(`advisories.mjs: ${message}\n`);
  process.exit(2);
};
if (!existsSync(join(repo, 'dist', 'enrich', 'advisories', 'osv-record.js'))) fail('dist/ is missing: build depguard first (tsc -p tsconfig.json)');
for (const path of [LOCKFILE, OSV, UNIVERSE]) if (!existsSync(path)) fail(`${path} is missing: this benchmark needs ../shared/data beside the checkout`);
const { normaliseOsvRecord } = await import(join(repo, 'dist', 'enrich', 'advisories', 'osv-record.js'));

// The advisory data: every OSV record, normalised, in the bulk endpoint's shape.
const advisories = readdirSync(OSV)
  .filter((file) => file.endsWith('.json'))
  .flatMap((file) => normaliseOsvRecord(JSON.parse(readFileSync(join(OSV, file), 'utf8')), 'osv-db', file).advisories);
const bulkAnswer = bulkFrom(advisories);

// The registry: osv-scanner's universe as abbreviated packuments, served as text.
function universe(registry) {
  return new Map([...universePackuments(UNIVERSE, registry)].map(([name, doc]) => [name, JSON.stringify(doc)]));
}

const counts = { bulk: 0, packuments: 0 };
let docs = new Map();
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const url = req.url ?? '/';
    if (req.method === 'POST' && url === '/-/npm/v1/security/advisories/bulk') {
      counts.bulk++;
      const raw = Buffer.concat(chunks);
      const payload = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(bulkAnswer(payload)));
    }
    const doc = docs.get(decodeURIComponent(url.slice(1)));
    if (req.method === 'GET' && doc) {
      counts.packuments++;
      res.writeHead(200, { 'content-type': 'application/vnd.npm.install-v1+json', 'cache-control': 'public, max-age=300', etag: `"${doc.length}"` });
      return res.end(doc);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"Not found"}');
  });
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const registry = `http://127.0.0.1:${server.address().port}/`;
docs = universe(registry);

const scratch = mkdtempSync(join(os.tmpdir(), 'depguard-bench-adv-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const project = join(scratch, 'santa-tracker-web');
mkdirSync(project);
for (const file of ['package.json', 'package-lock.json']) cpSync(join(LOCKFILE, file), join(project, file));
// Neither tool reads the user's npmrc: the same settings for both.
const userconfig = join(scratch, 'npmrc');
writeFileSync(userconfig, '');
const env = { ...process.env, PATH, NO_COLOR: '1', npm_config_userconfig: userconfig, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
const npmCache = join(scratch, 'npm-cache');
const depguardCache = join(scratch, 'depguard-cache');

const tools = [
  { id: 'npm', label: 'npm audit --json', command: 'npm', args: ['audit', '--json', '--registry', registry, '--cache', npmCache], ok: [0, 1] },
  {
    id: 'depguard',
    label: 'depguard check --only advisories (npm bulk endpoint)',
    command: process.execPath,
    args: [join(repo, 'bin', 'depguard.js'), 'check', project, '--only', 'advisories', '--advisory-source', 'npm', '--registry', registry, '--cache', depguardCache, '--format', 'json', '--no-progress'],
    ok: [0, 1],
  },
  {
    id: 'depguard-osv',
    label: 'depguard check --only advisories --advisory-source <OSV folder>',
    command: process.execPath,
    args: [join(repo, 'bin', 'depguard.js'), 'check', project, '--only', 'advisories', '--advisory-source', OSV, '--registry', registry, '--cache', depguardCache, '--format', 'json', '--no-progress'],
    ok: [0, 1],
  },
];

function runOnce(tool) {
  // --cpu-prof <dir>: V8 CPU profiles of depguard's runs, to see where its time goes.
  const profile = values['cpu-prof'] && tool.id.startsWith('depguard') ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(values['cpu-prof'])}` } : {};
  return timedRun(tool.command, tool.args, { cwd: project, env: { ...env, ...profile } });
}

const runs = Object.fromEntries(tools.map((tool) => [tool.id, []]));
const last = {};
for (let round = 0; round < warmup + iterations; round++) {
  for (const tool of tools) {
    const run = await runOnce(tool);
    if (!tool.ok.includes(run.code)) fail(`${tool.id} exited ${run.code}: ${run.stderr.slice(0, 800)}`);
    last[tool.id] = run.stdout;
    if (round >= warmup) runs[tool.id].push(run);
  }
  process.stderr.write('.');
}
process.stderr.write('\n');
server.close();

// The same answer: npm's vulnerable packages and depguard's.
const npmReport = JSON.parse(last.npm);
const ours = JSON.parse(last.depguard);
const npmNames = Object.keys(npmReport.vulnerabilities).sort();
const ourNames = ours.checks.advisories.vulnerablePackages;
const same = JSON.stringify(npmNames) === JSON.stringify(ourNames);

const npmVersion = spawnSync('npm', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
const packages = Object.keys(JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')).packages).length - 1;
const base = median(runs.npm.map((run) => run.ms));
const baseCpu = median(runs.npm.map((run) => run.cpuMs));
const fmt = (value) => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
const lines = [
  `santa-tracker-web (${packages} lockfile entries), ${advisories.length} advisories from ${OSV.replace(resolve(repo, '..'), '..')}; Node.js ${process.versions.node}, npm ${npmVersion}; ${iterations} runs after ${warmup} warm-up`,
  '',
  '| tool | median ms | min ms | max ms | median / npm audit | CPU ms (median) | CPU / npm audit | peak RSS MB |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...tools.map((tool) => {
    const list = runs[tool.id];
    const ms = median(list.map((run) => run.ms));
    const cpu = median(list.map((run) => run.cpuMs));
    return `| ${tool.label} | ${fmt(ms)} | ${fmt(Math.min(...list.map((run) => run.ms)))} | ${fmt(Math.max(...list.map((run) => run.ms)))} | ${(ms / base).toFixed(2)}× | ${fmt(cpu)} | ${Number.isFinite(cpu / baseCpu) ? `${(cpu / baseCpu).toFixed(2)}×` : 'n/a'} | ${fmt(median(list.map((run) => run.rssMb)))} |`;
  }),
  '',
  `- vulnerable packages: npm audit ${npmNames.length}, depguard ${ourNames.length} -> ${same ? 'the same set' : `DIFFERENT (${npmNames.filter((n) => !ourNames.includes(n)).join(', ')} | ${ourNames.filter((n) => !npmNames.includes(n)).join(', ')})`}`,
  `- target (depguard no slower than npm audit): ${(median(runs.depguard.map((run) => run.ms)) / base).toFixed(2)}× -> ${median(runs.depguard.map((run) => run.ms)) <= base ? 'met' : 'MISSED'}`,
  `- requests served: ${counts.bulk} bulk, ${counts.packuments} packuments (all runs, warm-ups included)`,
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) writeFileSync(values.json, JSON.stringify({ registry, runs, counts }, null, 2));
