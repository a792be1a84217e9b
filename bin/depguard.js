#!/usr/bin/env node
// Launcher: refuse unsupported Node.js lines with one line saying which work
// and how to run depguard on one anyway (the dependencies would fail later
// with an obscure message), turn on Node's module compile cache so repeated
// CI runs skip recompiling, then start the CLI. Plain JavaScript that any
// Node.js parses, so that even --help on an old Node.js gets this line.
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
const supported = (major === 22 && minor >= 22) || (major === 24 && minor >= 15) || major === 26;
if (!supported) {
  // `npx -p node@24` puts Node.js 24 first on PATH and runs depguard from this project's node_modules (or this checkout).
  const args = process.argv.slice(2).map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  process.stderr.write(
    `depguard: Node.js ${process.versions.node} is not supported; it runs on Node.js ^22.22.2, ^24.15.0 or ^26.0.0. To run it on Node.js 24 anyway: npx -p node@24 depguard${args.length > 0 ? ` ${args.join(' ')}` : ''}\n`,
  );
  process.exit(2);
}
module.enableCompileCache?.();
const { run } = await import('../dist/cli/main.js');
await run();
