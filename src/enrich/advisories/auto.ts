// The default advisory source (`auto`): the answer to "is anything
// known-vulnerable?" from whichever source can give it, in this order:
//
// 1. the registry's bulk endpoint (what `npm audit` asks);
// 2. when the registry says it has no such endpoint (404, 405, 501: mirrors,
//    some private registries), the OSV API, asked only about packages that
//    come from a public registry: a private or scoped-registry package name
//    never leaves for a third party;
// 3. a local copy from `depguard db update`, when there is one (also for the
//    private names step 2 kept back: a local lookup leaks nothing);
// 4. none answered: an AdvisorySourceError naming each source and why, which
//    fails the run closed (exit 2) like any required source.
//
// The lookup says which source answered and why the earlier ones did not, so
// the report can say it.

import { stat } from 'node:fs/promises';
import { AdvisorySourceError, type AdvisoryLookup, type AdvisoryQuery, type AdvisorySource } from './types.js';

/** Statuses with which a registry says it has no bulk advisory endpoint at all (rather than failing to answer). */
export const NO_ENDPOINT_STATUSES: ReadonlySet<number> = new Set([404, 405, 501]);

export const AUTO_HINT =
  'run `depguard db update` where the network allows it and audit with the copy (it is found automatically), point --advisory-source at a folder of OSV records, or pass --skip advisories to audit without advisories (the summary then says so)';

export interface AutoSourceParts {
  /** The registry's bulk endpoint; null when the run is offline. */
  bulk: AdvisorySource | null;
  /** The OSV API; null when the run is offline. */
  osv: AdvisorySource | null;
  /** The local database and the folder it is in (`depguard db update`'s, under npm's cache). */
  db(): Promise<{ source: AdvisorySource; dir: string }>;
  /** Whether a package name may be sent to a public service: it comes from a public registry only. */
  isPublic(name: string): boolean;
  /** Why the network sources were not asked (offline), for the error. */
  offlineReason?: string;
}

function subset(query: AdvisoryQuery, keep: (name: string) => boolean): AdvisoryQuery {
  return new Map([...query].filter(([name]) => keep(name)));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export class AutoSource implements AdvisorySource {
  readonly name = 'auto';

  constructor(private readonly parts: AutoSourceParts) {}

  async advisories(query: AdvisoryQuery): Promise<AdvisoryLookup> {
    const { bulk, osv, db } = this.parts;
    const fellBack: string[] = [];
    let askOsv = false;
    if (bulk) {
      try {
        return { ...(await bulk.advisories(query)), answeredBy: bulk.name };
      } catch (error) {
        if (!(error instanceof AdvisorySourceError)) throw error;
        fellBack.push(`${bulk.name}: ${error.message}`);
        // Only "there is no such endpoint here" sends package names on to the public API; a registry that fails otherwise is not a reason to.
        askOsv = error.status !== undefined && NO_ENDPOINT_STATUSES.has(error.status);
      }
    } else if (this.parts.offlineReason) {
      fellBack.push(this.parts.offlineReason);
    }
    const local = await db();
    const haveDb = await exists(local.dir);
    if (askOsv && osv) {
      const open = subset(query, (name) => this.parts.isPublic(name));
      const kept = [...query.keys()].filter((name) => !open.has(name)).sort();
      try {
        const lookup = open.size > 0 ? await osv.advisories(open) : { advisories: [], skipped: [] };
        if (kept.length === 0) return { ...lookup, answeredBy: osv.name, fellBack };
        // Names kept from the public API: the local copy may still answer for them.
        if (haveDb) {
          const rest = await local.source.advisories(subset(query, (name) => kept.includes(name)));
          return {
            advisories: [...lookup.advisories, ...rest.advisories],
            skipped: [...lookup.skipped, ...rest.skipped],
            answeredBy: `${osv.name}, and ${local.source.name} for ${kept.length} package${kept.length === 1 ? '' : 's'} from registries that are not public`,
            fellBack,
          };
        }
        if (open.size > 0) return { ...lookup, answeredBy: osv.name, fellBack, unchecked: kept };
        fellBack.push(`${osv.name}: not asked: every package comes from a registry that is not public, and their names are not sent to a public service`);
      } catch (error) {
        if (!(error instanceof AdvisorySourceError)) throw error;
        fellBack.push(`${osv.name}: ${error.message}`);
      }
    }
    if (haveDb) return { ...(await local.source.advisories(query)), answeredBy: local.source.name, fellBack };
    fellBack.push(`db: no \`depguard db update\` copy in ${local.dir}`);
    throw new AdvisorySourceError(this.name, `no advisory source answered: ${fellBack.join('; ')}`, { hint: AUTO_HINT });
  }
}
