// `depguard report` at the edge: exit codes like `check`, fail closed on
// registry data, offline skip, deterministic output without absolute paths.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRegistry } from '../enrich/registry-server.js';
import { depguard } from '../helpers/cli.js';
import { fixture, REPO, tempProject } from '../helpers/project.js';
import { runCli, serveRealService } from './helpers.js';

let server: TestRegistry;
beforeAll(async () => {
  server = await new TestRegistry().start();
  serveRealService(server);
});
afterAll(() => server.stop());

describe('depguard report', () => {
  it('writes the HTML report and gates like check', async () => {
    const dir = tempProject({});
    const output = join(dir, 'audit.html');
    const failing = await runCli(['report', 'fixtures/projects/risky-app', '--offline', '--date', '2026-11-27', '-o', output]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toBe('');
    expect(failing.stderr).toBe(`5 findings (3 high, 2 moderate) in 2 packages; FAIL: 3 at or above high; not run: advisories (--skip)\nwrote ${output}\n`);
    expect(readFileSync(output, 'utf8')).toMatch(/^<!doctype html>\n<html lang="en">/);
    const notGating = await runCli(['report', 'fixtures/projects/risky-app', '--offline', '--fail-on', 'none', '--format', 'markdown']);
    expect(notGating.code).toBe(0);
    expect(notGating.stdout).toMatch(/^# Dependency audit: risky-app@2\.0\.0\n/);
  });

  it('fails closed when a direct dependency\'s packument cannot be had, unless --allow-incomplete', async () => {
    server.script('/zod', [{ status: 503, body: '{}' }], true);
    try {
      const closed = await runCli(['report', 'fixtures/projects/real-service', '--date', '2026-11-27', '--format', 'json'], { npm_config_registry: server.url });
      expect(closed.code).toBe(2);
      expect(closed.stdout).toBe('');
      expect(closed.stderr).toContain('could not get the registry data the checks need for 1 package: zod@4.6.7 (REGISTRY_UNREACHABLE)');
      expect(closed.stderr).toContain('--allow-incomplete');
      const open = await runCli(['report', 'fixtures/projects/real-service', '--date', '2026-11-27', '--format', 'json', '--allow-incomplete'], { npm_config_registry: server.url });
      expect(open.code).toBe(0);
      const document = JSON.parse(open.stdout) as { report: { freshness: { status: string } }; diagnostics: Array<{ code: string }> };
      expect(document.report.freshness.status).toBe('incomplete');
      expect(document.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['REGISTRY_UNREACHABLE', 'REGISTRY_INCOMPLETE']);
    } finally {
      server.scripts.clear();
    }
  });

  it('skips freshness offline without a request, and says so in the report', async () => {
    server.requests.length = 0;
    const run = await runCli(['report', 'fixtures/projects/real-service', '--offline', '--format', 'markdown'], { npm_config_registry: server.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Freshness was not checked: offline (--offline or npm's offline setting).");
    expect(server.requests).toEqual([]);
  });

  it('is deterministic and names no absolute path, whatever path it is given', async () => {
    const dir = tempProject({}, fixture('risky-app'));
    for (const format of ['html', 'markdown', 'json', 'sarif']) {
      const first = await runCli(['report', dir, '--offline', '--date', '2026-11-27', '--format', format]);
      const second = await runCli(['report', join(dir, '.'), '--offline', '--date', '2026-11-27', '--format', format]);
      expect(first.stdout.length).toBeGreaterThan(1000);
      expect(second.stdout, format).toBe(first.stdout);
      // The project is named by its path from the working directory (../../tmp/…), never from the root.
      const shown = first.stdout.replaceAll(relative(REPO, dir), '<project>');
      expect(shown, format).not.toContain(dir);
      expect(shown, format).not.toContain(REPO);
    }
  });

  it('lists report among the commands and sarif among check\'s formats', () => {
    expect(depguard(['--help']).stdout).toContain('depguard report [path]');
    const reportHelp = depguard(['report', '--help']).stdout;
    expect(reportHelp).toContain('"html", "markdown", "json", "sarif"');
    expect(reportHelp).toContain('--previous');
    expect(depguard(['check', '--help']).stdout).toContain('[choices: "table", "json", "markdown", "sarif"]');
  });
});
