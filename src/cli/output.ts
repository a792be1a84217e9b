// The end of every command that reports (check, diff, report): render the
// document, write it (stdout, or --output atomically with the summary on
// stderr), and decide the exit code from the gate — in that order, here only.

import type { Finding } from '../model.js';
import { writeAtomically } from '../util/atomic-write.js';
import { redactText } from '../util/redact.js';
import { EXIT } from './options.js';

export interface Deliverable {
  /** The document in the chosen format. */
  render(): string;
  /** One line for stderr when the document goes to a file. */
  summary: string;
  /** The findings that fail the run at --fail-on (src/policy/gate.ts). */
  failing: readonly Finding[];
}

/**
 * Renders, writes, and returns the exit code: 1 when a finding fails the
 * gate, else 0. Every format of every reporting command leaves through here,
 * so here the rendered text loses any credential a URL or message still
 * carried (src/util/redact.ts).
 */
export function deliver(deliverable: Deliverable, output: string | undefined): number {
  const clean = redactText(deliverable.render());
  if (output) {
    writeAtomically(output, clean);
    process.stderr.write(redactText(`${deliverable.summary}\nwrote ${output}\n`));
  } else {
    process.stdout.write(clean);
  }
  return deliverable.failing.length > 0 ? EXIT.findings : EXIT.clean;
}
