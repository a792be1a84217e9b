// The import rules of src/ (test/architecture.test.ts runs them): no cycles,
// and no import from a later pipeline stage into an earlier one. Stages, in
// the order data flows (docs/CONTRIBUTING.md draws the map):
const STAGES = [
  ['foundation', '^src/(util/|types/|model\\.ts$|errors\\.ts$)'],
  ['load', '^src/load/'],
  ['enrich', '^src/enrich/'],
  ['checks', '^src/checks/'],
  ['policy', '^src/policy/'],
  ['remediate', '^src/remediate/'],
  ['render', '^src/render/'],
  ['commands', '^src/commands/'],
  ['cli', '^src/cli/'],
];

const upward = STAGES.slice(0, -1).map(([name, path], index) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} may import only from itself and earlier stages (${STAGES.slice(0, index).map(([earlier]) => earlier).join(', ') || 'none'})`,
  severity: 'error',
  from: { path },
  to: { path: `(${STAGES.slice(index + 1).map(([, later]) => later).join('|')})` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'an import cycle (type-only imports count: they couple the modules just the same)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'checks-fetch-nothing',
      comment:
        "a check reads context.enriched, never a client: only the enrich steps the engine runs before the checks (advisories' gather and audit, the contents reader capabilities/scan.ts, license/resolve.ts's lookup for the report) take the registry client",
      severity: 'error',
      from: { path: '^src/checks/', pathNot: '^src/checks/(advisories/(gather|audit)|capabilities/scan|license/resolve)\\.ts$' },
      to: { path: '^src/enrich/registry-client\\.ts$' },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser; swc parses the
    // sources, and tsPreCompilationDeps keeps `import type` in the graph.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
