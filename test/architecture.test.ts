// src/'s import rules, held by dependency-cruiser (.dependency-cruiser.cjs):
// no import cycle, and no import from a later pipeline stage into an earlier
// one (util/model/errors/types < load < enrich < checks < policy < remediate <
// render < commands < cli); and no check takes the registry client outside
// the enrich steps the engine runs before the checks (checks-fetch-nothing).
// A second run on a small planted tree shows the
// rules do fire, so a green result is not a cruise that saw nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempProject } from './helpers/project.js';

const DEPCRUISE = join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string }>;
}
interface CruiseResult {
  modules: Array<{ source: string }>;
  summary: { violations: Violation[]; totalCruised: number };
}

/** Runs dependency-cruiser on `src` in `cwd` with the repository's config; its JSON result. */
function cruise(cwd: string): CruiseResult {
  const args = [DEPCRUISE, 'src', '--config', join(REPO, '.dependency-cruiser.cjs'), '--output-type', 'json'];
  // Exit code 1 (violations) still prints the result: read it either way.
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    stdout = (error as { stdout?: string }).stdout ?? '';
    if (!stdout) throw error;
  }
  return JSON.parse(stdout) as CruiseResult;
}

function describeViolation(violation: Violation): string {
  const via = violation.cycle ? ` (cycle: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(' → ')})` : '';
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${via}`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('architecture', () => {
  it('src/ has no import cycle and no import from a later stage into an earlier one', () => {
    const result = cruise(REPO);
    // Every source file was parsed (TypeScript 7 has no compiler API for the cruiser: swc parses).
    expect(result.modules.map((module) => module.source).filter((source) => source.startsWith('src/')).sort()).toEqual(expect.arrayContaining(sourceFiles('src').sort()));
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
  });

  it('no src/ file is over 400 lines without a one-line reason at its top', () => {
    const long = sourceFiles('src')
      .map((file) => ({ file, lines: readFileSync(join(REPO, file), 'utf8').split('\n') }))
      .filter(({ lines }) => lines.length > 401 && !/^\/\/ Over 400 lines: \S/.test(lines[0]!))
      .map(({ file, lines }) => `${file}: ${lines.length} lines (split it, or say why not on line 1: "// Over 400 lines: <reason>")`);
    expect(long).toEqual([]);
  });

  it('the rules fire on a cycle, on an upward import, on an upward type-only import and on a check that takes the registry client', () => {
    const dir = tempProject({});
    const files: Record<string, string> = {
      'src/model.ts': "export interface Finding { rule: string }\n",
      'src/load/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/load/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'src/checks/run.ts': "import type { Policy } from '../policy/load.js';\nexport type Run = Policy;\n",
      'src/policy/load.ts': "export interface Policy { strict: boolean }\n",
      'src/render/json.ts': "import { exit } from '../cli/output.js';\nexport const render = exit;\n",
      'src/cli/output.ts': "import type { Finding } from '../model.js';\nexport const exit = (finding: Finding) => finding;\n",
      'src/enrich/registry-client.ts': "export class RegistryClient {}\n",
      'src/checks/deprecated/index.ts': "import { RegistryClient } from '../../enrich/registry-client.js';\nexport const client = new RegistryClient();\n",
      'src/checks/capabilities/scan.ts': "import type { RegistryClient } from '../../enrich/registry-client.js';\nexport type Reader = RegistryClient;\n",
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const found = cruise(dir).summary.violations.map(describeViolation).sort();
    expect(found).toEqual([
      'checks-fetch-nothing: src/checks/deprecated/index.ts → src/enrich/registry-client.ts',
      'no-cycle: src/load/a.ts → src/load/b.ts (cycle: src/load/a.ts → src/load/b.ts → src/load/a.ts)',
      'no-upward-from-checks: src/checks/run.ts → src/policy/load.ts',
      'no-upward-from-render: src/render/json.ts → src/cli/output.ts',
    ]);
  });
});
