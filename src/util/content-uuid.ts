import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id (version 5 layout) from a hash of the text: unique per
 * content and the same for the same content, where documents want a unique
 * id (SPDX namespaces, OpenVEX ids) but depguard's output must be
 * reproducible.
 */
export function contentUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
