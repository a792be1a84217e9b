// A waiver as the policy holds it: from the config's `waivers`, or from a VEX
// statement (policy/vex.ts). Its own module so that the VEX reader and the
// config loader both use it without importing each other.

import type { WaiverRef } from '../model.js';
import type { VexJustification } from './vex-model.js';

/** A waiver as the policy holds it (the fields a finding's `waived` carries, model.ts WaiverRef), and where it was declared. */
export interface Waiver extends WaiverRef {
  /** Where it was declared, for messages: `depguard.config.json: /waivers/2`. */
  origin: string;
  /** An advisory waiver's VEX justification, written into exported VEX statements. */
  justification?: VexJustification;
  /** Other ids of the vulnerability (a VEX statement's aliases): matched like `id`. */
  aliases?: string[];
}
