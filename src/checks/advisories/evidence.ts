// What the advisories check's enrich step (./gather.ts) hands its run(): a
// type of its own, so that the check API (../types.ts) can name it without
// importing the step and what the step reads.

import type { Advisory, AdvisoryLookup } from '../../enrich/advisories/types.js';
import type { AdvisoryAudit } from './audit.js';
import type { GraphView } from './match.js';

/** What the advisories check reads: the matched audit, or (advisories optional) why there is none. */
export type AdvisoryEvidence =
  | { checked: false; source: string; error: string }
  | {
      checked: true;
      /** The source as named in the output (the one that answered, in a chain). */
      source: string;
      view: GraphView;
      /** The source's notes: fallbacks, unchecked names, skipped records. */
      lookup: Omit<AdvisoryLookup, 'advisories'>;
      /** The advisories that affect a queried version. */
      advisories: Advisory[];
      audit: AdvisoryAudit;
    };

