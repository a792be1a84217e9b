// Reading an HTTP response body from a registry or advisory source without
// trusting it: a body is counted as it arrives (after decompression, as
// npm-registry-fetch hands it over), so a 4 MB gzip bomb or a 2 GB
// packument is cut at the limit instead of filling memory; a body that stops
// arriving is cut after an idle timeout instead of holding the process open.
// npm-registry-fetch (minipass-fetch) writes the socket's data into its
// own buffer without backpressure, and npm's cache slows the consumer down
// (it hashes and writes every byte): a fast sender fills memory long before
// the consumer has counted to the limit. So the limit is also enforced where
// the bytes arrive: every HTTP response of the process is counted on the
// socket (node:diagnostics_channel) and destroyed past the largest limit.
// The caller's `abort` (an AbortSignal given to the fetch) closes the socket
// when the body is abandoned. All bodies being read also share one budget,
// so sixteen bombs at once cannot add up to sixteen limits.

import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export const DEFAULT_MAX_RESPONSE_BYTES = 128 * 1024 * 1024;
/** Longest wait for the next chunk of a body (and, through npm-registry-fetch's `timeout`, for headers). */
export const DEFAULT_IDLE_TIMEOUT = 30_000;
/** What all bodies being read at once may hold together. */
export const SHARED_BUDGET_BYTES = 384 * 1024 * 1024;
let inFlight = 0;

export class BodyError extends Error {
  constructor(
    readonly code: 'EBODY_TOO_LARGE' | 'EBODY_STALLED',
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export interface BodyLimits {
  maxBytes: number;
  idleTimeout: number;
}

type Stream = NodeJS.EventEmitter & { destroy?(error?: Error): void };

let wireLimit = 0;

/**
 * Caps the raw (still compressed) size of every HTTP response this process
 * receives at `bytes`; past it the response is destroyed with a BodyError.
 * The cap only grows; the first call installs the guard.
 */
export function limitResponsesOnTheWire(bytes: number): void {
  if (wireLimit === 0) {
    subscribe('http.client.request.start', (message) => {
      const request = (message as { request: ClientRequest }).request;
      request.once('response', (response: IncomingMessage) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > wireLimit && !response.destroyed) {
            response.destroy(new BodyError('EBODY_TOO_LARGE', `more than the limit of ${mebibytes(wireLimit)}`));
          }
        });
      });
    });
  }
  wireLimit = Math.max(wireLimit, bytes);
}

/** Human size for messages: `128 MiB`. */
export function mebibytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${bytes} bytes`;
}

/**
 * The whole body as one Buffer, within `maxBytes` (decompressed) and with at
 * most `idleTimeout` ms between chunks; a BodyError otherwise. The stream is
 * destroyed on every failure, so its socket is closed.
 */
export function readBody(body: unknown, limits: BodyLimits, abort?: () => void): Promise<Buffer> {
  const stream = body as Stream;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      inFlight -= size;
      stream.removeListener('data', onData);
      if (error) {
        abort?.();
        stream.destroy?.();
        chunks.length = 0;
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const arm = () => {
      if (timer) clearTimeout(timer);
      if (limits.idleTimeout > 0) {
        timer = setTimeout(() => finish(new BodyError('EBODY_STALLED', `no data for ${Math.round(limits.idleTimeout / 1000)} s`)), limits.idleTimeout);
      }
    };
    const onData = (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      inFlight += chunk.length;
      if (size > limits.maxBytes) {
        finish(new BodyError('EBODY_TOO_LARGE', `more than the limit of ${mebibytes(limits.maxBytes)}`));
        return;
      }
      if (inFlight > SHARED_BUDGET_BYTES) {
        finish(new BodyError('EBODY_TOO_LARGE', `more than the ${mebibytes(SHARED_BUDGET_BYTES)} all responses in flight may hold together`));
        return;
      }
      chunks.push(chunk);
      arm();
    };
    stream.on('data', onData);
    stream.once('end', () => finish(null));
    stream.once('error', (error: Error) => finish(error instanceof BodyError || (error as { code?: unknown }).code === 'EBODY_TOO_LARGE' ? new BodyError('EBODY_TOO_LARGE', error.message) : error));
    arm();
  });
}
