// The enrich stage: the registry data checks declare in their metadata
// (CheckMeta.enrich), fetched by the engine once per run, before any check
// runs, for the packages each check judges (the whole tree in `check`, what
// the change touched in `diff`). Checks that declare it read the answers
// (EnrichedData) instead of a registry client, so they are functions of the
// graph, the enriched data and their options, testable without a network.
// A package whose data cannot be had is left out of the answer; the miss is
// recorded on the package by RegistryPackuments, which decides the
// fail-closed exit (access.ts checkCompleteness).
//
// This file holds the registry's own kinds of data (packuments, signing
// keys, the package.json inside a tarball); the engine adds what the checks'
// own readers make of the registry's data (package contents analysed for
// capabilities, advisories matched to the graph: src/policy/enrich.ts).

import type { DepNode } from '../model.js';
import { isJsonObject, type JsonObject } from '../util/json.js';
import { isRegistryError, type RegistryClient } from './registry-client.js';
import type { RegistryKey, RegistryKeys } from './registry-keys.js';
import type { NodePackument, RegistryPackuments } from './registry-packuments.js';

/** One check's request: the packuments of these nodes, abbreviated or full; with `refine`, then the full one of those it names. */
export interface PackumentsWanted {
  nodes: readonly DepNode[];
  full: boolean;
  refine?: (found: NodePackument, node: DepNode) => boolean;
}

/** A registry's signing keys (null: it publishes none), or why they could not be had. */
export type KeysAnswer = { keys: RegistryKey[] | null } | { error: string };

/** The package.json inside a version's published tarball (null: it has none that parses), or why the tarball could not be read. */
export type TarballManifestAnswer = { manifest: JsonObject | null; problem?: string } | { error: string };

/** What one check reads: the data of each node it asked about and could be had, in the order asked. */
export interface EnrichedData {
  /** Whether the run could ask the registry (it had a client): false, registry data was never asked for. */
  fromRegistry: boolean;
  packuments: ReadonlyMap<DepNode, NodePackument>;
  /** Signing keys by registry URL (CheckMeta.enrich.keys): every registry a judged package comes from. */
  keys: ReadonlyMap<string, KeysAnswer>;
  /** The tarball's package.json of the nodes the check selected (CheckMeta.enrich.tarballManifests). */
  tarballManifests: ReadonlyMap<DepNode, TarballManifestAnswer>;
}

/**
 * Every check's packuments at once: each name is asked once per form (the
 * client keeps what it fetched), all in flight together within the client's
 * concurrency; each check gets its own nodes' answers.
 */
export async function enrichPackuments(source: RegistryPackuments, requests: readonly PackumentsWanted[]): Promise<Array<Map<DepNode, NodePackument>>> {
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
    return packuments;
  });
}

/** The signing keys of each registry (memoised by the keyring: one request per registry and run). */
export async function enrichKeys(keyring: RegistryKeys, registries: Iterable<string>): Promise<Map<string, KeysAnswer>> {
  const wanted = [...new Set(registries)];
  const answers = await Promise.all(
    wanted.map(async (registry): Promise<KeysAnswer> => {
      try {
        return { keys: (await keyring.keys(registry)).keys };
      } catch (error) {
        if (!isRegistryError(error)) throw error;
        return { error: error.message };
      }
    }),
  );
  return new Map(wanted.map((registry, index) => [registry, answers[index]!]));
}

/**
 * The package.json inside each node's published tarball, checked against the
 * packument's integrity: what the registry publishes for the version (the
 * lockfile's integrity is the capabilities check's to hold the tarball to).
 */
export async function enrichTarballManifests(client: RegistryClient, nodes: readonly DepNode[]): Promise<Map<DepNode, TarballManifestAnswer>> {
  const read = async (node: DepNode): Promise<TarballManifestAnswer> => {
    try {
      const contents = await client.tarball(node.packageName, node.version);
      const file = contents.file('package.json');
      if (!file) return { manifest: null, problem: `the tarball of ${node.packageName}@${node.version} has no package.json` };
      try {
        const manifest: unknown = JSON.parse(file.data.toString('utf8'));
        return isJsonObject(manifest) ? { manifest } : { manifest: null, problem: `the package.json in the tarball of ${node.packageName}@${node.version} is not a JSON object` };
      } catch {
        return { manifest: null, problem: `the package.json in the tarball of ${node.packageName}@${node.version} is not JSON` };
      }
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      return { error: error.message };
    }
  };
  const answers = await Promise.all(nodes.map(read));
  return new Map(nodes.map((node, index) => [node, answers[index]!]));
}
