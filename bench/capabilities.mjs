// The capabilities check, timed and tried on real packages. Runs over dist/
// (build first: tsc -p tsconfig.json), with the registry of your npm config.
//
//   node bench/capabilities.mjs [dir] [-n N] [--cold-rounds K] [--keep-download]
//     Times the capability scan of a project's lockfile (default
//     bench/.work/large, made by bench/regenerate.sh) as the check runs it:
//       download-only  empty npm cache, the analysis replaced by nothing: the download alone
//       cold-download  empty npm cache and capability cache: every tarball downloaded (once)
//                      (the two alternate, K pairs; the ratio of their walls is printed)
//       cold-analysis  tarballs and packuments in the cache, no capability records: reading + parsing
//       warm           capability cache filled: nothing re-read (N rounds)
//     --keep-download starts at cold-analysis with the tarballs already cached.
//     Each run is a fresh process (`--only capabilities` through the
//     library), so module loading is included; each reports wall and CPU
//     (user + system, worker threads included) and the load average at its
//     start, since the machine may be shared.
//
//   node bench/capabilities.mjs phases [dir]
//     Where the analysis time goes, in one thread, over the tarballs a cold
//     run left in bench/.work/capabilities-cache-cold: decode, parse, walk.
//
//   node bench/capabilities.mjs real [name@version ...]
//     Analyses published packages (default: the set docs/checks/capabilities.md
//     records) straight from their tarballs and prints a markdown table of
//     what was found, with the first strong evidence of each capability.
//
// Caches live in bench/.work/capabilities-cache-* (git-ignored); your ~/.npm
// is never written.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
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
  const { loadNpmConfig } = await import(dist('enrich/npm-config.js'));
  const { createRegistryClient } = await import(dist('enrich/access.js'));
  const npm = await loadNpmConfig(process.cwd(), { cache });
  return createRegistryClient(npm.registries, npm, { cache, mode: 'prefer-offline' });
}

async function real(specs) {
  const cache = join(WORK, 'capabilities-cache-real');
  mkdirSync(cache, { recursive: true });
  const client = await registryClient(cache);
  const { analysePackage } = await import(dist('checks/capabilities/analyse-package.js'));
  const { tarballFiles } = await import(dist('checks/capabilities/files.js'));
  const { CAPABILITIES } = await import(dist('checks/capabilities/types.js'));
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

/**
 * One fresh process: the capabilities check over `dir` with `cache`; returns
 * wall ms, the process's CPU ms (user + system, worker threads included),
 * the 1-minute load average when it started, and the check's summary.
 * `downloadOnly`: the same check, the same client, the same scheduling, with
 * the analysis replaced by nothing (and no capability records written): what
 * fetching the tarballs alone costs, side by side with a cold run.
 */
function timedRun(dir, cache, { downloadOnly = false } = {}) {
  const stub = downloadOnly
    ? `
    const pool = await import(${JSON.stringify(dist('checks/capabilities/pool.js'))});
    const { CapabilityCache } = await import(${JSON.stringify(dist('checks/capabilities/cache.js'))});
    const nothing = async (files) => ({ capabilities: {}, files: { total: files.length, parsed: 0, failed: 0, skipped: 0 }, parseErrors: [], skippedFiles: [] });
    pool.inThread.analyse = nothing;
    pool.WorkerPool.prototype.analyse = nothing;
    CapabilityCache.prototype.write = async () => false;`
    : '';
  const script = `
    const started = performance.now();
    ${stub}
    const { audit } = await import(${JSON.stringify(dist('commands/check.js'))});
    const { result } = await audit({ path: ${JSON.stringify(dir)}, only: ['capabilities'], registryAccess: { cache: ${JSON.stringify(cache)}, mode: 'prefer-offline', allowIncomplete: true } });
    const summary = result.checks?.capabilities?.summary ?? null;
    const cpu = process.cpuUsage();
    process.stdout.write(JSON.stringify({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, summary, diagnostics: result.diagnostics.map((d) => d.code) }));
  `;
  const load = loadavg()[0];
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - started;
  if (child.status !== 0) throw new Error(`run failed (${child.status}): ${child.stderr.slice(-2000)}`);
  return { wall, load, ...JSON.parse(child.stdout) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function bench(dir, rounds, coldRounds, keepDownload) {
  if (!existsSync(join(dir, 'package-lock.json'))) {
    console.error(`no package-lock.json in ${dir}: run bash bench/regenerate.sh first`);
    process.exit(2);
  }
  const coldCache = join(WORK, 'capabilities-cache-cold');
  const downloadCache = join(WORK, 'capabilities-cache-download');
  const download = !keepDownload || !existsSync(join(coldCache, '_cacache'));
  const lines = [];
  const row = (name, run, { parsed = true } = {}) => {
    const s = run.summary;
    const perSecond = s.analysed / (run.wall / 1000);
    // A download-only run fetches and reads every tarball but parses nothing.
    const read = parsed ? `${s.analysed - s.cached}` : `0 (${s.analysed - s.cached} fetched)`;
    lines.push(`| ${name} | ${s.packages} | ${s.analysed} | ${read} | ${s.cached} | ${Math.round(run.wall)} | ${Math.round(run.cpuMs)} | ${Math.round(perSecond)} | ${run.load.toFixed(1)} |`);
    console.error(`${name}: ${Math.round(run.wall)} ms wall, ${Math.round(run.cpuMs)} ms CPU, ${s.analysed}/${s.packages} analysed, ${Math.round(perSecond)} packages/s (load ${run.load.toFixed(1)})`);
  };
  const pairs = [];
  if (download) {
    // Alternated, each from an empty cache: the registry's own caching warms up over a series, and so does the machine.
    for (let i = 0; i < coldRounds; i++) {
      rmSync(downloadCache, { recursive: true, force: true });
      const only = timedRun(dir, downloadCache, { downloadOnly: true });
      row('download-only (empty npm cache, no analysis)', only, { parsed: false });
      rmSync(coldCache, { recursive: true, force: true });
      const cold = timedRun(dir, coldCache);
      row('cold-download (empty npm cache)', cold);
      pairs.push({ only, cold });
    }
    rmSync(downloadCache, { recursive: true, force: true });
  }
  // Tarballs and packuments now sit in the cache: drop only the capability records.
  for (const entry of existsSync(join(coldCache, '_depguard')) ? readdirSync(join(coldCache, '_depguard')) : []) {
    if (entry.startsWith('capabilities-')) rmSync(join(coldCache, '_depguard', entry), { recursive: true, force: true });
  }
  row('cold-analysis (tarballs cached, no capability records)', timedRun(dir, coldCache));
  const warm = [];
  for (let i = 0; i < rounds; i++) warm.push(timedRun(dir, coldCache));
  const middle = warm.find((run) => run.wall === median(warm.map((r) => r.wall)));
  row(`warm (median of ${rounds})`, middle);
  console.log('| run | packages | analysed | read and parsed | from capability cache | wall ms | CPU ms | packages / s | load |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const line of lines) console.log(line);
  if (pairs.length > 0) {
    const ratios = pairs.map(({ only, cold }) => cold.wall / only.wall);
    console.log(`\ncold-download / download-only wall: ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`);
  }
  console.log(`warm runs (ms): ${warm.map((run) => Math.round(run.wall)).join(', ')}`);
  const s = middle.summary;
  console.log(`packages with (strong) capability: ${Object.entries(s.withCapability).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

/**
 * Where the analysis time goes, in one thread: every distinct registry
 * package version of the lockfile read from the cold cache (filled by a
 * cold run), each .js/.cjs/.mjs file decoded, parsed and walked, each phase
 * timed. Reading the tarballs is timed apart and left out of the CPU figure.
 */
async function phases(dir) {
  const cache = join(WORK, 'capabilities-cache-cold');
  if (!existsSync(join(cache, '_cacache'))) {
    console.error('no cached tarballs: run node bench/capabilities.mjs first (its cold runs fill bench/.work/capabilities-cache-cold)');
    process.exit(2);
  }
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const versions = new Map();
  for (const [location, entry] of Object.entries(lock.packages ?? {})) {
    if (!location || entry.link || entry.inBundle || !entry.resolved || !entry.version) continue;
    const name = entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    versions.set(`${name}@${entry.version}`, [name, entry.version]);
  }
  const client = await registryClient(cache);
  const { tarballFiles } = await import(dist('checks/capabilities/files.js'));
  const { parseJavaScript } = await import(dist('checks/capabilities/parse.js'));
  const { analyseJavaScript } = await import(dist('checks/capabilities/analyse-js.js'));
  const ms = { read: 0, decode: 0, parse: 0, walk: 0 };
  let files = 0;
  let bytes = 0;
  let failed = 0;
  let cpu = 0;
  for (const [name, version] of versions.values()) {
    let started = performance.now();
    const contents = tarballFiles(await client.tarball(name, version));
    ms.read += performance.now() - started;
    const before = process.cpuUsage();
    const manifest = contents.find((file) => file.path === 'package.json');
    let type = null;
    try {
      type = JSON.parse(manifest?.data.toString('utf8') ?? '{}').type ?? null;
    } catch {}
    for (const file of contents) {
      if (!/\.[cm]?js$/.test(file.path)) continue;
      started = performance.now();
      const text = file.data.toString('utf8');
      ms.decode += performance.now() - started;
      started = performance.now();
      const parsed = parseJavaScript(text, file.path, type);
      ms.parse += performance.now() - started;
      files++;
      bytes += file.data.length;
      if (!parsed.ok) {
        failed++;
        continue;
      }
      started = performance.now();
      analyseJavaScript(text, file.path, parsed.program);
      ms.walk += performance.now() - started;
    }
    const used = process.cpuUsage(before);
    cpu += (used.user + used.system) / 1000;
  }
  console.log(`${versions.size} package versions, ${files} JavaScript files (${(bytes / 1e6).toFixed(0)} MB), ${failed} not parsed`);
  console.log(`read tarballs ${Math.round(ms.read)} ms | decode ${Math.round(ms.decode)} ms | parse ${Math.round(ms.parse)} ms | walk ${Math.round(ms.walk)} ms | CPU of decode+parse+walk (GC threads included) ${Math.round(cpu)} ms`);
}

const args = process.argv.slice(2);
if (args[0] === 'real') {
  await real(args.length > 1 ? args.slice(1) : REAL);
} else if (args[0] === 'phases') {
  await phases(resolve(args[1] ?? join(WORK, 'large')));
} else {
  const n = args.indexOf('-n');
  const rounds = n >= 0 ? Number(args[n + 1]) : 5;
  const c = args.indexOf('--cold-rounds');
  const coldRounds = c >= 0 ? Number(args[c + 1]) : 1;
  const keepDownload = args.includes('--keep-download');
  const rest = args.filter((arg, i) => i !== n && i !== n + 1 && i !== c && i !== c + 1 && !arg.startsWith('--'));
  await bench(resolve(rest[0] ?? join(WORK, 'large')), rounds, coldRounds, keepDownload);
}
