// action.yml and the documented workflow: well-formed, injection-safe, and
// using only flags the CLI has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { depguard } from '../helpers/cli.js';
import { REPO } from '../helpers/project.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

const action = parse(readFileSync(join(REPO, 'action.yml'), 'utf8')) as { name: string; inputs: Record<string, { default?: string }>; runs: { using: string; steps: Step[] } };
const doc = readFileSync(join(REPO, 'docs/github-action.md'), 'utf8');

function flagsOf(command: 'check' | 'diff'): string {
  return depguard([command, '--help']).stdout;
}

describe('action.yml', () => {
  it('is a composite action with the documented inputs', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(['command', 'path', 'base', 'fail-on', 'policy', 'github-comment', 'sarif', 'sarif-category', 'token', 'args', 'package', 'node-version']);
    expect(action.inputs['fail-on']!.default).toBe('high');
  });

  it('never expands an input or event field inside a script (only through env)', () => {
    for (const step of action.runs.steps) {
      if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
    }
  });

  it('installs without running install scripts and calls only flags the CLI has', () => {
    const scripts = action.runs.steps.map((step) => step.run ?? '').join('\n');
    // A prebuilt depguard: the project's own, or a tarball / exact version installed with no script and no development dependency.
    expect(scripts).toContain('npm install --prefix "$prefix" --no-save --omit=dev --ignore-scripts');
    expect(scripts).not.toMatch(/^\s*npm ci\b|\btsc\b|typescript/m);
    const flags = new Set([...scripts.matchAll(/(?<![\w-])--(?:[a-z][a-z-]+)/g)].map((match) => match[0]));
    const npmAndGit = new Set(['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel', '--no-tags', '--depth', '--prefix', '--no-save']);
    const help = `${flagsOf('check')}\n${flagsOf('diff')}`;
    for (const flag of flags) {
      if (npmAndGit.has(flag)) continue;
      expect(help, flag).toContain(flag.replace('--no-progress', '--progress'));
    }
  });
});

describe('docs/github-action.md', () => {
  const workflow = parse(/```yaml\n([\s\S]*?)```/.exec(doc)![1]!) as { on: Record<string, { paths?: string[]; branches?: string[] } | null>; jobs: Record<string, { if?: string; permissions?: Record<string, string>; steps: Step[] }> };

  it('runs check on push and diff with a comment on pull requests that touch package.json or the lockfile', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(workflow.on.pull_request!.paths).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    const [check, diff] = [workflow.jobs.check!, workflow.jobs.diff!];
    expect(check.if).toContain("github.event_name != 'pull_request'");
    expect(check.steps.find((step) => step.with?.command)?.with).toMatchObject({ command: 'check' });
    expect(diff.if).toContain("github.event_name == 'pull_request'");
    expect(diff.permissions).toMatchObject({ 'pull-requests': 'write' });
    expect(diff.steps.find((step) => step.with?.command)?.with).toMatchObject({ command: 'diff', 'github-comment': true });
  });
});
