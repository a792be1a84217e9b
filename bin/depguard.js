#!/usr/bin/env node
// Launcher: refuse unsupported Node.js lines with a clear message (the
// dependencies would fail later with an obscure one), turn on Node's module
// compile cache so repeated CI runs skip recompiling, then start the CLI.
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
const supported = (major === 22 && minor >= 22) || (major === 24 && minor >= 15) || major === 26;
if (!supported) {
  process.stderr.write(
    `depguard: Node.js ${process.versions.node} is not supported: depguard needs a maintained LTS line (^22.22.2, ^24.15.0 or ^26.0.0).\n` +
      'hint: in this repository, `npx depguard` uses the pinned Node.js from node_modules/.bin\n',
  );
  process.exit(2);
}
module.enableCompileCache?.();
const { run } = await import('../dist/cli/main.js');
await run();
