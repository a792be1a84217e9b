// Real git repositories in temporary folders, one commit per step, for the
// diff tests; and findings to compare in memory.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import type { Finding } from '../../src/model.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'depguard-diff-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function runGit(cwd: string, args: string[]): string {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.org', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.org', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A step: files to write (objects as JSON, null deletes), and/or a folder to copy in first. */
export interface Step {
  copy?: string;
  files?: Record<string, string | object | null>;
  message?: string;
}

/** A git repository in a temporary folder with one commit per step; returns its folder and the commits, oldest first. */
export function gitRepo(steps: Step[], options: { under?: string } = {}): { dir: string; project: string; commits: string[] } {
  const dir = tempDir('depguard-diff-repo-');
  runGit(dir, ['init', '-q', '-b', 'main']);
  const project = options.under ? join(dir, options.under) : dir;
  mkdirSync(project, { recursive: true });
  const commits: string[] = [];
  for (const [index, step] of steps.entries()) {
    if (step.copy) for (const name of readdirSync(step.copy)) cpSync(join(step.copy, name), join(project, name), { recursive: true });
    for (const [name, content] of Object.entries(step.files ?? {})) {
      const file = join(project, name);
      if (content === null) {
        rmSync(file, { force: true });
        continue;
      }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
    }
    runGit(dir, ['add', '-A']);
    runGit(dir, ['commit', '-q', '--allow-empty', '-m', step.message ?? `step ${index + 1}`]);
    commits.push(runGit(dir, ['rev-parse', 'HEAD']));
  }
  return { dir, project, commits };
}

/** A finding in the `check` shape. */
export function finding(init: Partial<Finding> & { rule: string }): Finding {
  return {
    check: init.rule.split('/')[0]!,
    severity: 'high',
    package: null,
    paths: [],
    message: `message of ${init.rule}`,
    evidence: {},
    ...init,
  };
}
