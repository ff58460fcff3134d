/**
 * A webhook subscription: one client's URL, the events it wants and the secret that signs them.
 */
import { randomUUID } from 'node:crypto';
import type { EventType } from '../events/event-types.js';

export type SubscriptionStatus = 'active' | 'disabled';

export interface Subscription {
  /** `sub_<32 hex>`. */
  id: string;
  /** Owner: only this client lists, deletes or replays it. */
  clientId: string;
  /** The owner's tenant: only this tenant's events reach it. */
  tenant: string;
  url: string;
  events: EventType[];
  /** HMAC key of the signatures. Kept in clear because signing needs it; never answered. */
  secret: string;
  createdAt: string;
  /** `disabled` after the receiver answered 410 Gone: no more events are sent. */
  status: SubscriptionStatus;
  disabledAt?: string;
}

export const SUBSCRIPTION_ID_PATTERN = /^sub_[0-9a-f]{32}$/;

export function newSubscriptionId(): string {
  return `sub_${randomUUID().replaceAll('-', '')}`;
}
