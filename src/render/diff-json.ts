import type { DiffReporter } from './diff-summary.js';

/** The check document of head plus `diff` (contract: keys are only ever added). */
export const diffJson: DiffReporter = (result) => `${JSON.stringify(result, null, 2)}\n`;
