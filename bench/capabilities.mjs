// The capabilities check, timed and tried on real packages. Runs over dist/
// (build first: tsc -p tsconfig.json), with the registry of your npm config.
//
//   node bench/capabilities.mjs [dir] [-n N] [--keep-download]
//     Times the capability scan of a project's lockfile (default
//     bench/.work/large, made by bench/regenerate.sh) as the check runs it:
//       cold-download  empty npm cache and capability cache: every tarball downloaded (once)
//       cold-analysis  tarballs in npm's cache, capability cache empty: reading + parsing
//       warm           capability cache filled: nothing re-read (N rounds)
//     Each run is a fresh process (`--only capabilities --format json`
//     through the library), so module loading is included.
//
//   node bench/capabilities.mjs real [name@version ...]
//     Analyses published packages (default: the set docs/checks/capabilities.md
//     records) straight from their tarballs and prints a markdown table of
//     what was found, with the first strong evidence of each capability.
//
// Caches live in bench/.work/capabilities-cache-* (git-ignored); your ~/.npm
// is never written.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORK = join(HERE, '.work');
const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;

const REAL = [
  'axios@1.21.1', 'ws@8.23.0', 'node-fetch@2.7.0', 'undici@8.13.1',
  'cross-spawn@7.0.6', 'execa@10.2.1',
  'bcrypt@6.0.0', 'sharp@0.35.5', 'esbuild@0.28.2',
  'left-pad@1.3.0', 'camelcase@10.0.0',
  'dotenv@18.0.10', 'fs-extra@11.4.1', 'ejs@3.1.10',
];

async function registryClient(cache) {
  const { loadNpmConfig } = await import(dist('npm-config.js'));
  const { createRegistryClient } = await import(dist('enrich/access.js'));
  const npm = await loadNpmConfig(process.cwd(), { cache });
  return createRegistryClient(npm.registries, npm, { cache, mode: 'prefer-offline' });
}

async function real(specs) {
  const cache = join(WORK, 'capabilities-cache-real');
  mkdirSync(cache, { recursive: true });
  const client = await registryClient(cache);
  const { analysePackage } = await import(dist('capabilities/analyse-package.js'));
  const { tarballFiles } = await import(dist('capabilities/files.js'));
  const { CAPABILITIES } = await import(dist('capabilities/types.js'));
  const rows = [];
  for (const spec of specs) {
    const at = spec.lastIndexOf('@');
    const [name, version] = [spec.slice(0, at), spec.slice(at + 1)];
    const tarball = await client.tarball(name, version);
    const started = performance.now();
    const analysis = analysePackage(tarballFiles(tarball));
    const ms = performance.now() - started;
    const found = CAPABILITIES.filter((capability) => (analysis.capabilities[capability]?.strong ?? 0) > 0);
    const firsts = found.map((capability) => {
      const summary = analysis.capabilities[capability];
      const first = summary.evidence.find((evidence) => evidence.shell === true) ?? summary.evidence.find((evidence) => !evidence.lowSignal);
      const place = first.line > 0 ? `${first.file}:${first.line}` : first.file;
      const detail = capability === 'shell' ? (summary.shell ? ' (shell)' : ' (no shell)') : capability === 'environment' ? ` (${summary.keys.slice(0, 4).join(', ')}${summary.keys.length > 4 ? ', …' : ''})` : '';
      return `**${capability}**${detail} \`${first.what.replace(/\|/g, '\\|').replace(/`/g, "'")}\` ${place}${summary.strong > 1 ? ` +${summary.strong - 1}` : ''}`;
    });
    rows.push(`| ${name}@${version} | ${analysis.files.parsed}/${analysis.files.parsed + analysis.files.failed} | ${found.join(', ') || '—'} | ${firsts.join('<br>') || '—'} | ${ms.toFixed(0)} |`);
  }
  console.log('| package | JS files parsed | capabilities (strong evidence) | first evidence (+ more) | analysis ms |');
  console.log('| --- | ---: | --- | --- | ---: |');
  for (const row of rows) console.log(row);
}

/** One fresh process: the capabilities check over `dir` with `cache`; returns wall ms and the check's summary. */
function timedRun(dir, cache, extraEnv = {}) {
  const script = `
    const started = performance.now();
    const { audit } = await import(${JSON.stringify(dist('audit.js'))});
    const { result } = await audit({ path: ${JSON.stringify(dir)}, only: ['capabilities'], registryAccess: { cache: ${JSON.stringify(cache)}, mode: 'prefer-offline', allowIncomplete: true } });
    const summary = result.checks?.capabilities?.summary ?? null;
    process.stdout.write(JSON.stringify({ ms: performance.now() - started, summary, diagnostics: result.diagnostics.map((d) => d.code) }));
  `;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - started;
  if (child.status !== 0) throw new Error(`run failed (${child.status}): ${child.stderr.slice(-2000)}`);
  return { wall, ...JSON.parse(child.stdout) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function bench(dir, rounds, keepDownload) {
  if (!existsSync(join(dir, 'package-lock.json'))) {
    console.error(`no package-lock.json in ${dir}: run bash bench/regenerate.sh first`);
    process.exit(2);
  }
  const coldCache = join(WORK, 'capabilities-cache-cold');
  const download = !keepDownload || !existsSync(join(coldCache, '_cacache'));
  if (download) rmSync(coldCache, { recursive: true, force: true });
  const lines = [];
  const row = (name, run) => {
    const s = run.summary;
    const perSecond = s.analysed / (run.wall / 1000);
    lines.push(`| ${name} | ${s.packages} | ${s.analysed} | ${s.analysed - s.cached} | ${s.cached} | ${Math.round(run.wall)} | ${Math.round(perSecond)} |`);
    console.error(`${name}: ${Math.round(run.wall)} ms, ${s.analysed}/${s.packages} analysed, ${Math.round(perSecond)} packages/s`);
  };
  if (download) row('cold-download (empty npm cache)', timedRun(dir, coldCache));
  // Tarballs now sit in npm's cache: drop only the capability records.
  rmSync(join(coldCache, '_depguard'), { recursive: true, force: true });
  row('cold-analysis (tarballs cached, no capability records)', timedRun(dir, coldCache));
  const warm = [];
  for (let i = 0; i < rounds; i++) warm.push(timedRun(dir, coldCache));
  const middle = warm.find((run) => run.wall === median(warm.map((r) => r.wall)));
  row(`warm (median of ${rounds})`, middle);
  console.log('| run | packages | analysed | read and parsed | from capability cache | wall ms | packages / s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const line of lines) console.log(line);
  console.log(`\nwarm runs (ms): ${warm.map((run) => Math.round(run.wall)).join(', ')}`);
  const s = middle.summary;
  console.log(`packages with (strong) capability: ${Object.entries(s.withCapability).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

const args = process.argv.slice(2);
if (args[0] === 'real') {
  await real(args.length > 1 ? args.slice(1) : REAL);
} else {
  const n = args.indexOf('-n');
  const rounds = n >= 0 ? Number(args[n + 1]) : 5;
  const keepDownload = args.includes('--keep-download');
  const rest = args.filter((arg, i) => i !== n && i !== n + 1 && !arg.startsWith('--'));
  await bench(resolve(rest[0] ?? join(WORK, 'large')), rounds, keepDownload);
}
