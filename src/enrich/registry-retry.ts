// Retry-After: once npm-registry-fetch's own retries (with its backoff) are
// spent on a 429 or 503, a registry that says when to come back gets one more
// attempt, if it asks for no longer than the client's limit.

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or null. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A header of npm-registry-fetch's error (a plain object of strings or string arrays). */
export function headerValue(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : null;
  return typeof value === 'string' ? value : null;
}

/**
 * How long to wait before one more attempt after `error` (the failure of
 * attempt number `attempt`, from 0), or null for none: only a 429 or 503 with
 * a Retry-After of at most `maxRetryAfter` ms, and only once.
 */
export function retryAfterWait(error: unknown, attempt: number, maxRetryAfter: number): number | null {
  const { statusCode, headers } = (error ?? {}) as { statusCode?: unknown; headers?: unknown };
  const wait = statusCode === 429 || statusCode === 503 ? retryAfterMs(headerValue(headers, 'retry-after')) : null;
  return wait !== null && wait <= maxRetryAfter && attempt < 1 ? wait : null;
}
