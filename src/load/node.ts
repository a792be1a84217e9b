// Pieces every lockfile loader that builds its own nodes needs (every manager but npm, whose nodes Arborist builds). One constructor for a DepNode
// for the lockfile loaders that build nodes themselves (every manager but npm,
// whose nodes Arborist builds) and for tests that build graphs in memory, so a
// field added to DepNode gets its default in one place.

import type { DepNode } from '../model.js';

export function newNode(location: string, init: Partial<DepNode> = {}): DepNode {
  return {
    location,
    name: '',
    packageName: '',
    version: '',
    resolved: null,
    integrity: null,
    source: 'registry',
    dev: false,
    optional: false,
    devOptional: false,
    peer: false,
    inBundle: false,
    hasInstallScript: false,
    installScriptKnown: false,
    engines: null,
    license: null,
    isWorkspace: false,
    linkTarget: null,
    edgesOut: [],
    dependents: [],
    ...init,
  };
}

/** Sets an own property, whatever the key: a dependency may be named `__proto__` in a hostile lockfile. */
export function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `git@host:owner/repo.git` (scp style) as a URL the lockfile check can read a host from. */
export function gitUrl(repo: string, commit: string | null): string {
  let url = repo;
  const scp = /^([^@/:]+@)?([^/:]+):(?!\/)(.*)$/.exec(repo);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) url = `ssh://${scp[1] ?? ''}${scp[2]}/${scp[3]}`;
  if (!/^git[+:]/.test(url)) url = `git+${url}`;
  return commit ? `${url}#${commit}` : url;
}
