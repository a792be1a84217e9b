// A worker thread of the analysis pool (pool.ts): receives a package's files
// packed in one buffer, analyses them, answers with the plain-JSON result.
// Parsing is the expensive part of a cold run; off the main thread, it
// overlaps with downloads and uses every core.

import { parentPort } from 'node:worker_threads';
import { analysePackage } from './analyse-package.js';
import { unpackFiles, type PackedFiles } from './files.js';

interface Task extends PackedFiles {
  id: number;
  maxFileBytes: number;
}

parentPort?.on('message', (task: Task) => {
  try {
    parentPort!.postMessage({ id: task.id, analysis: analysePackage(unpackFiles(task), { maxFileBytes: task.maxFileBytes }) });
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: error instanceof Error ? error.message : String(error) });
  }
});
