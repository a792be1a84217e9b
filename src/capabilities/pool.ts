// Where packages are analysed: a pool of worker threads (one per core) when
// the compiled worker is there, else the calling thread. Workers start on
// the first package that needs analysing, so a warm run (everything cached)
// starts none. A worker that fails hands its package back to the calling
// thread: the result is the same either way.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analysePackage, type AnalyseOptions } from './analyse-package.js';
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

export class WorkerPool implements Analyser {
  readonly #script: string;
  readonly #size: number;
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: Array<() => void> = [];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #closed = false;

  constructor(script: string, size: number) {
    this.#script = script;
    this.#size = Math.max(1, size);
  }

  async analyse(files: PackageFile[], options: AnalyseOptions): Promise<PackageAnalysis> {
    const worker = await this.#acquire();
    const id = this.#next++;
    const packed = packFiles(files);
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

  async #acquire(): Promise<Worker> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#workers.length < this.#size && !this.#closed) return this.#spawn();
    return new Promise<Worker>((resolve) => this.#queue.push(() => resolve(this.#idle.pop()!)));
  }

  #release(worker: Worker): void {
    if (!this.#workers.includes(worker)) return;
    this.#idle.push(worker);
    this.#queue.shift()?.();
  }

  #spawn(): Worker {
    const worker = new Worker(this.#script);
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
      for (const pending of this.#pending.values()) if (pending.worker === worker) pending.reject(error);
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

/** A worker pool when running compiled (dist/) on more than one core, else the calling thread. */
export function createAnalyser(): Analyser {
  const script = fileURLToPath(new URL('./worker.js', import.meta.url));
  const cores = availableParallelism();
  if (!import.meta.url.endsWith('.js') || !existsSync(script) || cores < 2) return inThread;
  return new WorkerPool(script, cores);
}
