// Shows that two builds of depguard give the same answers: `check`, `report`
// and `diff` JSON (and exit codes) on every fixtures/projects/* from this
// checkout and from another commit, ignoring timings. Written to hold the
// restructure (issue 16) to "behaviour unchanged"; any refactor can use it.
//
//   node bench/parity.mjs [--ref <commit>] [--keep]
//
//   --ref <commit>   the other build (default: the parent of the commit whose
//                    message starts with "Restructure:")
//   --keep           keep the other build's temporary folder
//
// The other commit is exported with `git archive` into a temporary folder,
// shares this checkout's node_modules (its runtime dependencies must be
// among this checkout's, at the same versions: checked) and is built with this checkout's tsc. Every command runs
// from this checkout's root with relative fixture paths, --offline, a fixed
// --date and an empty npm cache, so both builds see the same input. Run with
// the pinned Node.js (node_modules/.bin first on PATH); build this checkout
// first (npm run build). Exit 1 when any output differs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PATH, repo } from './lib/paths.mjs';

const { values } = parseArgs({ options: { ref: { type: 'string' }, keep: { type: 'boolean', default: false } } });
const DATE = '2026-12-01';
const env = { ...process.env, PATH, NO_COLOR: '1', FORCE_COLOR: '0' };
const git = (...args) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

function fail(message) {
  process.stderr.write(`parity.mjs: ${message}\n`);
  process.exit(2);
}

if (!existsSync(join(repo, 'dist/cli/main.js'))) fail('dist/ is missing: run npm run build first');
const ref = values.ref ?? `${git('log', '--format=%H', '-1', '--grep=^Restructure:')}^`;
if (ref === '^') fail('no commit starting "Restructure:" in this history: pass --ref');
const commit = git('rev-parse', '--verify', `${ref}^{commit}`);

const other = mkdtempSync(join(os.tmpdir(), 'depguard-parity-'));
const cache = mkdtempSync(join(os.tmpdir(), 'depguard-parity-cache-'));
const cleanup = () => {
  if (!values.keep) rmSync(other, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
};
process.on('exit', cleanup);

execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${other}"`], { cwd: repo });
const dependencies = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {};
const ours = dependencies(repo);
const differing = Object.entries(dependencies(other)).filter(([name, version]) => ours[name] !== version);
if (differing.length > 0) fail(`${commit.slice(0, 12)} needs runtime dependencies this checkout does not have (${differing.map(([name, version]) => `${name}@${version}`).join(', ')}): compare with a commit whose dependencies this checkout holds`);
symlinkSync(join(repo, 'node_modules'), join(other, 'node_modules'), 'dir');
execFileSync(join(repo, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: other, env, stdio: 'inherit' });

const fixtures = readdirSync(join(repo, 'fixtures/projects'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(repo, 'fixtures/projects', entry.name, 'package.json')))
  .map((entry) => `fixtures/projects/${entry.name}`)
  .sort();

// Advisories come from the OSV records in fixtures/: the default preset turns the
// advisories check on, and offline with no source every run would end in exit 2.
const common = ['--offline', '--date', DATE, '--cache', cache, '--no-progress', '--advisory-source', 'fixtures/advisories/osv'];
/** Every invocation compared: check and report on each fixture; diff of each fixture against clean-app, and the real-service pair. */
const runs = [];
for (const fixture of fixtures) {
  runs.push(['check', fixture, '-f', 'json', ...common]);
  runs.push(['report', fixture, '-f', 'json', ...common]);
  runs.push(['diff', fixture, '--base', 'fixtures/projects/clean-app', '-f', 'json', ...common]);
}
runs.push(['diff', 'fixtures/projects/diff-real-service-after', '--base', 'fixtures/projects/diff-real-service-before', '-f', 'json', ...common]);

function depguard(root, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/depguard.js'), ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Keys whose values are wall-clock measurements: left out of the comparison. */
const TIMING = /^(elapsed|duration|durationMs|timings?|took|ms|seconds|startedAt|finishedAt|generatedAt)$/i;
function withoutTimings(value) {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !TIMING.test(key)).map(([key, item]) => [key, withoutTimings(item)]));
}
/** Errors: the message lines. Hint lines are left out (issue 16 gave every error code a remedy, so hints were added). */
const withoutHints = (stderr) => stderr.split('\n').filter((line) => !line.startsWith('hint: ')).join('\n');
function normalise(output) {
  if (output.stdout.trim() === '') return { code: output.code, stderr: withoutHints(output.stderr) };
  try {
    return { code: output.code, json: withoutTimings(JSON.parse(output.stdout)) };
  } catch {
    return { code: output.code, stdout: output.stdout };
  }
}

let differences = 0;
let index = 0;
/** Exit codes seen, by command: shows the runs exercised findings and errors, not just clean trees. */
const tally = {};
const started = Date.now();
async function worker() {
  while (index < runs.length) {
    const args = runs[index++];
    const [before, after] = await Promise.all([depguard(other, args), depguard(repo, args)]);
    const key = `${args[0]} exit ${after.code}`;
    tally[key] = (tally[key] ?? 0) + 1;
    const a = JSON.stringify(normalise(before));
    const b = JSON.stringify(normalise(after));
    if (a !== b) {
      differences++;
      process.stdout.write(`DIFFERENT  depguard ${args.slice(0, 4).join(' ')}\n  ${commit.slice(0, 12)}: ${a.slice(0, 300)}\n  this checkout: ${b.slice(0, 300)}\n`);
    }
  }
}
await Promise.all([worker(), worker()]);
process.stdout.write(`${runs.length} invocations (check, report, diff on ${fixtures.length} fixtures) compared with ${commit.slice(0, 12)} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${differences === 0 ? 'all identical' : `${differences} different`}\n`);
process.stdout.write(`exit codes: ${Object.entries(tally).sort().map(([key, count]) => `${key}: ${count}`).join(', ')}\n`);
if (values.keep) process.stdout.write(`other build kept in ${other}\n`);
process.exit(differences === 0 ? 0 : 1);
