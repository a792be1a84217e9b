// The end of every command that reports (check, diff, report): render the
// document, write it (stdout, or --output atomically with the summary on
// stderr), and decide the exit code from the gate — in that order, here only.

import type { Finding } from '../model.js';
import { writeAtomically } from '../util/atomic-write.js';
import { EXIT } from './options.js';

export interface Deliverable {
  /** The document in the chosen format. */
  render(): string;
  /** One line for stderr when the document goes to a file. */
  summary: string;
  /** The findings that fail the run at --fail-on (src/policy/gate.ts). */
  failing: readonly Finding[];
}

/** Renders, writes, and returns the exit code: 1 when a finding fails the gate, else 0. */
export function deliver(deliverable: Deliverable, output: string | undefined): number {
  const text = deliverable.render();
  if (output) {
    writeAtomically(output, text);
    process.stderr.write(`${deliverable.summary}\nwrote ${output}\n`);
  } else {
    process.stdout.write(text);
  }
  return deliverable.failing.length > 0 ? EXIT.findings : EXIT.clean;
}
