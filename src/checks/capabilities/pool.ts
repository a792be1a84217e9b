// Where packages are analysed: a pool of worker threads (one per core) when
// the compiled worker is there, else the calling thread. Workers start on
// the first package that needs analysing, so a warm run (everything cached)
// starts none. A worker that fails hands its package back to the calling
// thread: the result is the same either way. Workers that keep failing
// (one that cannot start fails at once) are given up for the calling
// thread, rather than started again for every package.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analysePackage, bytesAnalysed, type AnalyseOptions } from './analyse-package.js';
import { packFiles, type PackageFile } from './files.js';
import type { PackageAnalysis } from './types.js';

export interface Analyser {
  analyse(files: PackageFile[], options: AnalyseOptions): Promise<PackageAnalysis>;
  /** Stops the workers (idempotent). */
  close(): Promise<void>;
}

export const inThread: Analyser = {
  analyse: async (files, options) => analysePackage(files, options),
  close: async () => undefined,
};

interface Pending {
  worker: Worker;
  resolve(analysis: PackageAnalysis): void;
  reject(error: Error): void;
}

/** Worker deaths after which the pool analyses in the calling thread only. */
const MAX_FAILURES = 3;

export class WorkerPool implements Analyser {
  readonly #script: string;
  readonly #size: number;
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: Array<() => void> = [];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #closed = false;
  /** Workers that died; past MAX_FAILURES the pool stops starting them. */
  #failures = 0;

  constructor(script: string, size: number) {
    this.#script = script;
    this.#size = Math.max(1, size);
  }

  async analyse(files: PackageFile[], options: AnalyseOptions): Promise<PackageAnalysis> {
    const worker = await this.#acquire();
    if (!worker) return analysePackage(files, options);
    const id = this.#next++;
    // Only the bytes the analysis reads cross to the worker (one copy, then transferred).
    const packed = packFiles(bytesAnalysed(files));
    try {
      return await new Promise<PackageAnalysis>((resolve, reject) => {
        this.#pending.set(id, { worker, resolve, reject });
        worker.postMessage({ id, ...packed, maxFileBytes: options.maxFileBytes }, [packed.bytes.buffer as ArrayBuffer]);
      });
    } catch {
      // The worker failed (or died): analyse here instead.
      return analysePackage(files, options);
    } finally {
      this.#pending.delete(id);
      this.#release(worker);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    this.#idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  /** An idle worker, a new one, or (when workers keep failing) null: analyse in the calling thread. */
  async #acquire(): Promise<Worker | null> {
    if (this.#failures >= MAX_FAILURES) return null;
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#workers.length < this.#size && !this.#closed) return this.#spawn();
    return new Promise<Worker | null>((resolve) => this.#queue.push(() => resolve(this.#idle.pop() ?? null)));
  }

  #release(worker: Worker): void {
    if (!this.#workers.includes(worker)) return;
    this.#idle.push(worker);
    this.#queue.shift()?.();
  }

  #spawn(): Worker {
    // None of the parent's flags: the analysis needs none, and some make a worker fail to start
    // (`node --input-type=module -e …` passes --input-type on to it).
    const worker = new Worker(this.#script, { execArgv: [] });
    worker.unref();
    worker.on('message', (message: { id: number; analysis?: PackageAnalysis; error?: string }) => {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      if (message.analysis) pending.resolve(message.analysis);
      else pending.reject(new Error(message.error ?? 'analysis failed'));
    });
    worker.on('error', (error) => {
      // Its task fails over to the calling thread; a package waiting for a worker gets a new one.
      const index = this.#workers.indexOf(worker);
      if (index >= 0) this.#workers.splice(index, 1);
      this.#failures++;
      for (const pending of this.#pending.values()) if (pending.worker === worker) pending.reject(error);
      if (this.#failures >= MAX_FAILURES) {
        // Everything waiting runs in the calling thread.
        for (const waiting of this.#queue.splice(0)) waiting();
        return;
      }
      const waiting = this.#queue.shift();
      if (waiting && !this.#closed) {
        this.#idle.push(this.#spawn());
        waiting();
      }
    });
    this.#workers.push(worker);
    return worker;
  }
}

/** Below this many packages to read, starting a worker (it loads the parser again) costs more than it saves. */
export const FEW_PACKAGES = 8;

/**
 * A worker pool when running compiled (dist/) on more than one core, else the
 * calling thread; the calling thread too when the run will read fewer than
 * FEW_PACKAGES packages (a diff of a small change).
 */
export function createAnalyser(packages = Number.POSITIVE_INFINITY): Analyser {
  const script = fileURLToPath(new URL('./worker.js', import.meta.url));
  const cores = availableParallelism();
  if (!import.meta.url.endsWith('.js') || !existsSync(script) || cores < 2 || packages < FEW_PACKAGES) return inThread;
  return new WorkerPool(script, cores);
}
