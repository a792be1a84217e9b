import type { DepNode } from '../model.js';

/** `name@version`: how messages and evidence name a package of the graph (by its trusted registry name). */
export function nameAtVersion(node: Pick<DepNode, 'packageName' | 'version'>): string {
  return `${node.packageName}@${node.version}`;
}
