// Rendering cost at real size: 2,000 findings drawn as the terminal table
// (default: the worst rows per rule; --all: every row) and as JSON, side by
// side, in one process over the built modules (dist/). The findings are real:
// the lockfile and pinning checks over shared/data's lockfile-lint lockfile
// (copies merged as `check` merges them), repeated under other package names
// up to 2,000. The target: the table at most 1.2× the JSON. Markdown
// (grouped like the report) is measured beside them.
//
//   tsc -p tsconfig.json && node bench/render.mjs [-n rounds] [--count 2000]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repo, shared } from './lib/paths.mjs';

const { values } = parseArgs({ options: { n: { type: 'string', short: 'n', default: '7' }, count: { type: 'string', default: '2000' } } });
const project = join(shared, 'lockfiles', 'lockfile-lint');
if (!existsSync(project)) {
  process.stderr.write(`render.mjs: ${project} is missing: this benchmark needs ../shared/data beside the checkout\n`);
  process.exit(2);
}
const dist = (path) => import(join(repo, 'dist', path));
const { loadProject } = await dist('load/load.js');
const { presetPolicy } = await dist('policy/load.js');
const { runChecks } = await dist('policy/run.js');
const { groupFindings } = await dist('policy/group.js');
const { summarise } = await dist('commands/check.js');
const { REPORTERS } = await dist('render/index.js');

const { graph } = await loadProject(project);
const policy = await presetPolicy('strict');
// Copies merged, single causes kept per package (a foreign host would otherwise be one finding, and this is about many rows).
const perPackage = groupFindings((await runChecks({ graph, policy, registries: { registry: 'https://mirror.example.com/', scopes: {} }, only: ['lockfile', 'pinning'], today: '2026-11-27' })).findings, new Map());
const count = Number(values.count);
const findings = Array.from({ length: count }, (_, index) => {
  const finding = perPackage[index % perPackage.length];
  const round = Math.floor(index / perPackage.length);
  return round === 0 || !finding.package ? finding : { ...finding, package: { ...finding.package, name: `${finding.package.name}-${round}` } };
});
const result = { schemaVersion: 1, tool: { name: 'depguard', version: 'bench' }, project: { name: 'lockfile-lint', version: null, path: project, packageCount: graph.nodes.size - 1 }, summary: summarise(findings), findings, diagnostics: [] };

const options = { color: false, failOn: 'high', width: 120 };
const renderers = {
  json: () => REPORTERS.json(result, options),
  'table (default: worst rows per rule)': () => REPORTERS.table(result, options),
  'table --all': () => REPORTERS.table(result, { ...options, limit: null }),
  'markdown (default: worst rows per rule)': () => REPORTERS.markdown(result, options),
  'markdown --all': () => REPORTERS.markdown(result, { ...options, limit: null }),
};
const rounds = Number(values.n);
const times = Object.fromEntries(Object.keys(renderers).map((name) => [name, []]));
const sizes = {};
for (const render of Object.values(renderers)) render(); // warm-up
for (let round = 0; round < rounds; round++) {
  for (const [name, render] of Object.entries(renderers)) {
    const started = process.cpuUsage();
    const text = render();
    const used = process.cpuUsage(started);
    times[name].push((used.user + used.system) / 1000);
    sizes[name] = { bytes: text.length, lines: text.split('\n').length - 1 };
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const json = median(times.json);
process.stdout.write(`${count} findings (${perPackage.length} real, repeated), ${rounds} rounds, CPU ms (median)\n\n| output | CPU ms | × JSON | lines | bytes |\n| --- | ---: | ---: | ---: | ---: |\n`);
for (const name of Object.keys(renderers)) {
  const ms = median(times[name]);
  process.stdout.write(`| ${name} | ${ms.toFixed(1)} | ${(ms / json).toFixed(2)} | ${sizes[name].lines} | ${sizes[name].bytes} |\n`);
}
