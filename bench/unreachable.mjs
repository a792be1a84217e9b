// How long a run takes when the registry cannot be reached, beside the same
// run with npm's own retry backoff (fetch-retry-mintimeout 10 s,
// fetch-retry-maxtimeout 60 s), and how long `--skip advisories` takes with a
// registry that accepts connections and never answers (it must ask nothing).
//
//   node bench/unreachable.mjs
//
// The project is fixtures/projects/install-scripts-real-registry (seven
// packages with install scripts, no node_modules): advisories come from the
// fixture OSV records, so the registry is asked for packuments (metavulnerability
// ranges) and install-script text. The dead registry is a closed port on
// 127.0.0.1 (connection refused); the silent one a loopback server that never
// answers. One run each: the point is tens of seconds against a few.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATH, repo } from './lib/paths.mjs';

const project = join(repo, 'fixtures/projects/install-scripts-real-registry');
const osv = join(repo, 'fixtures/advisories/osv');

function time(args, env) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(join(repo, 'node_modules/.bin/node'), [join(repo, 'bin/depguard.js'), ...args], {
      env: { ...process.env, PATH, npm_config_cache: mkdtempSync(join(tmpdir(), 'depguard-bench-cache-')), ...env },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('close', (code) => resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, code }));
  });
}

async function port(listen) {
  const server = createServer((socket) => socket.on('data', () => undefined));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: number } = server.address();
  if (!listen) await new Promise((resolve) => server.close(resolve));
  return { number, server };
}

const dead = await port(false);
const silent = await port(true);
const registry = (p) => ({ npm_config_registry: `http://127.0.0.1:${p}/`, npm_config_fetch_retries: '2' });
const rows = [
  ['refused, depguard (1 s / 2 s backoff)', ['check', project, '--advisory-source', osv], registry(dead.number)],
  ['refused, npm backoff (10 s / 60 s)', ['check', project, '--advisory-source', osv], { ...registry(dead.number), npm_config_fetch_retry_mintimeout: '10000', npm_config_fetch_retry_maxtimeout: '60000' }],
  ['never answers, --skip advisories', ['check', project, '--skip', 'advisories'], registry(silent.number)],
];
console.log('| run | seconds | exit |');
console.log('| --- | ---: | ---: |');
for (const [label, args, env] of rows) {
  const { seconds, code } = await time(args, env);
  console.log(`| ${label} | ${seconds.toFixed(1)} | ${code} |`);
}
silent.server.close();
