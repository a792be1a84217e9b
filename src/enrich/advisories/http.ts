// HTTP for the online advisory sources, through npm-registry-fetch with the
// user's npm options (proxy, TLS, timeouts, retries; auth only where npm's
// config sends it for that URL). Every failure becomes an AdvisorySourceError
// naming the source, the URL (without credentials) and what went wrong.

import { redactUrl, type FetchOptions } from '../npm-config.js';
import { AdvisorySourceError } from './types.js';

type Fetch = typeof import('npm-registry-fetch').default;
let fetchModule: Promise<Fetch> | undefined;
function loadFetch(): Promise<Fetch> {
  fetchModule ??= import('npm-registry-fetch').then((module) => module.default);
  return fetchModule;
}

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  type?: unknown;
  message?: unknown;
}

function reasonOf(error: unknown, shown: string): string {
  const { code, statusCode, type } = (error ?? {}) as ErrorLike;
  if (code === 'ENOTCACHED') return `offline mode (--offline, or npm's \`offline\` setting) forbids asking ${shown}`;
  if (typeof statusCode === 'number') {
    if (statusCode === 401 || statusCode === 403) return `${shown} answered ${statusCode}: access refused (check the auth token for that registry in .npmrc)`;
    return `${shown} answered ${statusCode}`;
  }
  if (type === 'request-timeout' || type === 'body-timeout' || (typeof code === 'string' && /TIMEOUT|ETIMEDOUT/.test(code))) return `${shown} timed out (npm config fetch-timeout)`;
  if (typeof code === 'string' && code !== 'FETCH_ERROR') return `could not reach ${shown}: ${code}`;
  const message = error instanceof Error ? error.message : String(error);
  return `could not reach ${shown}: ${message.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (url) => redactUrl(url))}`;
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
  const fetch = await loadFetch();
  let response: Awaited<ReturnType<Fetch>>;
  try {
    response = await fetch(url, {
      ...fetchOptions,
      method: request.method ?? 'GET',
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.gzip ? { gzip: true } : {}),
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    throw new AdvisorySourceError(source, reasonOf(error, shown), { cause: error });
  }
  let text: string;
  try {
    text = (await response.buffer()).toString('utf8');
  } catch (error) {
    throw new AdvisorySourceError(source, `${shown}: the answer was cut short: ${reasonOf(error, shown)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const start = text.trim().slice(0, 40).replace(/\s+/g, ' ');
    throw new AdvisorySourceError(source, `${shown} answered something that is not JSON (${start === '' ? 'an empty body' : `starting ${JSON.stringify(start)}`})`, { cause: error });
  }
}
