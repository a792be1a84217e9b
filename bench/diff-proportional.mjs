// Times `depguard diff` on a large project whose change adds one package,
// with every registry-backed check on (--policy strict) and an empty cache,
// next to the offline-only `check` of the same tree (issue 16: the diff's
// registry requests grow with the change, and its wall time is at most 1.5×
// that check's: the same policy without its registry-backed checks). An
// offline-only diff beside them splits the diff's cost into the second tree
// (loaded and judged whatever the checks) and the registry-backed checks.
//
// The inputs are made here, each run: a git repository whose first commit is
// a real lockfile (bench/.work/large when `bench/regenerate.sh` made it, else
// shared/data's lockfile-lint) with every `resolved` URL on a registry this
// script serves on 127.0.0.1, and whose second commit adds one package
// (published the day before the audit, deprecated, with an advisory). That
// registry makes a packument for each lockfile package (old publish times)
// and a small tarball for each version, whose integrity the lockfile records;
// it answers the bulk advisory endpoint from shared/data's OSV records plus
// the new package's advisory, and 404 for the signing keys (signatures then
// judges nothing, with a diagnostic). It counts every request it serves.
//
//   tsc -p tsconfig.json && node bench/diff-proportional.mjs [options]
//
//   -n, --iterations <n>  interleaved rounds of the offline check, the diff and the offline diff (default 3)
//   --all <n>             runs of `diff --scope all` (every package judged, as before) and of
//                         `check --policy strict` (default 1 each; 0 to skip)
//   --dataset <dir>       folder with package.json and package-lock.json (see above)
//   --json <file>         also write every raw run
//   --cpu-prof <dir>      V8 CPU profiles of the timed offline checks and diffs, to see where the time goes
//   --keep                keep the generated project (its path is printed) and serve until interrupted
//
// Every run is a fresh process with its own empty --cache and --verbose (one
// stderr line per registry lookup); CPU is user + system (GNU time).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import semver from 'semver';
import { bench, PATH, repo, shared } from './lib/paths.mjs';
import { timedRun, median } from './lib/timed.mjs';
import { bulkFrom } from './lib/universe.mjs';

// node-tar (pacote's) writes the tar headers of the generated tarballs.
const { Header } = createRequire(import.meta.url)('tar');

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', short: 'n', default: '3' },
    all: { type: 'string', default: '1' },
    dataset: { type: 'string' },
    json: { type: 'string' },
    'cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const fail = (message) => {
  process.stderr.write(`diff-proportional.mjs: ${message}\n`);
  process.exit(2);
};
const iterations = Math.max(1, Number(values.iterations));
const allRuns = Math.max(0, Number(values.all));
if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) fail('dist/ is missing: build depguard first (tsc -p tsconfig.json)');
const dataset = resolve(values.dataset ?? (existsSync(join(bench, '.work', 'large', 'package-lock.json')) ? join(bench, '.work', 'large') : join(shared, 'lockfiles', 'lockfile-lint')));
if (!existsSync(join(dataset, 'package-lock.json'))) fail(`${dataset}/package-lock.json is missing: run \`bash bench/regenerate.sh\`, or pass --dataset`);

const DATE = '2026-11-27';
const OLD = '2020-01-01T00:00:00.000Z';
const ADDED = { name: 'bench-fresh-dep', version: '1.0.0', published: '2026-11-26T09:00:00.000Z' };

// --- the registry's data, from the lockfile -----------------------------------

function tarball(files) {
  const parts = [];
  for (const [path, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const header = Buffer.alloc(512);
    new Header({ path: `package/${path}`, size: data.length, mode: 0o644, type: 'File', mtime: new Date(0) }).encode(header, 0);
    parts.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
const integrityOf = (bytes) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
const unscoped = (name) => (name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name);

const lock = JSON.parse(readFileSync(join(dataset, 'package-lock.json'), 'utf8'));
/** name -> version -> { manifest, bytes } */
const published = new Map();
function publish(name, version, entry, time = OLD, extra = {}) {
  const versions = published.get(name) ?? new Map();
  published.set(name, versions);
  if (versions.has(version)) return versions.get(version);
  const fields = Object.fromEntries(['dependencies', 'optionalDependencies', 'peerDependencies', 'engines', 'os', 'cpu', 'bin'].filter((key) => entry[key]).map((key) => [key, entry[key]]));
  const scripts = entry.hasInstallScript ? { install: 'node-gyp rebuild' } : undefined;
  const manifest = { name, version, license: typeof entry.license === 'string' ? entry.license : 'MIT', ...fields, ...(scripts ? { scripts } : {}), ...extra };
  const bytes = tarball({ 'package.json': JSON.stringify(manifest, null, 2), 'index.js': 'module.exports = {};\n', ...(entry.bin ? Object.fromEntries(Object.values(typeof entry.bin === 'string' ? { x: entry.bin } : entry.bin).map((file) => [String(file).replace(/^\.\//, ''), '#!/usr/bin/env node\n'])) : {}) });
  const record = { manifest, bytes, integrity: integrityOf(bytes), time };
  versions.set(version, record);
  return record;
}

let registry = '';
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => answer(req, Buffer.concat(chunks), res));
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
registry = `http://127.0.0.1:${server.address().port}/`;
const tarballUrl = (name, version) => `${registry}${name}/-/${unscoped(name)}-${version}.tgz`;

// The lockfile, its resolved URLs and integrities on this registry.
for (const [key, entry] of Object.entries(lock.packages ?? {})) {
  if (!key.includes('node_modules/') || entry.link || !entry.version) continue;
  const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const record = publish(name, entry.version, entry);
  entry.resolved = tarballUrl(name, entry.version);
  entry.integrity = record.integrity;
}
const added = publish(ADDED.name, ADDED.version, {}, ADDED.published, { deprecated: 'no longer maintained' });

function packument(name, full) {
  const versions = published.get(name);
  const list = [...versions.keys()].filter((version) => semver.valid(version)).sort(semver.compare);
  const latest = list.filter((version) => !semver.prerelease(version)).at(-1) ?? list.at(-1) ?? [...versions.keys()][0];
  const modified = [...versions.values()].map((record) => record.time).sort().at(-1);
  const doc = {
    name,
    modified,
    'dist-tags': { latest },
    versions: Object.fromEntries(
      [...versions].map(([version, record]) => {
        const { scripts, license, ...abbreviated } = record.manifest;
        const manifest = full ? record.manifest : { ...abbreviated, ...(scripts ? { hasInstallScript: true } : {}) };
        return [version, { ...manifest, dist: { tarball: tarballUrl(name, version), integrity: record.integrity } }];
      }),
    ),
  };
  if (full) doc.time = { created: OLD, modified, ...Object.fromEntries([...versions].map(([version, record]) => [version, record.time])) };
  return JSON.stringify(doc);
}

// Advisories: shared/data's OSV records (when there) and one for the added package.
const advisories = [{ id: 'GHSA-bnch-frsh-0001', package: ADDED.name, range: '<2.0.0', title: 'Prototype pollution in bench-fresh-dep', url: 'https://github.com/advisories/GHSA-bnch-frsh-0001', severity: 'high', cwe: [] }];
const osv = join(shared, 'advisories', 'osv');
if (existsSync(osv) && existsSync(join(repo, 'dist', 'enrich', 'advisories', 'osv-record.js'))) {
  const { normaliseOsvRecord } = await import(join(repo, 'dist', 'enrich', 'advisories', 'osv-record.js'));
  for (const file of readdirSync(osv).filter((file) => file.endsWith('.json'))) advisories.push(...normaliseOsvRecord(JSON.parse(readFileSync(join(osv, file), 'utf8')), 'osv-db', file).advisories);
}
const bulk = bulkFrom(advisories);

let counts;
const resetCounts = () => (counts = { packuments: 0, full: 0, tarballs: 0, bulk: 0, other: 0 });
resetCounts();
function answer(req, body, res) {
  const url = req.url ?? '/';
  const send = (status, type, text) => {
    res.writeHead(status, { 'content-type': type });
    res.end(text);
  };
  if (req.method === 'POST' && url === '/-/npm/v1/security/advisories/bulk') {
    counts.bulk++;
    const payload = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
    return send(200, 'application/json', JSON.stringify(bulk(payload)));
  }
  const file = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(url);
  if (file) {
    const record = published.get(decodeURIComponent(file[1]))?.get(file[2]);
    if (record) {
      counts.tarballs++;
      return send(200, 'application/octet-stream', record.bytes);
    }
  }
  const name = decodeURIComponent(url.slice(1));
  if (req.method === 'GET' && published.has(name)) {
    const corgi = String(req.headers.accept ?? '').startsWith('application/vnd.npm.install-v1+json');
    counts[corgi ? 'packuments' : 'full']++;
    return send(200, corgi ? 'application/vnd.npm.install-v1+json' : 'application/json', packument(name, !corgi));
  }
  counts.other++;
  send(404, 'application/json', '{"error":"Not found"}');
}

// --- the project: base commit, head commit adding one package -----------------

const scratch = mkdtempSync(join(os.tmpdir(), 'depguard-bench-diff-'));
if (!values.keep) process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const project = join(scratch, 'project');
cpSync(dataset, project, { recursive: true, filter: (path) => !path.includes('node_modules') && !path.includes(`${join(dataset, '.git')}`) });
const git = (...args) => {
  const result = spawnSync('git', args, { cwd: project, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.org', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.org', GIT_CONFIG_NOSYSTEM: '1', HOME: scratch } });
  if (result.status !== 0) fail(`git ${args.join(' ')}: ${result.stderr}`);
};
const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
git('init', '-q', '-b', 'main');
git('add', '-A');
git('commit', '-q', '-m', 'base');
manifest.dependencies = { ...manifest.dependencies, [ADDED.name]: ADDED.version };
lock.packages[''].dependencies = { ...lock.packages[''].dependencies, [ADDED.name]: ADDED.version };
lock.packages[`node_modules/${ADDED.name}`] = { version: ADDED.version, resolved: tarballUrl(ADDED.name, ADDED.version), integrity: added.integrity };
writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
git('add', '-A');
git('commit', '-q', '-m', `add ${ADDED.name}`);
const packages = Object.keys(lock.packages).length - 1;

// --- runs ---------------------------------------------------------------------

const userconfig = join(scratch, 'npmrc');
writeFileSync(userconfig, '');
const env = { ...process.env, PATH, NO_COLOR: '1', npm_config_userconfig: userconfig, npm_config_update_notifier: 'false' };
// The checks that ask the registry or read package contents: what `check` leaves out for the offline-only baseline.
const REGISTRY_CHECKS = ['advisories', 'capabilities', 'deprecated', 'license', 'manifest-confusion', 'provenance', 'publisher', 'release-age', 'signatures'];
const common = ['--registry', registry, '--date', DATE, '--format', 'json', '--fail-on', 'none', '--verbose', '--no-progress'];
const tools = {
  offline: { label: 'check --policy strict without the registry-backed checks (offline-only)', args: ['check', project, '--policy', 'strict', '--skip', REGISTRY_CHECKS.join(',')] },
  diff: { label: 'diff --policy strict (registry work for the change: --scope changed)', args: ['diff', project, '--base', 'HEAD~1', '--policy', 'strict'] },
  offlineDiff: { label: 'diff --policy strict without the registry-backed checks (offline-only: two trees loaded and judged)', args: ['diff', project, '--base', 'HEAD~1', '--policy', 'strict', '--skip', REGISTRY_CHECKS.join(',')] },
  all: { label: 'diff --policy strict --scope all (every package judged on both sides, as before)', args: ['diff', project, '--base', 'HEAD~1', '--policy', 'strict', '--scope', 'all'] },
  strict: { label: 'check --policy strict (every package judged)', args: ['check', project, '--policy', 'strict'] },
};

async function runOnce(id) {
  resetCounts();
  const cache = mkdtempSync(join(scratch, 'cache-'));
  const load = os.loadavg()[0];
  const profile = values['cpu-prof'] && (id === 'offline' || id === 'diff' || id === 'offlineDiff') ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(values['cpu-prof'], id)}` } : {};
  const run = await timedRun(process.execPath, [join(repo, 'bin', 'depguard.js'), ...tools[id].args, ...common, '--cache', cache], { cwd: project, env: { ...env, ...profile } });
  rmSync(cache, { recursive: true, force: true });
  if (run.code !== 0 && run.code !== 1) fail(`${id} exited ${run.code}: ${run.stderr.slice(-1500)}`);
  const result = JSON.parse(run.stdout);
  // --verbose: `depguard: GET <url> <status> <ms>ms cache=<how>`; cache-only lookups (ENOTCACHED) are not requests.
  const verbose = run.stderr.split('\n').filter((line) => /^depguard: (GET|POST) /.test(line) && !line.includes('error=ENOTCACHED')).length;
  const findings = result.diff ? result.diff.newFindings : result.findings;
  return { id, ms: run.ms, cpuMs: run.cpuMs, rssMb: run.rssMb, load, code: run.code, served: { ...counts }, verbose, findings: findings.length, rules: findings.map((f) => `${f.rule} ${f.package?.name ?? '-'}`), scope: result.diff?.head?.scope ?? null };
}

const runs = [];
const order = ['offline', 'diff', 'offlineDiff'];
// One warm-up of each (the OS's file cache, Node's compile cache), not counted.
for (const id of order) await runOnce(id);
for (let round = 0; round < iterations; round++) {
  for (const id of order) runs.push(await runOnce(id));
  process.stderr.write('.');
}
for (let round = 0; round < allRuns; round++) for (const id of ['all', 'strict']) runs.push(await runOnce(id));
process.stderr.write('\n');
if (values.keep) process.stderr.write(`kept: ${project} (registry ${registry}, Ctrl-C stops it)\n`);
else server.close();

const fmt = (value) => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
const requests = (run) => `${run.served.packuments + run.served.full} packuments (${run.served.full} full), ${run.served.tarballs} tarballs, ${run.served.bulk} bulk, ${run.served.other} other; --verbose ${run.verbose}`;
const lines = [
  `${dataset.replace(resolve(repo, '..'), '..')} (${packages} lockfile entries) on a loopback registry, the change adds ${ADDED.name}@${ADDED.version}; Node.js ${process.versions.node}; --date ${DATE}; each run a fresh process with an empty --cache`,
  '',
  '| run | registry requests served | new findings (diff) / findings (check) | wall ms | CPU ms | peak RSS MB | load |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ...runs.map((run) => `| ${tools[run.id].label} | ${requests(run)} | ${run.findings} | ${fmt(run.ms)} | ${fmt(run.cpuMs)} | ${fmt(run.rssMb)} | ${run.load.toFixed(1)} |`),
];
const pick = (id, key) => median(runs.filter((run) => run.id === id).map((run) => run[key]));
const [wall, cpu] = [pick('diff', 'ms') / pick('offline', 'ms'), pick('diff', 'cpuMs') / pick('offline', 'cpuMs')];
const diffRun = runs.find((run) => run.id === 'diff');
const [registryWall, registryCpu] = [pick('diff', 'ms') / pick('offlineDiff', 'ms'), pick('diff', 'cpuMs') / pick('offlineDiff', 'cpuMs')];
const [treesWall, treesCpu] = [pick('offlineDiff', 'ms') / pick('offline', 'ms'), pick('offlineDiff', 'cpuMs') / pick('offline', 'cpuMs')];
lines.push(
  '',
  `- medians: diff ${fmt(pick('diff', 'ms'))} ms wall, ${fmt(pick('diff', 'cpuMs'))} ms CPU; offline diff ${fmt(pick('offlineDiff', 'ms'))} ms wall, ${fmt(pick('offlineDiff', 'cpuMs'))} ms CPU; offline check ${fmt(pick('offline', 'ms'))} ms wall, ${fmt(pick('offline', 'cpuMs'))} ms CPU`,
  `- target (diff wall ≤ 1.5× the offline check): ${wall.toFixed(2)}× -> ${wall <= 1.5 ? 'met' : 'MISSED'} (CPU ${cpu.toFixed(2)}×)`,
  `- of which the registry-backed checks on the change (diff ÷ offline diff): ${registryWall.toFixed(2)}× wall (CPU ${registryCpu.toFixed(2)}×); the second tree (offline diff ÷ offline check): ${treesWall.toFixed(2)}× wall (CPU ${treesCpu.toFixed(2)}×)`,
  `- the diff's new findings: ${diffRun.rules.join(', ')}; head scope ${JSON.stringify(diffRun.scope)}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) writeFileSync(values.json, JSON.stringify({ registry, dataset, packages, runs }, null, 2));
