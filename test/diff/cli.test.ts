// depguard diff as a user runs it: the built CLI in a real git repository,
// its exit codes (new findings only), formats, and --github-comment against
// a GitHub API served on 127.0.0.1 by the test.
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATE, depguard, withoutAdvisories, depguardAsync, type CliResult } from '../helpers/cli.js';
import { fixture, REPO } from '../helpers/project.js';
import { gitRepo, tempDir } from './helpers.js';

const cache = tempDir('depguard-diff-cli-cache-');
const env = { npm_config_registry: 'https://registry.example.org/', npm_config_cache: cache, npm_config_offline: 'true', NO_COLOR: '1' };

/** The CLI without blocking this process, so the test's own HTTP server can answer it. */
function run(args: string[], cwd: string, extra: Record<string, string> = {}): Promise<CliResult> {
  return depguardAsync(withoutAdvisories(args), { cwd, env: { ...process.env, ...env, ...extra } });
}

const repo = gitRepo([{ copy: fixture('diff-real-service-before') }, { copy: fixture('diff-real-service-after') }]);
const DATE = ['--date', TEST_DATE];

function expectCleanFailure(result: { code: number | null; stdout: string; stderr: string }, message: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('depguard diff: exit codes gate on new findings only', () => {
  it('exits 1 when the change adds a finding at or above --fail-on, 0 when none reaches it', () => {
    const failing = depguard(['diff', '--base', 'HEAD~1', ...DATE], { cwd: repo.dir, env });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^depguard diff: real-service against HEAD~1 \([0-9a-f]{8}\)\n/);
    expect(failing.stdout).toContain('New install scripts (1)\n  esbuild@0.28.2');
    expect(failing.stdout.trimEnd().split('\n').at(-1)).toBe('2 new findings (1 high, 1 moderate), 0 resolved; packages: 29 added, 3 removed, 1 upgraded, 0 downgraded; FAIL: this change adds 1 finding at or above high');
    expect(depguard(['diff', '--base', 'HEAD~1', '--fail-on', 'critical', ...DATE], { cwd: repo.dir, env }).code).toBe(0);
  });

  it('passes a change that adds nothing, even on a project with legacy findings', () => {
    // Head still has the low engines finding and, under strict, two caret ranges: none is new.
    // (strict's registry-backed checks are skipped: this test runs offline.)
    const offline = ['--skip', 'advisories,capabilities,deprecated,manifest-confusion,provenance,publisher,release-age,signatures'];
    const result = depguard(['diff', '--base', 'HEAD', '--policy', 'strict', ...offline, '--fail-on', 'low', ...DATE], { cwd: repo.dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('no new findings, 0 resolved; packages: 0 added, 0 removed, 0 upgraded, 0 downgraded; pass: no new finding at or above low');
  });

  it('prints the check document plus diff as JSON; --min-severity hides, the gate still counts', () => {
    const result = depguard(['diff', '.', '--base', 'HEAD~1', '-f', 'json', '--min-severity', 'high', ...DATE], { cwd: repo.dir, env });
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'project', 'summary', 'findings', 'diagnostics', 'checks', 'skipped', 'diff']);
    expect(doc.diff.newFindings.map((f: { rule: string }) => f.rule)).toEqual(['install-scripts/unapproved']);
    expect(doc.diff.summary.newFindings).toMatchObject({ high: 1, moderate: 1 });
    expect(doc.diff.base).toMatchObject({ ref: 'HEAD~1', commit: repo.commits[0], path: '.' });
  });

  it('prints the pull-request comment with its marker; --output writes it and nothing else', () => {
    const out = join(tempDir(), 'comment.md');
    const result = depguard(['diff', '--base', 'HEAD~1', '-f', 'markdown', '-o', out, ...DATE], { cwd: repo.dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${out}`);
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 2)).toEqual(['<!-- depguard-diff . -->', '### :x: depguard: FAIL: this change adds 1 finding at or above high']);
    expect(readdirSync(repo.dir).sort()).toEqual(['.git', 'package-lock.json', 'package.json']);
  });
});

describe('depguard diff: exit 2 with one clear message', () => {
  it('needs --base', () => {
    expectCleanFailure(depguard(['diff', ...DATE], { cwd: repo.dir, env }), /Missing required argument: base|name the base/);
  });

  it('names a ref git does not know, with what to fetch', () => {
    const result = depguard(['diff', '--base', 'origin/main', ...DATE], { cwd: repo.dir, env });
    expectCleanFailure(result, /depguard: --base origin\/main: no folder of that name, and no commit of that name/);
    expect(result.stderr).toMatch(/hint: fetch it first/);
  });

  it('checks --github-comment settings before auditing anything', () => {
    const result = depguard(['diff', '--base', 'HEAD~1', '--github-comment', ...DATE], { cwd: repo.dir, env: { ...env, GITHUB_TOKEN: '', GITHUB_REPOSITORY: 'acme/shop' } });
    expectCleanFailure(result, /--github-comment needs a token in the GITHUB_TOKEN environment variable/);
  });
});

describe('depguard diff --github-comment', () => {
  const comments: Array<{ id: number; body: string; user: { login: string; type: string } }> = [];
  const requests: string[] = [];
  let api = '';
  let fail: number | null = null;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push(`${request.method} ${request.url} ${request.headers.authorization}`);
      const reply = (status: number, data: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(data));
      };
      if (fail !== null) return reply(fail, { message: 'Bad credentials' });
      if (request.method === 'GET' && request.url === '/repos/acme/shop/issues/42/comments?per_page=100') return reply(200, comments);
      if (request.method === 'POST' && request.url === '/repos/acme/shop/issues/42/comments') {
        const comment = { id: 100 + comments.length, body: JSON.parse(body).body as string, user: { login: 'github-actions[bot]', type: 'Bot' } };
        comments.push(comment);
        return reply(201, { ...comment, html_url: `https://github.com/acme/shop/pull/42#issuecomment-${comment.id}` });
      }
      const edit = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(request.url ?? '');
      if (request.method === 'PATCH' && edit) {
        const comment = comments.find((item) => item.id === Number(edit[1]));
        if (!comment) return reply(404, { message: 'Not Found' });
        comment.body = JSON.parse(body).body as string;
        return reply(200, { ...comment, html_url: `https://github.com/acme/shop/pull/42#issuecomment-${comment.id}` });
      }
      return reply(404, { message: 'Not Found' });
    });
  });
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const eventFile = join(tempDir(), 'event.json');
  writeFileSync(eventFile, JSON.stringify({ action: 'opened', number: 42, pull_request: { number: 42 } }));
  const github = () => ({ GITHUB_TOKEN: 'ghs_cli_test_token', GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_PATH: eventFile, GITHUB_API_URL: api });

  it('creates one comment on the first run and edits it on the next', async () => {
    const first = await run(['diff', '--base', 'HEAD~1', '--github-comment', ...DATE], repo.dir, github());
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('depguard: created the comment on acme/shop#42: https://github.com/acme/shop/pull/42#issuecomment-100');
    expect(first.stdout).toContain('New install scripts (1)');
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith('<!-- depguard-diff . -->\n### :x: depguard: FAIL')).toBe(true);

    const second = await run(['diff', '--base', 'HEAD', '--github-comment', ...DATE], repo.dir, github());
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('depguard: updated the comment on acme/shop#42');
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('### :white_check_mark: depguard: pass: no new finding at or above high');
    expect(requests.map((line) => line.split(' ')[0])).toEqual(['GET', 'POST', 'GET', 'PATCH']);
    expect(requests.every((line) => line.endsWith('Bearer ghs_cli_test_token'))).toBe(true);
  });

  it('exits 2 with a clear message when GitHub refuses, and prints no report', async () => {
    fail = 401;
    try {
      const result = await run(['diff', '--base', 'HEAD~1', '--github-comment', ...DATE], repo.dir, github());
      expectCleanFailure(result, /depguard: GitHub rejected the token \(401\) while listing comments on acme\/shop#42: Bad credentials/);
      expect(result.stderr).not.toContain('ghs_cli_test_token');
    } finally {
      fail = null;
    }
  });
});

describe('depguard diff --help', () => {
  it('documents --base, the formats and the GitHub flags', () => {
    const result = depguard(['diff', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--base', '--format', '--github-comment', '--repo', '--pr', '--comment-author', '--scope', '--fail-on', '--min-severity', '--output']) expect(result.stdout).toContain(flag);
    expect(existsSync(join(REPO, 'action.yml'))).toBe(true);
  });
});
