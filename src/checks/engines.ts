import { defineCheck } from './types.js';

export default defineCheck({
  meta: { id: 'engines', description: 'TODO', rules: {}, optionsSchema: { type: 'object', additionalProperties: false, properties: {} }, defaultOptions: {}, needs: [] },
  run() {},
});
