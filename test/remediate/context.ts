// The planner's context for tests: the bulk advisory endpoint and the
// packuments of one loopback registry, npm's cache in a fresh folder, no
// retries (a test registry answers at once or not at all).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpmBulkSource } from '../../src/enrich/advisories/npm-bulk.js';
import { createRegistryClient } from '../../src/enrich/access.js';
import type { VerifyContext } from '../../src/remediate/verify.js';

export function planContext(registry: string, extra: Partial<VerifyContext> = {}): VerifyContext {
  const cache = mkdtempSync(join(tmpdir(), 'depguard-fix-cache-'));
  const fetchOptions = { retry: { retries: 0 } };
  return {
    source: new NpmBulkSource({ registry, fetchOptions }),
    client: createRegistryClient({ registry, scopes: {} }, null, { cache, fetchOptions }),
    registry,
    cache,
    fetchOptions,
    ...extra,
  };
}
