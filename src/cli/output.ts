import { writeAtomically } from '../util/atomic-write.js';

/** A report to stdout, or to --output (atomically) with a line on stderr saying so. */
export function emit(text: string, output: string | undefined, summary: string): void {
  if (output) {
    writeAtomically(output, text);
    process.stderr.write(`${summary}\nwrote ${output}\n`);
  } else {
    process.stdout.write(text);
  }
}
