// What the CLI shows on stderr while the registry client works: a request
// counter on a terminal (redrawn in place, cleared at the end) and, with
// --verbose, one line per request. Never on stdout, so `--format json` stays
// one JSON document.

import type { RegistryProgress, RequestEvent } from '../enrich/registry-client.js';
import { redactText } from '../util/redact.js';

export interface RegistryOutput {
  onRequest?: (event: RequestEvent) => void;
  onProgress?: (progress: RegistryProgress) => void;
  /** Clears the counter line. */
  finish(): void;
}

export function requestLine(event: RequestEvent): string {
  const status = event.status === null ? '-' : String(event.status);
  const parts = [`depguard: ${event.method} ${event.url} ${status} ${event.ms}ms cache=${event.cache}`];
  if (event.attempts !== undefined) parts.push(`attempts=${event.attempts}`);
  if (event.error !== undefined) parts.push(`error=${event.error}`);
  return redactText(`${parts.join(' ')}\n`);
}

export function registryOutput(options: { verbose: boolean; progress: boolean; stream?: NodeJS.WriteStream }): RegistryOutput {
  const stream = options.stream ?? process.stderr;
  const counter = options.progress && Boolean(stream.isTTY);
  let shown = false;
  let last = 0;
  const clear = () => {
    if (shown) stream.write('\r\u001b[K');
    shown = false;
  };
  const output: RegistryOutput = { finish: clear };
  if (options.verbose) {
    output.onRequest = (event) => {
      clear();
      stream.write(requestLine(event));
    };
  }
  if (counter) {
    output.onProgress = ({ done, total }) => {
      const now = Date.now();
      // Redraw at most ten times a second, and always for the last one.
      if (done < total && now - last < 100) return;
      last = now;
      stream.write(`\r\u001b[Kdepguard: registry ${done}/${total}`);
      shown = true;
    };
  }
  return output;
}
