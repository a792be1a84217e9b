// HTTP for the online advisory sources, through npm-registry-fetch with the
// user's npm options (proxy, TLS, timeouts, retries; auth only where npm's
// config sends it for that URL). Every failure becomes an AdvisorySourceError
// naming the source, the URL (without credentials) and what went wrong.

import { classifyFetchError, cleanMessage, loadFetch, type Fetch } from '../fetch.js';
import { redactUrl, type FetchOptions } from '../npm-config.js';
import { AdvisorySourceError } from './types.js';
import { BodyError, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, limitResponsesOnTheWire, readBody } from '../body.js';

/** Largest advisory answer read, decompressed (a bulk answer for thousands of packages is a few MiB). */
export const MAX_ADVISORY_RESPONSE_BYTES = DEFAULT_MAX_RESPONSE_BYTES;

function timeoutOf(fetchOptions: FetchOptions): number {
  const configured = Number(fetchOptions.timeout);
  return Number.isFinite(configured) && configured > 0 ? configured : Infinity;
}

/** What went wrong, worded for an advisory source (src/enrich/fetch.ts classifies). */
function reasonOf(error: unknown, shown: string): string {
  const failure = classifyFetchError(error);
  switch (failure.kind) {
    case 'not-cached':
      return `offline mode (--offline, or npm's \`offline\` setting) forbids asking ${shown}`;
    case 'status':
      if (failure.status === 401 || failure.status === 403) return `${shown} answered ${failure.status}: access refused (check the auth token for that registry in .npmrc)`;
      return `${shown} answered ${failure.status}`;
    case 'timeout':
      return `${shown} timed out (npm config fetch-timeout)`;
    case 'integrity':
      return `could not reach ${shown}: EINTEGRITY`;
    case 'invalid-json':
      return `could not reach ${shown}: ${cleanMessage(error)}`;
    case 'network':
      return `could not reach ${shown}: ${failure.reason}`;
  }
}

export interface JsonRequest {
  method?: 'GET' | 'POST';
  /** A JSON body (POST). */
  body?: unknown;
  /** Gzip the request body, as npm does for the bulk advisory endpoint. */
  gzip?: boolean;
}

/** The JSON a URL answers; `source` names the advisory source in errors. */
export async function fetchJson(source: string, url: string, fetchOptions: FetchOptions, request: JsonRequest = {}): Promise<unknown> {
  const shown = redactUrl(url);
  limitResponsesOnTheWire(MAX_ADVISORY_RESPONSE_BYTES);
  const fetch = await loadFetch();
  let response: Awaited<ReturnType<Fetch>>;
  // Cutting a body off must close its socket (see ../body.ts).
  const controller = new AbortController();
  try {
    response = await fetch(url, {
      ...fetchOptions,
      signal: controller.signal,
      // npm-registry-fetch's timeout is the wait for headers (npm's default, 5 minutes, is per attempt).
      timeout: Math.min(DEFAULT_IDLE_TIMEOUT, timeoutOf(fetchOptions)),
      method: request.method ?? 'GET',
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.gzip ? { gzip: true } : {}),
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    const failure = classifyFetchError(error);
    throw new AdvisorySourceError(source, reasonOf(error, shown), { cause: error, ...(failure.kind === 'status' ? { status: failure.status } : {}) });
  }
  let text: string;
  try {
    // Counted after decompression and cut at the limit: a gzip bomb or an endless body never fills memory.
    text = (await readBody(response.body, { maxBytes: MAX_ADVISORY_RESPONSE_BYTES, idleTimeout: Math.min(DEFAULT_IDLE_TIMEOUT, timeoutOf(fetchOptions)) }, () => controller.abort())).toString('utf8');
  } catch (error) {
    if (error instanceof BodyError) {
      throw new AdvisorySourceError(source, error.code === 'EBODY_TOO_LARGE' ? `${shown} answered ${error.message} (decompressed): not read` : `${shown} stopped sending its answer (${error.message})`, { cause: error });
    }
    throw new AdvisorySourceError(source, `${shown}: the answer was cut short: ${reasonOf(error, shown)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const start = text.trim().slice(0, 40).replace(/\s+/g, ' ');
    throw new AdvisorySourceError(source, `${shown} answered something that is not JSON (${start === '' ? 'an empty body' : `starting ${JSON.stringify(start)}`})`, { cause: error });
  }
}
