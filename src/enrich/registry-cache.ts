// When cached registry data answers: depguard's compact record (within
// --max-age, or any age offline / prefer-offline), npm's cache (what its
// x-local-cache-* headers say), and when a refetched packument is the one
// already held (same validators), so it is neither re-read nor re-parsed.
// The records themselves are read and written by compact-cache.ts.

import type { CompactRecord } from './compact-cache.js';
import type { PackumentSource, RegistryMode } from './registry-types.js';

/** The record if it can answer a request for the abbreviated packument, or with `full` the full one: a full record answers both. */
export function recordFor(record: CompactRecord | null, full: boolean): CompactRecord | null {
  return record !== null && (record.packument.full || !full) ? record : null;
}

/** A record answers without asking npm: any age offline or prefer-offline; online, when younger than maxAge. */
export function isFresh(record: CompactRecord, mode: RegistryMode, maxAge: number, now: number): boolean {
  const age = now - record.checkedAt;
  // A record from the future (a clock set back) is not trusted.
  return mode !== 'online' || (age >= 0 && age < maxAge);
}

export interface ResponseCacheState {
  /** 'cache' when npm's cache answered without the registry. */
  source: PackumentSource;
  /** The body came from npm's cache (a hit, a stale copy, or revalidated by a 304): nothing left to store. */
  bodyCached: boolean;
  /** When the registry last vouched for this body (ms since the epoch; 0 when unknown). */
  checkedAt: number;
}

/** What npm's cache said of a response, from make-fetch-happen's `x-local-cache-status` and `x-local-cache-time`. */
export function responseCacheState(status: string | null, time: string | null, now: number): ResponseCacheState {
  const fromCache = status === 'hit' || status === 'stale';
  const cachedAt = Date.parse(time ?? '');
  return {
    source: fromCache ? 'cache' : 'registry',
    bodyCached: fromCache || status === 'revalidated',
    checkedAt: fromCache ? (Number.isNaN(cachedAt) ? 0 : Math.min(cachedAt, now)) : now,
  };
}

/** The response has the validators of the record held (etag, else last-modified) in the same form (full or abbreviated): the packument has not changed. */
export function sameValidators(previous: CompactRecord | null, asFull: boolean, etag: string | null, lastModified: string | null): previous is CompactRecord {
  return !!previous && previous.packument.full === asFull && !!((etag && etag === previous.etag) || (!etag && lastModified && lastModified === previous.lastModified));
}
