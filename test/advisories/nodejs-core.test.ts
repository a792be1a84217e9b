// `depguard db update nodejs`: the Node.js core vulnerability index fetched
// from a configurable URL (a loopback server here) into npm's cache, where
// engines/vulnerable-runtime reads it; a failed update keeps the copy there.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreIndexError, defaultNodejsCoreDir, readCoreIndex, updateCoreIndex } from '../../src/enrich/advisories/nodejs-core.js';
import { REPO } from '../helpers/project.js';
import { depguardAsync, type CliResult } from '../helpers/cli.js';

const INDEX = readFileSync(join(REPO, 'fixtures/nodejs-core/index.json'));
let server: Server;
let base = '';
const served: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/vuln/core/index.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(INDEX);
    } else if (req.url === '/not-json') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const FETCH = { retry: { retries: 0 }, timeout: 3000 };

function cli(args: string[], cache: string): Promise<CliResult> {
  return depguardAsync(args, { env: { ...process.env, npm_config_cache: cache, npm_config_registry: 'https://registry.example.org/', npm_config_fetch_retries: '0', NO_COLOR: '1' } });
}

describe('the Node.js core vulnerability index', () => {
  it('is downloaded into a folder and read back from there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-nodejs-core-'));
    const result = await updateCoreIndex({ dir, url: `${base}/vuln/core/index.json`, fetchOptions: FETCH });
    expect(result).toMatchObject({ dir, vulnerabilities: 4, bytes: INDEX.length });
    const index = await readCoreIndex(dir);
    expect(index!.vulnerabilities.map((v) => v.id)).toEqual(['NSWG-COR-1', 'NSWG-COR-2', 'NSWG-COR-3', 'NSWG-COR-4']);
  });

  it('a failed update names the URL and keeps the previous copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-nodejs-core-'));
    await updateCoreIndex({ dir, url: `${base}/vuln/core/index.json`, fetchOptions: FETCH });
    await expect(updateCoreIndex({ dir, url: `${base}/missing.json`, fetchOptions: FETCH })).rejects.toThrow(/missing\.json answered 404/);
    await expect(updateCoreIndex({ dir, url: `${base}/not-json`, fetchOptions: FETCH })).rejects.toBeInstanceOf(CoreIndexError);
    await expect(updateCoreIndex({ dir, url: `${base}/vuln/core/index.json`, fetchOptions: FETCH, offline: true })).rejects.toThrow(/offline mode/);
    expect(readFileSync(join(dir, 'index.json'))).toEqual(INDEX);
  });

  it('`depguard db update nodejs --nodejs-url` puts it under npm\'s cache, and only it', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'depguard-cache-'));
    const before = served.length;
    const result = await cli(['db', 'update', 'nodejs', '--nodejs-url', `${base}/vuln/core/index.json`], cache);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`4 Node.js core vulnerabilities from ${base}/vuln/core/index.json in ${defaultNodejsCoreDir(cache)}`);
    expect(existsSync(join(defaultNodejsCoreDir(cache), 'index.json'))).toBe(true);
    expect(served.slice(before)).toEqual(['/vuln/core/index.json']);
    const bad = await cli(['db', 'update', 'nodejs', '--nodejs-url', `${base}/missing.json`], cache);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('could not update the Node.js core vulnerability index');
    const notUrl = await cli(['db', 'update', 'nodejs', '--nodejs-url', 'index.json'], cache);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('--nodejs-url: "index.json" is not an http(s) URL');
  });
});
