// Resource limits under attack (issue 15): a registry on 127.0.0.1 serves
// the one packument of a one-package project as (1) a gzip bomb (4 MiB on
// the wire, 4 GiB unpacked) and (2) a 2 GiB plain body, and depguard's CLI
// runs `check --only deprecated` against it. Prints exit code, wall time and
// peak RSS (VmHWM of the child, polled from /proc) beside the target
// (< 512 MiB, exit 2). Before the limits, the bomb drove one process to
// 10.6 GB and the 2 GB body to 6.4 GB (issue 15).
//
//   node bench/security-limits.mjs            (from the repository, after npm run build)

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PATH, repo } from './lib/paths.mjs';

const MiB = 1024 * 1024;

function bomb(mebibytes) {
  const member = gzipSync(Buffer.alloc(MiB, 0x20), { level: 9 });
  return Buffer.concat(Array.from({ length: mebibytes }, () => member));
}

async function serve(handler) {
  const server = createServer(handler);
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function project(registry) {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-bench-limits-'));
  const deps = { 'left-pad': '1.3.0' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'victim', version: '1.0.0', dependencies: deps }));
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({
      name: 'victim',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'victim', version: '1.0.0', dependencies: deps },
        'node_modules/left-pad': { version: '1.3.0', resolved: `${registry}left-pad/-/left-pad-1.3.0.tgz`, integrity: `sha512-${'A'.repeat(86)}==` },
      },
    }),
  );
  return dir;
}

function peakRss(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function measure(name, handler) {
  const server = await serve(handler);
  const dir = project(server.url);
  const home = mkdtempSync(join(tmpdir(), 'depguard-bench-home-'));
  const started = Date.now();
  const child = spawn(join(repo, 'node_modules/.bin/node'), [join(repo, 'bin/depguard.js'), 'check', '--only', 'deprecated', '--no-progress'], {
    cwd: dir,
    env: { PATH, HOME: home, npm_config_userconfig: join(home, '.npmrc'), npm_config_registry: server.url, npm_config_cache: join(home, 'cache'), npm_config_fetch_retries: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid))), 20);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'close');
  clearInterval(poll);
  const wall = Date.now() - started;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
  return { name, code, wall, peak, message: stderr.split('\n')[0] };
}

const payload = bomb(4096); // 4 GiB unpacked
const chunk = Buffer.alloc(MiB, 0x20);

/** Sends 2 GiB of spaces, only as fast as the client reads, and stops when it hangs up. */
function pump(res, headers) {
  res.writeHead(200, headers);
  let sent = 0;
  const more = () => {
    while (sent < 2048 && !res.destroyed) {
      sent++;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  res.on('close', () => (sent = 2048));
  more();
}

const results = [
  await measure(`gzip bomb (${(payload.length / MiB).toFixed(1)} MiB on the wire, 4096 MiB unpacked)`, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(payload.length) });
    res.end(payload);
  }),
  await measure('2 GiB plain body, chunked', (req, res) => pump(res, { 'content-type': 'application/json' })),
  await measure('2 GiB plain body, content-length', (req, res) => pump(res, { 'content-type': 'application/json', 'content-length': String(2048 * MiB) })),
];

console.log('| attack | exit | wall ms | peak RSS MiB | target | first stderr line |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const result of results) {
  const ok = result.code === 2 && result.peak < 512 * MiB;
  console.log(`| ${result.name} | ${result.code} | ${result.wall} | ${(result.peak / MiB).toFixed(0)} | exit 2, < 512 MiB: ${ok ? 'met' : 'NOT met'} | ${result.message.slice(0, 140)} |`);
}
