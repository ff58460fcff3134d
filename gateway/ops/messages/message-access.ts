/**
 * Who may see and replay which inbound message (SPEC §3, §7, §9). Pure rules, no I/O.
 *
 * - A client sees the messages it sent, in its tenant (a hospital follows its own rejections).
 * - A client with the `admin` scope sees every message of its tenant, plus those of
 *   `UNASSIGNED_TENANT`: messages from senders no client declares, rejected (`AR`) and kept
 *   there until an operator declares the sender and replays them.
 * - Raw bytes: the same people (the payload is personal data).
 * - Replay: an admin, or the sending client if it holds `hl7v2.write`.
 * Anyone else is told the message does not exist.
 */
import type { Client } from '../../auth/clients-file.js';
import { hasScope } from '../../auth/client-registry.js';
import { ADMIN_SCOPE } from '../admin/admin-guard.js';

/**
 * Tenant of messages whose sender no client declares. Never a real tenant: tenant names are
 * slugs (`[a-z0-9-]`), which cannot start with `_`.
 */
export const UNASSIGNED_TENANT = '_unassigned';

/** Scope a sending client needs to replay its own message. */
export const REPLAY_SCOPE = 'hl7v2.write';

/** Who sent a message, and for which tenant it was recorded. */
export interface MessageOwner {
  readonly tenant: string;
  readonly clientId: string;
}

/** Tenants whose messages `client` may list (its own first). */
export function visibleTenants(client: Client): string[] {
  return hasScope(client, ADMIN_SCOPE) ? [client.tenant, UNASSIGNED_TENANT] : [client.tenant];
}

/** Whether `client` may read a message's metadata and raw bytes. */
export function canRead(client: Client, message: MessageOwner): boolean {
  if (hasScope(client, ADMIN_SCOPE)) return visibleTenants(client).includes(message.tenant);
  return isSender(client, message);
}

/** Whether `client` may replay a message it can read. */
export function canReplay(client: Client, message: MessageOwner): boolean {
  if (hasScope(client, ADMIN_SCOPE)) return canRead(client, message);
  return isSender(client, message) && hasScope(client, REPLAY_SCOPE);
}

function isSender(client: Client, message: MessageOwner): boolean {
  return message.tenant === client.tenant && message.clientId === client.id;
}
