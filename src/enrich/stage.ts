// The enrich stage: the registry data checks declare in their metadata
// (CheckMeta.enrich), fetched by the engine once per run, before any check
// runs, for the packages each check judges (the whole tree in `check`, what
// the change touched in `diff`). Checks that declare it read the answers
// (EnrichedData) instead of a registry client, so they are functions of the
// graph, the enriched data and their options, testable without a network.
// A package whose data cannot be had is left out of the answer; the miss is
// recorded on the package by RegistryPackuments, which decides the
// fail-closed exit (access.ts checkCompleteness).

import type { DepNode } from '../model.js';
import type { NodePackument, RegistryPackuments } from './registry-packuments.js';

/** One check's request: the packuments of these nodes, abbreviated or full; with `refine`, then the full one of those it names. */
export interface PackumentsWanted {
  nodes: readonly DepNode[];
  full: boolean;
  refine?: (found: NodePackument, node: DepNode) => boolean;
}

/** What one check reads: the packument of each node it asked about and could be had, in the order asked. */
export interface EnrichedData {
  packuments: ReadonlyMap<DepNode, NodePackument>;
}

export const NOTHING_ENRICHED: EnrichedData = { packuments: new Map() };

/**
 * Every check's packuments at once: each name is asked once per form (the
 * client keeps what it fetched), all in flight together within the client's
 * concurrency; each check gets its own nodes' answers.
 */
export async function enrichPackuments(source: RegistryPackuments, requests: readonly PackumentsWanted[]): Promise<EnrichedData[]> {
  const answer = async (request: PackumentsWanted, node: DepNode): Promise<NodePackument | null> => {
    const found = await source.lookup(node, { full: request.full });
    // The full document where the abbreviated one cannot answer; a package whose full one cannot be had is left out.
    return found && !request.full && request.refine?.(found, node) ? source.lookup(node, { full: true }) : found;
  };
  const answers = await Promise.all(requests.map((request) => Promise.all(request.nodes.map((node) => answer(request, node)))));
  return requests.map((request, index) => {
    const packuments = new Map<DepNode, NodePackument>();
    request.nodes.forEach((node, at) => {
      const found = answers[index]![at];
      if (found) packuments.set(node, found);
    });
    return { packuments };
  });
}
