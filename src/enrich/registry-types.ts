// The registry client's data types, shared by its parts (registry-client.ts
// re-exports them: that file is the client's public face).

import type { CompactPackument, CompactVersion } from './packument.js';

/** online: cache, then the network when stale; prefer-offline: any cached copy first; offline: the cache only. */
export type RegistryMode = 'online' | 'prefer-offline' | 'offline';

export type PackumentSource = 'registry' | 'cache';

export interface Packument extends CompactPackument {
  /** 'registry' when the registry answered during this run, 'cache' when a cache did. */
  source: PackumentSource;
}

export interface RegistryManifest extends CompactVersion {
  name: string;
  version: string;
  source: PackumentSource;
}

export interface PackumentRequest {
  /** Full metadata (scripts, gypfile, publish times) rather than the abbreviated document. */
  full?: boolean;
  /** Ask the registry even when the compact cache is fresh (a version it lacks was asked for). */
  refresh?: boolean;
}
