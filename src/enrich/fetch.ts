// npm-registry-fetch, loaded once and lazily, and what its failures mean: one
// loader and one classifier for the registry client and the online advisory
// sources, which each word the failure for their own error type.

import { redactUrl } from './npm-config.js';

// npm-registry-fetch and its HTTP stack cost ~100 ms to import: load them on
// the first request, so runs served from a cache never pay for it.
export type Fetch = typeof import('npm-registry-fetch').default;
let fetchModule: Promise<Fetch> | undefined;
export function loadFetch(): Promise<Fetch> {
  fetchModule ??= import('npm-registry-fetch').then((module) => module.default);
  return fetchModule;
}

/** What went wrong with a request, from npm-registry-fetch's (and make-fetch-happen's) error fields. */
export type FetchFailure =
  /** Offline mode, or a cache-only request, and the answer is not cached. */
  | { kind: 'not-cached' }
  /** The server answered this status (after make-fetch-happen's retries). */
  | { kind: 'status'; status: number }
  /** The body does not match the integrity asked for. */
  | { kind: 'integrity' }
  /** The body is not JSON. */
  | { kind: 'invalid-json' }
  /** No answer in time (npm config fetch-timeout). */
  | { kind: 'timeout' }
  /** Anything else on the way: `reason` is the system error code, or the message with URLs stripped of credentials. */
  | { kind: 'network'; reason: string };

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  type?: unknown;
}

/** An error's message with every URL in it stripped of credentials. */
export function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (url) => redactUrl(url));
}

export function classifyFetchError(error: unknown): FetchFailure {
  const { code, statusCode, type } = (error ?? {}) as ErrorLike;
  if (code === 'ENOTCACHED') return { kind: 'not-cached' };
  if (typeof statusCode === 'number') return { kind: 'status', status: statusCode };
  if (code === 'EINTEGRITY') return { kind: 'integrity' };
  if (type === 'invalid-json' || error instanceof SyntaxError) return { kind: 'invalid-json' };
  if (type === 'request-timeout' || type === 'body-timeout' || (typeof code === 'string' && /TIMEOUT|ETIMEDOUT/.test(code))) return { kind: 'timeout' };
  return { kind: 'network', reason: typeof code === 'string' && code !== 'FETCH_ERROR' ? code : cleanMessage(error) };
}
