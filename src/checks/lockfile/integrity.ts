// Integrity: does every fetched entry carry a hash npm verifies the tarball
// with, and is that hash strong and well formed? Each package manager records
// its hash its own way; INTEGRITY_READERS says how to read one manager's.

import { parse as parseSri, type Integrity } from 'ssri';
import type { DepGraph, DepNode } from '../../model.js';
import { label, type Ctx, type Manager } from './shared.js';

/** Strongest first, as pacote picks the algorithm it verifies with. */
const DIGEST_LENGTH: ReadonlyArray<[algorithm: string, base64Length: number]> = [
  ['sha512', 88],
  ['sha384', 64],
  ['sha256', 44],
  ['sha1', 28],
  ['md5', 24],
];
const WEAK_ALGORITHMS: ReadonlySet<string> = new Set(['sha1', 'md5']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** yarn berry's checksum: `<cacheKey>/<sha512 hex>` of the zip in its cache. */
const BERRY_CHECKSUM = /^(?:[^/]+\/)?[0-9a-f]{128}$/i;

export type IntegrityVerdict = { kind: 'ok' } | { kind: 'weak'; algorithm: string } | { kind: 'invalid' };

/** Classifies an SRI string by the strongest algorithm npm would verify with. */
export function classifyIntegrity(integrity: string): IntegrityVerdict {
  // ssri returns null (despite its typings) when nothing parses.
  const parsed: Integrity | null = parseSri(integrity);
  if (!parsed) return { kind: 'invalid' };
  for (const [algorithm, length] of DIGEST_LENGTH) {
    const hashes = parsed[algorithm];
    if (!hashes || hashes.length === 0) continue;
    const wellFormed = hashes.some((hash) => hash.digest.length === length && BASE64.test(hash.digest));
    if (!wellFormed) return { kind: 'invalid' };
    return WEAK_ALGORITHMS.has(algorithm) ? { kind: 'weak', algorithm } : { kind: 'ok' };
  }
  return { kind: 'invalid' };
}

/** How a node's recorded integrity value is read, per package manager (every manager's value is read as SRI today). */
export const INTEGRITY_READERS: Record<Manager, (integrity: string) => IntegrityVerdict> = {
  npm: classifyIntegrity,
  pnpm: classifyIntegrity,
  yarn: classifyIntegrity,
  bun: classifyIntegrity,
};

export function checkIntegrity(ctx: Ctx, graph: DepGraph, node: DepNode, file: string): void {
  if (node.inBundle) return;
  const integrity = node.integrity;
  if (integrity === null && node.checksum !== undefined) {
    // yarn berry verifies its cache zip against this checksum (not the tarball): a hash yarn checks, when well formed.
    if (!BERRY_CHECKSUM.test(node.checksum)) ctx.report({ rule: 'invalid-integrity', node, data: { ...label(node), integrity: node.checksum }, evidence: { integrity: node.checksum, checksum: true } });
    return;
  }
  if (integrity === null) {
    if (node.source === 'registry' || node.source === 'remote') {
      ctx.report({ rule: 'missing-integrity', node, data: { ...label(node), file }, evidence: { resolved: node.resolved, source: node.source } });
    }
    return;
  }
  const verdict = INTEGRITY_READERS[graph.lockfile?.manager ?? 'npm'](integrity);
  if (verdict.kind === 'weak') {
    ctx.report({ rule: 'weak-integrity', node, data: { ...label(node), algorithm: verdict.algorithm }, evidence: { integrity, algorithm: verdict.algorithm } });
  } else if (verdict.kind === 'invalid') {
    ctx.report({ rule: 'invalid-integrity', node, data: { ...label(node), integrity }, evidence: { integrity } });
  }
}
