// Loading pnpm, bun and yarn lockfiles next to the floor depguard is held to: a
// bare Arborist loadVirtual() of an npm lockfile of the same project, side by
// side in one process, interleaved round by round so all see the same machine.
//   node bench/pm-load.mjs [-n rounds] [npm project dir] [pnpm project dir] [bun project dir] [--yarn dir]...
// Defaults: bench/.work/large (bench/regenerate.sh), bench/.work/large-pnpm
// (bench/regenerate.sh --manager pnpm), bench/.work/large-bun (--manager bun)
// and, when present, bench/.work/large-yarn (--manager yarn).
// Times depguard's loaders from dist/ (build first): each loader alone, and
// loadProject (the loader plus package.json and the workspaces' manifests,
// what `depguard check` runs); with the shared test data, also the bun
// loader on onlook's real bun.lock (2,513 packages, 31 workspaces). Prints
// the package counts so a run that silently loaded nothing shows.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { bench, repo } from './lib/paths.mjs';

const args = process.argv.slice(2);
let rounds = 7;
const dirs = [];
const yarnDirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-n') rounds = Number(args[++i]);
  else if (args[i] === '--yarn') yarnDirs.push(resolve(args[++i]));
  else dirs.push(resolve(args[i]));
}
if (yarnDirs.length === 0 && existsSync(join(bench, '.work/large-yarn/yarn.lock'))) yarnDirs.push(join(bench, '.work/large-yarn'));
const npmDir = dirs[0] ?? join(bench, '.work/large');
const pnpmDir = dirs[1] ?? join(bench, '.work/large-pnpm');
const bunDir = dirs[2] ?? join(bench, '.work/large-bun');
const onlookDir = join(repo, '../shared/data/lockfiles-pm/real/onlook-dev-onlook');
for (const [dir, file, how] of [
  [npmDir, 'package-lock.json', 'bash bench/regenerate.sh'],
  [pnpmDir, 'pnpm-lock.yaml', 'bash bench/regenerate.sh --manager pnpm'],
  [bunDir, 'bun.lock', 'bash bench/regenerate.sh --manager bun'],
  ...yarnDirs.map((dir) => [dir, 'yarn.lock', 'bash bench/regenerate.sh --manager yarn']),
]) {
  if (!existsSync(join(dir, file))) {
    process.stderr.write(`no ${file} in ${dir}: run \`${how}\` first\n`);
    process.exit(2);
  }
}
const dist = (path) => pathToFileURL(join(repo, 'dist', path)).href;
const { default: Arborist } = await import('@npmcli/arborist');
const { loadPnpmLockfile } = await import(dist('load/pnpm/index.js'));
const { loadBunLockfile } = await import(dist('load/bun/index.js'));
const { loadYarnLockfile } = await import(dist('load/yarn/index.js'));
const { loadProject } = await import(dist('load/load.js'));
const { packageCount } = await import(dist('commands/check.js'));

const manifest = JSON.parse(await readFile(join(pnpmDir, 'package.json'), 'utf8'));
/** The bun loader alone on a project's bun.lock. */
const bunLoader = (dir) => async () => {
  const text = await readFile(join(dir, 'bun.lock'), 'utf8');
  const loaded = await loadBunLockfile({ projectPath: dir, file: 'bun.lock', text, manifest: JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) });
  return loaded.nodes.size - 1;
};
const tasks = {
  'bare Arborist loadVirtual (npm lockfile)': async () => (await new Arborist({ path: npmDir }).loadVirtual()).inventory.size - 1,
  'depguard pnpm loader (pnpm-lock.yaml)': async () => {
    const text = await readFile(join(pnpmDir, 'pnpm-lock.yaml'), 'utf8');
    const loaded = await loadPnpmLockfile({ projectPath: pnpmDir, file: 'pnpm-lock.yaml', text, manifest });
    return loaded.nodes.size - 1;
  },
  'depguard loadProject (pnpm-lock.yaml)': async () => packageCount((await loadProject(pnpmDir)).graph),
  'depguard bun loader (bun.lock)': bunLoader(bunDir),
  'depguard loadProject (bun.lock)': async () => packageCount((await loadProject(bunDir)).graph),
  ...(existsSync(join(onlookDir, 'bun.lock'))
    ? { "depguard bun loader (onlook's bun.lock)": bunLoader(onlookDir), "depguard loadProject (onlook's bun.lock)": async () => packageCount((await loadProject(onlookDir)).graph) }
    : {}),
};
for (const dir of yarnDirs) {
  const yarnManifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const label = dir.split('/').slice(-2).join('/');
  tasks[`depguard yarn loader (${label}/yarn.lock)`] = async () => {
    const text = await readFile(join(dir, 'yarn.lock'), 'utf8');
    const loaded = await loadYarnLockfile({ projectPath: dir, file: 'yarn.lock', text, manifest: yarnManifest });
    return loaded.nodes.size - 1 - loaded.workspaces.length;
  };
  tasks[`depguard loadProject (${label}/yarn.lock)`] = async () => packageCount((await loadProject(dir)).graph);
}
const times = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
const counts = {};
for (let round = -1; round < rounds; round++) {
  for (const [name, task] of Object.entries(tasks)) {
    const start = performance.now();
    counts[name] = await task();
    const ms = performance.now() - start;
    if (round >= 0) times[name].push(ms);
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const floor = median(times['bare Arborist loadVirtual (npm lockfile)']);
process.stdout.write(`${rounds} interleaved rounds after one warm-up, in one process (node ${process.version})\n`);
process.stdout.write('| load | packages | median ms | min | max | vs Arborist |\n| --- | --- | --- | --- | --- | --- |\n');
for (const [name, list] of Object.entries(times)) {
  const m = median(list);
  process.stdout.write(`| ${name} | ${counts[name]} | ${m.toFixed(0)} | ${Math.min(...list).toFixed(0)} | ${Math.max(...list).toFixed(0)} | ${(m / floor).toFixed(2)}× |\n`);
}
