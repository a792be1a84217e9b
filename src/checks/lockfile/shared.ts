// What every part of the lockfile check shares: its options, the context type,
// how a package and a path are shown, and the manager-specific words.

import type { DeclaredDependencies, DepGraph, DepNode, LockfileInfo } from '../../model.js';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { CheckContext, WithDefaults } from '../types.js';

export const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    allowedHosts: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'hosts besides the configured registries that resolved URLs may use: bare hostnames, host:port, or URLs',
    },
  },
} as const satisfies JSONSchema;

export const defaultOptions = { allowedHosts: [] } satisfies FromSchema<typeof optionsSchema>;

export type LockfileOptions = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

export type Ctx = CheckContext<LockfileOptions>;

/** The package manager that wrote a lockfile; absent means npm. */
export type Manager = NonNullable<LockfileInfo['manager']>;

export type DependencyField = keyof DeclaredDependencies;
export const DEPENDENCY_FIELDS: readonly DependencyField[] = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'];

/** What refreshes the lockfile, in the words of the package manager that wrote it. */
export function installCommand(graph: DepGraph): string {
  switch (graph.lockfile?.manager ?? 'npm') {
    case 'pnpm':
      return 'pnpm install';
    case 'yarn':
      return 'yarn install';
    case 'bun':
      return 'bun install';
    default:
      return 'npm install';
  }
}

/** Arborist makes `file:` URLs absolute; findings show them relative to the project. */
export function projectRelative(graph: DepGraph, resolved: string | null): string | null {
  const prefix = `file:${graph.projectPath}/`;
  return resolved?.startsWith(prefix) ? `file:${resolved.slice(prefix.length)}` : resolved;
}

export function label(node: DepNode): { name: string; version: string } {
  return { name: node.name === node.packageName ? node.name : `${node.name} (${node.packageName})`, version: node.version };
}

export function isUnderNodeModules(location: string): boolean {
  return location.startsWith('node_modules/') || location.includes('/node_modules/');
}
