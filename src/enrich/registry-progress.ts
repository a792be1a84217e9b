// What the registry client tells its caller while it works: one event per
// request (--verbose) and a done/total count (the progress line), and the
// concurrency limit the counted work runs under.

import pLimit, { type LimitFunction } from 'p-limit';

export interface RequestEvent {
  method: 'GET';
  /** Without credentials or query string. */
  url: string;
  /** HTTP status; null when there was no response (network error, not cached) or the compact cache answered. */
  status: number | null;
  ms: number;
  /**
   * Who answered: 'compact' (depguard's compact cache, no HTTP), or npm's
   * cache status: 'hit' (fresh in cacache, no HTTP), 'stale' (cached copy used
   * without revalidating), 'revalidated' (304), 'updated', 'miss', 'skip'.
   */
  cache: string;
  /** Attempts made (retries + 1), when more than one. */
  attempts?: number;
  /** The error code when the request failed. */
  error?: string;
}

export interface RegistryProgress {
  /** Network or npm-cache requests finished. */
  done: number;
  /** Requests started so far (grows while checks ask for more). */
  total: number;
}

export class RequestTracker {
  readonly #limit: LimitFunction;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #onProgress: ((progress: RegistryProgress) => void) | undefined;
  #started = 0;
  #done = 0;

  constructor(options: { concurrency: number; onRequest?: ((event: RequestEvent) => void) | undefined; onProgress?: ((progress: RegistryProgress) => void) | undefined }) {
    this.#limit = pLimit(Math.max(1, options.concurrency));
    this.#onRequest = options.onRequest;
    this.#onProgress = options.onProgress;
  }

  /** Runs network work under the concurrency limit, counting it for progress. */
  async task<T>(work: () => Promise<T>): Promise<T> {
    this.#started++;
    this.#progress();
    try {
      return await this.#limit(work);
    } finally {
      this.#done++;
      this.#progress();
    }
  }

  /** One request finished (or answered from the compact cache). */
  emit(event: RequestEvent): void {
    this.#onRequest?.(event);
  }

  #progress(): void {
    this.#onProgress?.({ done: this.#done, total: this.#started });
  }
}
