// One whole process, timed: spawn to exit (wall clock), and its CPU time
// (user + system, children included) and peak RSS from GNU time when
// /usr/bin/time is there (NaN otherwise).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const gnuTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0 ? '/usr/bin/time' : null;

/** Runs `command args` in `options.cwd` with `options.env`: { ms, cpuMs, rssMb, code, stdout, stderr }. */
export function timedRun(command, args, options) {
  const folder = gnuTime ? mkdtempSync(join(os.tmpdir(), 'depguard-bench-time-')) : null;
  const usage = folder ? join(folder, 'usage') : null;
  const [program, argv] = gnuTime ? [gnuTime, ['-f', '%U %S %M', '-o', usage, command, ...args]] : [command, args];
  return new Promise((done) => {
    const start = process.hrtime.bigint();
    const child = spawn(program, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      let [cpuMs, rssMb] = [NaN, NaN];
      if (usage) {
        const [user, sys, rss] = readFileSync(usage, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        [cpuMs, rssMb] = [(user + sys) * 1000, rss / 1024];
        rmSync(folder, { recursive: true, force: true });
      }
      done({ ms, cpuMs, rssMb, code, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
}

export const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
