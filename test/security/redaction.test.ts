// No secret leaves (issue 15, attack 5): credentials in lockfile URLs
// (user:password@, ?token=), in a git URL and in a credentialed --registry
// never appear in any output format of check, diff or report, on stderr
// (--verbose, errors) or in any cache file; the host and path still show.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depguard, TEST_DATE } from '../helpers/cli.js';
import { REPO } from '../helpers/project.js';
import { gitRepo, tempDir } from '../diff/helpers.js';
import { integrityOf, TestRegistry } from '../enrich/registry-server.js';
import { redactText, redactUrl } from '../../src/util/redact.js';

const SECRET = 'SECRETPW';
const SHA512 = `sha512-${'A'.repeat(86)}==`;
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

function leakyProject(): Record<string, object> {
  const deps = { 'left-pad': '1.3.0', ms: '2.1.3', lib: `git+https://github.com/o/lib.git#${COMMIT}` };
  return {
    'package.json': { name: 'leaky', version: '1.0.0', dependencies: deps },
    'package-lock.json': {
      name: 'leaky',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'leaky', version: '1.0.0', dependencies: deps },
        'node_modules/left-pad': { version: '1.3.0', resolved: `http://user:${SECRET}@registry.example.org/left-pad/-/left-pad-1.3.0.tgz`, integrity: SHA512 },
        'node_modules/ms': { version: '2.1.3', resolved: `https://mirror.example.com/ms/-/ms-2.1.3.tgz?token=${SECRET}`, integrity: 'sha1-MhWjfyWHVAa1J3HM7b0DD4CbLEY=' },
        'node_modules/lib': { version: '1.0.0', resolved: `git+https://x-access-token:${SECRET}@github.com/o/lib.git#${COMMIT}` },
        'node_modules/../../stray': { version: '1.0.0', resolved: `https://${SECRET}@evil.example/stray.tgz`, integrity: SHA512 },
      },
    },
  };
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(SECRET);
}

describe('one redaction function (security-redaction)', () => {
  it('removes userinfo (but git@), secret query values and npmrc credentials', () => {
    expect(redactText(`http://user:${SECRET}@h/a.tgz and git+ssh://git@github.com/o/r.git`)).toBe('http://h/a.tgz and git+ssh://git@github.com/o/r.git');
    expect(redactText(`https://h/x.tgz?a=1&token=${SECRET}#x`)).toBe('https://h/x.tgz?a=1&token=REDACTED#x');
    expect(redactText(`//h/:_authToken=${SECRET} //h/:_password = "${SECRET}"`)).toBe('//h/:_authToken=REDACTED //h/:_password = "REDACTED"');
    expect(redactText(`https://${SECRET}@github.com/o/r`)).toBe('https://github.com/o/r');
    expect(redactUrl(`https://u:${SECRET}@h/a?token=${SECRET}`)).toBe('https://h/a?%E2%80%A6');
  });
});

describe('no secret in any output (security-redaction)', () => {
  const repo = gitRepo([{ files: { 'package.json': { name: 'leaky', version: '1.0.0' } } }, { files: leakyProject() }]);

  it.each(['table', 'json', 'markdown', 'sarif'])('check -f %s', (format) => {
    const result = depguard(['check', '--only', 'lockfile', '-f', format], { cwd: repo.project });
    expect(result.code).toBe(1);
    expectNoSecret(result.stdout + result.stderr);
    expect(result.stdout).toContain('registry.example.org');
  });

  it.each(['table', 'json', 'markdown'])('diff -f %s', (format) => {
    const result = depguard(['diff', '--base', 'HEAD~1', '--only', 'lockfile', '-f', format, '--date', TEST_DATE], { cwd: repo.project });
    expect(result.code).toBe(1);
    expectNoSecret(result.stdout + result.stderr);
    expect(result.stdout).toContain('evil.example');
  });

  it.each(['html', 'markdown', 'json', 'sarif'])('report -f %s (to a file)', (format) => {
    const out = join(tempDir('depguard-redaction-out-'), `report.${format}`);
    const result = depguard(['report', '--only', 'lockfile', '-f', format, '-o', out, '--date', TEST_DATE], { cwd: repo.project });
    expect(result.stderr).not.toMatch(/internal error/);
    expectNoSecret(result.stdout + result.stderr + readFileSync(out, 'utf8'));
  });
});

describe('a credentialed --registry (security-redaction)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await new TestRegistry().start();
    registry.add('left-pad', { versions: { '1.3.0': { time: '2020-01-01T00:00:00.000Z' } } });
  });
  afterAll(async () => {
    await registry.stop();
  });

  function filesUnder(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name)).filter((path) => statSync(path).isFile());
  }

  it('authenticates to that host, and neither --verbose, the output nor any cache file holds the password', async () => {
    const tarball = registry.tarballOf('left-pad', '1.3.0');
    const deps = { 'left-pad': '1.3.0' };
    const repo = gitRepo([
      {
        files: {
          'package.json': { name: 'app', version: '1.0.0', dependencies: deps },
          'package-lock.json': {
            name: 'app',
            lockfileVersion: 3,
            requires: true,
            packages: { '': { name: 'app', version: '1.0.0', dependencies: deps }, 'node_modules/left-pad': { version: '1.3.0', integrity: integrityOf(tarball) } },
          },
        },
      },
    ]);
    const cache = tempDir('depguard-redaction-cache-');
    const home = mkdtempSync(join(tmpdir(), 'depguard-redaction-home-'));
    const credentialed = registry.url.replace('http://', `http://ci:${SECRET}@`);
    const child = spawn(process.execPath, [join(REPO, 'bin/depguard.js'), 'check', '--only', 'deprecated,capabilities', '--registry', credentialed, '--cache', cache, '--verbose', '-f', 'json', '--date', TEST_DATE], {
      cwd: repo.project,
      env: { PATH: process.env.PATH ?? '', HOME: home, npm_config_userconfig: join(home, '.npmrc'), npm_config_fetch_retries: '0', NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(0);
    expect(registry.requests.length).toBeGreaterThan(0);
    expect(registry.requests.every((request) => request.headers.authorization === `Basic ${Buffer.from(`ci:${SECRET}`).toString('base64')}`)).toBe(true);
    expect(output).toContain(`GET ${registry.url}left-pad`);
    expectNoSecret(output);
    const files = filesUnder(cache);
    expect(files.some((file) => file.includes('_depguard'))).toBe(true);
    for (const file of files) {
      expectNoSecret(file);
      expectNoSecret(readFileSync(file).toString('latin1'));
    }
  });
});
