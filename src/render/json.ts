import type { Reporter } from './types.js';

/** The JSON contract: one document, keys as in the README; later commands only add keys. */
export const json: Reporter = (result) => `${JSON.stringify(result, null, 2)}\n`;
