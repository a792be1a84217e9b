// Bounded resources, fail closed (issue 15, attack 3): registries on
// 127.0.0.1 that answer a packument with a gzip bomb, with an endless body,
// with nothing at all, or a tarball whose body stalls after its headers; and
// a lockfile past the documented size. Each run must end in exit 2 with a
// clear message (or, with --allow-incomplete, a report) and the process must
// exit. Memory and time are measured in bench/security-limits.mjs, never
// asserted here; every loop below is bounded.
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LOCKFILE_ENTRIES } from '../../src/load/load.js';
import { RegistryClient, RegistryError } from '../../src/enrich/registry-client.js';
import { TEST_DATE, depguardAsync, isolatedEnv, type CliResult } from '../helpers/cli.js';
import { leftPadProject, tempProject } from '../helpers/project.js';
import { integrityOf, makeTarball } from '../enrich/registry-server.js';

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** A gzip stream of `members` concatenated members, each 1 MiB of spaces: ~1 KB on the wire per MiB unpacked. */
function gzipBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
  return Buffer.concat(Array.from({ length: members }, () => member));
}

function project(registry: string, tarball = makeTarball({ 'package.json': '{"name":"left-pad","version":"1.3.0"}', 'index.js': 'module.exports = 1;\n' })): string {
  return tempProject(leftPadProject(registry, integrityOf(tarball)));
}

/** The CLI online against `registry`, killed (and the test failed) if it has not exited after `killAfter` ms. */
function run(args: string[], cwd: string, registry: string, killAfter = 120_000): Promise<CliResult & { killed: boolean }> {
  return depguardAsync([...args, '--date', TEST_DATE], { cwd, env: isolatedEnv(registry), killAfter });
}

function packument(registry: string, tarball: Buffer): string {
  return JSON.stringify({
    name: 'left-pad',
    'dist-tags': { latest: '1.3.0' },
    versions: { '1.3.0': { name: 'left-pad', version: '1.3.0', dist: { integrity: integrityOf(tarball), tarball: `${registry}left-pad/-/left-pad-1.3.0.tgz` } } },
  });
}

describe('bounded responses (security-limits)', () => {
  it('a gzip-bomb packument is cut at the limit after decompression: REGISTRY_RESPONSE_TOO_LARGE', async () => {
    const bomb = gzipBomb(8);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    const client = new RegistryClient({ registries: { registry: url, scopes: {} }, cache: mkdtempSync(join(tmpdir(), 'depguard-limits-cache-')), maxResponseBytes: 2 * 1024 * 1024, fetchOptions: { retry: { retries: 0 } } });
    const error = await client.packument('left-pad').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('REGISTRY_RESPONSE_TOO_LARGE');
    expect((error as RegistryError).message).toMatch(/more than the limit of 2 MiB \(decompressed\)/);
  });

  it('check: a gzip bomb (160 MiB unpacked) ends in exit 2 naming the package; --allow-incomplete audits without it', async () => {
    const bomb = gzipBomb(160);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const dir = project(url);
    const failed = await run(['check', '--only', 'deprecated'], dir, url);
    expect(failed.killed).toBe(false);
    expect(failed.code).toBe(2);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/left-pad@1\.3\.0 \(REGISTRY_RESPONSE_TOO_LARGE\)/);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    const degraded = await run(['check', '--only', 'deprecated', '--allow-incomplete', '-f', 'json'], dir, url);
    expect(degraded.code).toBe(0);
    expect(JSON.parse(degraded.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('REGISTRY_RESPONSE_TOO_LARGE');
  });

  it('check: an endless packument body is cut at the limit: exit 2', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      // At most 2 GiB, and only while the client reads.
      const pump = () => {
        while (sent < 2048 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = 2048));
      pump();
    });
    const result = await run(['check', '--only', 'deprecated'], project(url), url);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/REGISTRY_RESPONSE_TOO_LARGE/);
  });
});

describe('bounded time: the process always exits (security-limits)', () => {
  it('a registry that never answers: exit 2 at --timeout, with a message naming the flag', async () => {
    const url = await serve(() => {
      // Accept the request, never answer.
    });
    const result = await run(['check', '--only', 'deprecated', '--timeout', '3s'], project(url), url);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^depguard: the run did not finish within --timeout 3s: nothing was written\nhint: /);
  });

  it('a tarball that sends its headers and stalls: exit 2 at --timeout', async () => {
    const tarball = makeTarball({ 'package.json': '{"name":"left-pad","version":"1.3.0"}', 'index.js': 'module.exports = 1;\n' });
    const url = await serve((req, res) => {
      if (req.url === '/left-pad') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(packument(url, tarball));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(tarball.length) });
      res.write(tarball.subarray(0, 10)); // then nothing more
    });
    const result = await run(['check', '--only', 'capabilities', '--timeout', '3s'], project(url, tarball), url);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/did not finish within --timeout 3s/);
  });

  it('a report printed while a tarball socket is still open: the process exits anyway', async () => {
    const tarball = makeTarball({ 'package.json': '{"name":"left-pad","version":"1.3.0"}', 'index.js': 'module.exports = 1;\n' });
    const url = await serve((req, res) => {
      if (req.url === '/left-pad') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(packument(url, tarball));
        return;
      }
      // Announces more than the tarball limit, sends a little, then holds the socket open.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(100 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    });
    const result = await run(['check', '--only', 'capabilities', '--allow-incomplete', '-f', 'json', '--timeout', '0'], project(url, tarball), url);
    expect(result.killed).toBe(false);
    const out = JSON.parse(result.stdout) as { diagnostics: Array<{ code: string }> };
    expect(out.diagnostics.map((d) => d.code)).toContain('REGISTRY_TARBALL_TOO_LARGE');
  });

  it('--timeout takes durations; anything else is a flag error', async () => {
    const url = await serve(() => {});
    const result = await run(['check', '--only', 'lockfile', '--timeout', 'soon'], project(url), url);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^depguard: --timeout: "soon" is not a duration/);
  });
});

describe('bounded input: lockfile size (security-limits)', () => {
  it(`a lockfile with more than ${MAX_LOCKFILE_ENTRIES} entries is refused with exit 2 naming the file`, async () => {
    const packages: Record<string, object> = { '': { name: 'big', version: '1.0.0' } };
    for (let i = 0; i <= MAX_LOCKFILE_ENTRIES; i++) packages[`node_modules/p${i}`] = { version: '1.0.0' };
    const dir = tempProject({ 'package.json': { name: 'big', version: '1.0.0' }, 'package-lock.json': JSON.stringify({ name: 'big', lockfileVersion: 3, packages }) });
    const result = await run(['check', '--only', 'lockfile'], dir, 'https://registry.example.org/');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^depguard: package-lock.json has ${MAX_LOCKFILE_ENTRIES + 1} entries, more than the limit of ${MAX_LOCKFILE_ENTRIES} depguard audits\\n`));
  });
});
