/**
 * Deterministic ids and content hashes for the case mappers. Pure: hashing only, no clock,
 * no randomness, so the same input always yields the same bundle.
 */
import { createHash } from 'node:crypto';

/** Namespace of every name-based UUID Passerelle mints (a fixed, random v4 UUID). */
export const PASSERELLE_UUID_NAMESPACE = '6f1e9c2a-8d47-4b3e-9a51-3c0d2f7e4b18';

/**
 * RFC 4122 name-based UUID, version 5 (SHA-1), so `urn:uuid:` fullUrls are stable across
 * runs and machines.
 * @example uuidV5('dac-doubs|Patient|USR-981') // always the same UUID
 */
export function uuidV5(name: string, namespace: string = PASSERELLE_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Hex SHA-256 of a string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with object keys sorted at every level: equal values always give equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Short hash used inside element keys (12 hex chars of SHA-256). */
export function shortHash(text: string): string {
  return sha256Hex(text).slice(0, 12);
}
