// The baseline: a bare Arborist loadVirtual() of a project's lockfile, as a
// whole process, with the same @npmcli/arborist that depguard uses. Prints the
// package count so a run that silently loaded nothing shows.
//   node bench/arborist-load.mjs <project dir> [--compile-cache]
// --compile-cache turns on Node's module compile cache first, as
// bin/depguard.js does, to tell that saving apart from depguard's own costs.
import module from 'node:module';

const [path, flag] = process.argv.slice(2);
if (!path || (flag !== undefined && flag !== '--compile-cache')) {
  process.stderr.write('usage: node bench/arborist-load.mjs <project dir> [--compile-cache]\n');
  process.exit(2);
}
if (flag === '--compile-cache') module.enableCompileCache?.();
const { default: Arborist } = await import('@npmcli/arborist');
const tree = await new Arborist({ path }).loadVirtual();
process.stdout.write(`${tree.inventory.size - 1} packages\n`);
