// Where one `depguard check --format json` run spends its time, measured from
// outside src/: a fresh process that imports the built modules (dist/) and
// repeats the steps of audit() one by one, with Arborist's loadVirtual()
// wrapped to time it inside loadProject(). Prints one JSON object of
// milliseconds per phase on stdout. bench/run.mjs runs it several times.
//   node bench/phases.mjs <project dir>
//
// It mirrors src/commands/check.ts; if that changes shape, this prints {"error": ...}
// and exits 0 so the benchmark itself still completes.
import module from 'node:module';
import { performance } from 'node:perf_hooks';

const bootstrap = performance.now(); // process start -> this line: Node.js itself
module.enableCompileCache?.(); // as bin/depguard.js does

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node bench/phases.mjs <project dir>\n');
  process.exit(2);
}
const dist = new URL('../dist/', import.meta.url);
const phases = { 'node bootstrap': bootstrap };
let mark = performance.now();
const lap = (name) => {
  const now = performance.now();
  phases[name] = (phases[name] ?? 0) + (now - mark);
  mark = now;
};

try {
  await import(new URL('cli/main.js', dist));
  lap('import dist/cli/main.js (yargs, checks, reporters, config)');
  const { default: Arborist } = await import('@npmcli/arborist');
  lap('import @npmcli/arborist');

  let loadVirtualMs = 0;
  const original = Arborist.prototype.loadVirtual;
  Arborist.prototype.loadVirtual = async function timedLoadVirtual(...args) {
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      loadVirtualMs += performance.now() - start;
    }
  };

  const { loadProject } = await import(new URL('load/load.js', dist));
  const { loadPolicy } = await import(new URL('policy/load.js', dist));
  const { loadRegistryConfig } = await import(new URL('enrich/npm-config.js', dist));
  const { runChecks } = await import(new URL('policy/run.js', dist));
  const { summarise, TOOL } = await import(new URL('commands/check.js', dist));
  const { REPORTERS } = await import(new URL('render/index.js', dist));
  lap('import dist/cli/main.js (yargs, checks, reporters, config)'); // cached: ~0

  const { graph } = await loadProject(dir);
  lap('loadProject');
  phases['  of which Arborist loadVirtual'] = loadVirtualMs;
  phases['  of which depguard (read, validate, convert)'] = phases.loadProject - loadVirtualMs;

  const policy = await loadPolicy({ projectPath: graph.projectPath, manifest: graph.manifest });
  lap('loadPolicy');
  const registries = await loadRegistryConfig(graph.projectPath);
  lap('loadRegistryConfig (@npmcli/config)');
  const ran = await runChecks({ graph, policy, registries, omit: [], today: policy.date ?? new Date().toISOString().slice(0, 10) });
  // runChecks returned the findings, later { findings, diagnostics }.
  const findings = Array.isArray(ran) ? ran : ran.findings;
  lap('runChecks');
  const result = {
    schemaVersion: 1,
    tool: TOOL,
    project: { name: null, version: null, path: dir, packageCount: graph.nodes.size - 1 - graph.workspaces.length },
    summary: summarise(findings),
    findings,
    diagnostics: [],
  };
  const text = REPORTERS.json(result, { color: false, failOn: 'high' });
  lap('json report');
  phases['total in process'] = performance.now();
  process.stdout.write(`${JSON.stringify({ phases, packageCount: result.project.packageCount, findings: findings.length, bytes: text.length })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
}
