// Arborist 10 reads only package-lock.json (and the hidden lockfile), while
// npm documents npm-shrinkwrap.json as the lockfile that wins when both are
// present. To load a shrinkwrap with Arborist's own parser, we let its
// Shrinkwrap class read the shrinkwrap's text in place of package-lock.json,
// for this project's path only and only during the one loadVirtual() call.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

interface ShrinkwrapInstance {
  path: string;
  load(): Promise<ShrinkwrapInstance>;
}
interface ShrinkwrapClass {
  new (options: Record<string, unknown>): ShrinkwrapInstance;
  load(options: Record<string, unknown>): Promise<ShrinkwrapInstance>;
}

export async function withLockfileFile<T>(projectPath: string, file: string, load: () => Promise<T>): Promise<T> {
  if (file === 'package-lock.json') return load();
  const Shrinkwrap = require('@npmcli/arborist/lib/shrinkwrap.js') as ShrinkwrapClass;
  const original = Object.getOwnPropertyDescriptor(Shrinkwrap, 'load')!;
  const text = await readFile(join(projectPath, file), 'utf8');
  Object.defineProperty(Shrinkwrap, 'load', {
    configurable: true,
    writable: true,
    value(options: Record<string, unknown>) {
      const instance = new Shrinkwrap(options);
      if (instance.path === projectPath && !options.hiddenLockfile) {
        // [lockfile text, yarn.lock text]: Arborist's own reading order.
        Object.defineProperty(instance, 'loadFiles', { get: () => Promise.resolve([text, '']) });
      }
      return instance.load();
    },
  });
  try {
    return await load();
  } finally {
    Object.defineProperty(Shrinkwrap, 'load', original);
  }
}
