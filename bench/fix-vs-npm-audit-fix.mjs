// Compares `depguard fix --write --lockfile` with `npm audit fix` (no --force)
// on the projects depguard fix's tests use, each against the loopback
// registry universe its tests serve: Arborist's mock registry with its
// recorded audit answer (mkdirp-pinned, audit-nyc-mkdirp), and osv-scanner's
// frozen santatracker universe with the real OSV records of shared/data as
// the bulk endpoint's answer (fixtures/projects/fix-*, santa-tracker-web),
// and the express 4 universe recorded from the registry
// (fixtures/universes/express-4.json) with the same records (fix-express).
// For each tool: the advisory hits `npm audit` still reports afterwards (same
// registry, same advisory answer) and the major bumps the lockfile took.
// Never touches the network: a server on 127.0.0.1 answers everything, npm
// and depguard get an empty userconfig, --ignore-scripts and
// --package-lock-only (no tarball is fetched, no package code runs).
//
//   tsc -p tsconfig.json && node bench/fix-vs-npm-audit-fix.mjs [--json file] [--skip-large]
//
// Prints a markdown table (the one in docs/fix.md).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import semver from 'semver';
import { bulkFrom, universePackuments } from './lib/universe.mjs';
import { repo } from './lib/paths.mjs';

const shared = resolve(repo, '..', 'shared', 'data');
const ARBORIST = join(shared, 'peers', 'npm-cli', 'workspaces', 'arborist', 'test', 'fixtures');
const UNIVERSE = join(shared, 'peers', 'osv-scanner', 'internal', 'remediation', 'testdata', 'santatracker', 'universe.yaml');
const OSV = join(shared, 'advisories', 'osv');
const SANTA = join(shared, 'lockfiles', 'santa-tracker-web');

const { values } = parseArgs({ options: { json: { type: 'string' }, 'skip-large': { type: 'boolean', default: false } } });
const fail = (message) => {
  process.stderr.write(`fix-vs-npm-audit-fix.mjs: ${message}\n`);
  process.exit(2);
};
if (!existsSync(join(repo, 'dist', 'enrich', 'advisories', 'osv-record.js'))) fail('dist/ is missing: build depguard first (tsc -p tsconfig.json)');
for (const path of [ARBORIST, UNIVERSE, OSV]) if (!existsSync(path)) fail(`${path} is missing: this comparison needs ../shared/data beside the checkout`);
const { normaliseOsvRecord } = await import(join(repo, 'dist', 'enrich', 'advisories', 'osv-record.js'));
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));

// ---- the two universes, as test/advisories/advisory-server.ts and universe.ts serve them ----

/** The old quick-audit answer in the bulk shape (bulkFromQuick in the test helper), filtered to the asked names. */
function bulkFromQuick(quick) {
  const bulk = {};
  for (const advisory of Object.values(quick.advisories)) {
    (bulk[String(advisory.module_name)] ??= []).push({ id: advisory.id, url: advisory.url, title: advisory.title, severity: advisory.severity, vulnerable_versions: advisory.vulnerable_versions });
  }
  return (payload) => Object.fromEntries(Object.entries(bulk).filter(([name]) => Object.hasOwn(payload, name)));
}

/** A registry on 127.0.0.1: packuments by name and the bulk advisory endpoint. */
async function startRegistry() {
  const state = { packuments: new Map(), bulk: () => ({}) };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && url === '/-/npm/v1/security/advisories/bulk') {
        const raw = Buffer.concat(chunks);
        return send(200, state.bulk(JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'))));
      }
      const doc = state.packuments.get(decodeURIComponent(url.slice(1)));
      if (req.method === 'GET' && doc) return send(200, doc);
      send(404, { error: 'Not found' });
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  state.url = `http://127.0.0.1:${server.address().port}/`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise((done) => server.close(() => done()));
  };
  return state;
}

const arborist = await startRegistry();
for (const file of readdirSync(join(ARBORIST, 'registry-mocks', 'content'))) {
  const packument = json(join(ARBORIST, 'registry-mocks', 'content', file));
  arborist.packuments.set(packument.name, packument);
}
arborist.bulk = bulkFromQuick(json(join(ARBORIST, 'audit-nyc-mkdirp', 'audit.json')));
const osv = await startRegistry();
for (const [name, doc] of universePackuments(UNIVERSE, 'https://registry.example.org/')) osv.packuments.set(name, doc);
const express = await startRegistry();
for (const [name, doc] of Object.entries(json(join(repo, 'fixtures', 'universes', 'express-4.json')).packuments)) express.packuments.set(name, doc);
osv.bulk = bulkFrom(readdirSync(OSV).filter((file) => file.endsWith('.json')).sort().flatMap((file) => normaliseOsvRecord(json(join(OSV, file)), 'osv-db', file).advisories));
express.bulk = osv.bulk;

// ---- the runs ----

const scratch = mkdtempSync(join(os.tmpdir(), 'depguard-bench-fix-'));
const userconfig = join(scratch, 'npmrc');
writeFileSync(userconfig, '');
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
// Anything not for 127.0.0.1 goes to a proxy that is not there, so a stray request fails the run instead of reaching the network.
const env = { ...process.env, NO_COLOR: '1', npm_config_userconfig: userconfig, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_proxy: 'http://127.0.0.1:9/', npm_config_https_proxy: 'http://127.0.0.1:9/', npm_config_noproxy: '127.0.0.1' };

function run(command, args, cwd) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const npmFlags = (registry, cache) => ['--registry', registry, '--cache', cache, '--ignore-scripts', '--package-lock-only'];

/** `package advisoryId` of every advisory npm audit reports (published advisories, not the dependents it flags through them). */
async function npmAudit(dir, registry, cache) {
  const result = await run('npm', ['audit', '--json', ...npmFlags(registry, cache)], dir);
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    fail(`npm audit in ${dir} answered no JSON (exit ${result.code}): ${result.stderr.split('\n')[0]}`);
  }
  const hits = new Set();
  for (const vuln of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vuln.via) if (typeof via === 'object') hits.add(`${via.name} ${via.source}`);
  }
  return [...hits].sort();
}

/** Installed versions by package name, by major, from a lockfile's `packages`. */
function majorsByName(dir) {
  const byName = new Map();
  for (const [path, entry] of Object.entries(json(join(dir, 'package-lock.json')).packages ?? {})) {
    if (path === '' || !entry.version || !semver.valid(entry.version)) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const majors = byName.get(name) ?? new Map();
    majors.set(semver.major(entry.version), entry.version);
    byName.set(name, majors);
  }
  return byName;
}

/**
 * Major bumps: a package that was installed and now has a copy on a higher
 * major line it had no copy on. Counted by name, not by lockfile path, so that
 * copies trading places when the tree is re-hoisted are not counted.
 */
function majorBumps(beforeDir, afterDir) {
  const before = majorsByName(beforeDir);
  const bumps = [];
  for (const [name, majors] of majorsByName(afterDir)) {
    const old = before.get(name);
    if (!old) continue;
    const lowest = Math.min(...old.keys());
    for (const [major, version] of majors) {
      if (old.has(major) || major < lowest) continue;
      const from = Math.max(...[...old.keys()].filter((m) => m < major));
      bumps.push(`${name} ${old.get(from)}→${version}`);
    }
  }
  return bumps.sort();
}

function copyProject(source) {
  const dir = mkdtempSync(join(scratch, 'project-'));
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(source, file), join(dir, file));
  return dir;
}

const projects = [
  { name: 'mkdirp-pinned', from: join(ARBORIST, 'mkdirp-pinned'), registry: arborist, universe: "Arborist's mock registry" },
  { name: 'audit-nyc-mkdirp', from: join(ARBORIST, 'audit-nyc-mkdirp'), registry: arborist, universe: "Arborist's mock registry" },
  ...['fix-refresh', 'fix-direct-major', 'fix-global-override', 'fix-override-vulnerable'].map((name) => ({ name, from: join(repo, 'fixtures', 'projects', name), registry: osv, universe: 'osv-scanner santatracker' })),
  { name: 'fix-express', from: join(repo, 'fixtures', 'projects', 'fix-express'), registry: express, universe: 'express 4, recorded (fixtures/universes)' },
  ...(values['skip-large'] || !existsSync(SANTA) ? [] : [{ name: 'santa-tracker-web', from: SANTA, registry: osv, universe: 'osv-scanner santatracker' }]),
];

const rows = [];
for (const project of projects) {
  const registry = project.registry.url;
  const cache = join(scratch, `cache-${project.name}`);
  mkdirSync(cache);
  const original = copyProject(project.from);
  const before = await npmAudit(original, registry, cache);

  const npmDir = copyProject(project.from);
  const started = performance.now();
  const npmFix = await run('npm', ['audit', 'fix', ...npmFlags(registry, cache)], npmDir);
  const npmMs = performance.now() - started;
  // npm audit fix exits 1 while vulnerabilities remain: only `npm error` lines mean it failed.
  const errors = npmFix.stderr.split('\n').filter((line) => line.startsWith('npm error'));
  const npmError = errors.length > 0 ? errors.slice(0, 2).join(': ').replaceAll('npm error ', '') : [0, 1].includes(npmFix.code) ? undefined : `exit ${npmFix.code}`;
  const npmAfter = npmError ? null : await npmAudit(npmDir, registry, cache);

  const depguardDir = copyProject(project.from);
  const startedDepguard = performance.now();
  const depguardFix = await run(process.execPath, [join(repo, 'bin', 'depguard.js'), 'fix', depguardDir, '--write', '--lockfile', '--no-audit-overrides', '--registry', registry, '--cache', join(scratch, `depguard-cache-${project.name}`), '--format', 'json'], depguardDir);
  const depguardMs = performance.now() - startedDepguard;
  if (![0, 1].includes(depguardFix.code)) fail(`depguard fix on ${project.name} exited ${depguardFix.code}: ${depguardFix.stderr.split('\n')[0]}`);
  const plan = JSON.parse(depguardFix.stdout);
  const depguardAfter = await npmAudit(depguardDir, registry, cache);

  const row = {
    project: project.name,
    universe: project.universe,
    before,
    npm: npmAfter === null ? { error: npmError } : { left: npmAfter, majorBumps: majorBumps(original, npmDir), ms: Math.round(npmMs) },
    depguard: {
      left: depguardAfter,
      majorBumps: majorBumps(original, depguardDir),
      errors: [...new Set(plan.packages.flatMap((entry) => entry.suggestions.map((s) => s.verification.error).filter(Boolean)))],
      kinds: plan.packages.map((entry) => `${entry.package}: ${entry.suggestions.find((s) => s.offered)?.kind ?? `none offered of ${entry.suggestions.length} (${entry.suggestions.map((s) => `${s.kind} ${s.to}: fixed ${s.verification.fixed.length}, introduced ${s.verification.introduced.length}, changed ${s.verification.changed.length}`).join('; ')})`}`),
      ms: Math.round(depguardMs),
    },
  };
  row.fixedOnlyByDepguard = (row.npm.left ?? before).filter((hit) => !depguardAfter.includes(hit));
  rows.push(row);
  process.stderr.write(`${project.name}: ${before.length} before, npm audit fix leaves ${row.npm.left?.length ?? row.npm.error}, depguard fix leaves ${depguardAfter.length}\n`);
}

await arborist.close();
await osv.close();
await express.close();

if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
const list = (items) => (items.length === 0 ? '—' : items.join(', '));
const lines = [
  '| project | universe | hits before | left after `npm audit fix` | majors (npm) | left after `depguard fix` | majors (depguard) | fixed only by depguard |',
  '| --- | --- | ---: | --- | --- | --- | --- | --- |',
  ...rows.map((row) =>
    [
      row.project,
      row.universe,
      row.before.length,
      row.npm.error ? `npm failed: ${row.npm.error}` : `${row.npm.left.length}${row.npm.left.length ? ` (${list(row.npm.left)})` : ''}`,
      row.npm.error ? '—' : `${row.npm.majorBumps.length}${row.npm.majorBumps.length ? ` (${list(row.npm.majorBumps)})` : ''}`,
      `${row.depguard.left.length}${row.depguard.left.length ? ` (${list(row.depguard.left)})` : ''}`,
      `${row.depguard.majorBumps.length}${row.depguard.majorBumps.length ? ` (${list(row.depguard.majorBumps)})` : ''}`,
      row.fixedOnlyByDepguard.length,
    ].join(' | '),
  ).map((line) => `| ${line} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
