/**
 * Redis key layout of the message log. `P` is the configured prefix; `{tenant}`, `{client}` and
 * `{dedupe}` are `encodeURIComponent`-encoded, so no part can contain `:` and two different
 * values never share a key. Ids (`msg-…`) contain no `:` either.
 *
 * | key                                  | type   | holds                                              |
 * |--------------------------------------|--------|----------------------------------------------------|
 * | `P:m:{id}`                           | hash   | metadata, `raw` payload (bytes), `ack` (bytes)     |
 * | `P:m:{id}:h`                         | list   | history entries (JSON), oldest first               |
 * | `P:d:{client}:{dedupe}`              | string | id of the first message with that dedupe key       |
 * | `P:t:{tenant}`                       | zset   | ids of the tenant's messages                       |
 * | `P:t:{tenant}:s:{status}`            | zset   | … currently in that status                         |
 * | `P:t:{tenant}:c:{client}`            | zset   | … sent by that client                              |
 * | `P:t:{tenant}:c:{client}:s:{status}` | zset   | … sent by that client, in that status              |
 * | `P:pending`                          | zset   | ids in `received`, score = ms it entered that state |
 *
 * The tenant/client zsets give every member score 0 and are read lexicographically: ids sort by
 * receipt time, so `ZRANGE … BYLEX REV` is newest first and the last id seen is an exact cursor
 * (no gaps or repeats, even for messages received in the same millisecond).
 *
 * The Lua scripts rebuild the per-tenant key names from the prefix and the encoded tenant/client
 * stored in the hash (`tk`, `ck`), because a transition does not know them in advance. That is
 * fine on a single Redis (as BullMQ's own scripts do) but not Redis Cluster; the same holds for
 * BullMQ's requirements, so this adds no new constraint.
 */
import type { MessageStatus } from './types.js';

/** Encoded key segment; the same encoding is stored in the hash (`tk`, `ck`) for the scripts. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Key names under one prefix. */
export class MessageLogKeys {
  constructor(readonly prefix: string) {}

  message(id: string): string {
    return `${this.prefix}:m:${id}`;
  }

  history(id: string): string {
    return `${this.prefix}:m:${id}:h`;
  }

  /** Prefix of message keys, for scripts that derive a message key from an id they read. */
  messagePrefix(): string {
    return `${this.prefix}:m:`;
  }

  dedupe(clientId: string, dedupeKey: string): string {
    return `${this.prefix}:d:${segment(clientId)}:${segment(dedupeKey)}`;
  }

  /** Tenant index (all statuses); `byStatus` appends the status suffix. */
  tenant(tenant: string): string {
    return `${this.prefix}:t:${segment(tenant)}`;
  }

  tenantClient(tenant: string, clientId: string): string {
    return `${this.tenant(tenant)}:c:${segment(clientId)}`;
  }

  pending(): string {
    return `${this.prefix}:pending`;
  }

  /** Index of one status under a tenant or tenant-client index key (mirrored in the Lua scripts). */
  static byStatus(indexKey: string, status: MessageStatus): string {
    return `${indexKey}:s:${status}`;
  }
}
