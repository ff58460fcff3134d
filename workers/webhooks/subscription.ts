/**
 * A webhook subscription: one client's URL, the events it wants and the secret that signs them.
 * A FHIR client's `Subscription` (`/fhir/Subscription`, R4 Subscriptions Backport) is stored the
 * same way, with a `fhir` part saying how to notify it: one fan-out, ordering, retry and
 * dead-letter path for both.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
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
  /** Present for a subscription made through `/fhir/Subscription`: notified with FHIR Bundles, unsigned. */
  fhir?: FhirChannel;
}

/** How a FHIR subscription is notified (`mappings/subscriptions` reads the client's request). */
export const FhirChannelSchema = z.object({
  /** Facade base URL the client used (`https://…/fhir`): notifications reference resources under it. */
  baseUrl: z.string(),
  /** SubscriptionTopic canonical (`Subscription.criteria`). */
  topic: z.string(),
  content: z.enum(['id-only', 'empty']),
  /** `Name: value` lines sent with each notification; may hold the receiver's credentials: never answered. */
  headers: z.array(z.string()),
  /** `Patient/<id>`: only that person's events are notified. */
  patientFilter: z.string().optional(),
  /** No notification after this instant. */
  end: z.string().optional(),
  reason: z.string().optional(),
});
export type FhirChannel = z.infer<typeof FhirChannelSchema>;

/** Whether `sub` may still be notified at `now`: active, and before its `end` when it has one. */
export function isLive(sub: Subscription, now: Date): boolean {
  return sub.status === 'active' && (sub.fhir?.end === undefined || Date.parse(sub.fhir.end) > now.getTime());
}

export const SUBSCRIPTION_ID_PATTERN = /^sub_[0-9a-f]{32}$/;

export function newSubscriptionId(): string {
  return `sub_${randomUUID().replaceAll('-', '')}`;
}

/**
 * The FHIR id of a subscription: FHIR ids may not contain `_`, so `sub_<hex>` reads `sub-<hex>`
 * on `/fhir`. `undefined` for anything else.
 */
export function fhirIdOf(id: string): string | undefined {
  return SUBSCRIPTION_ID_PATTERN.test(id) ? id.replace('_', '-') : undefined;
}

/** The subscription id of a FHIR id made by `fhirIdOf`, or `undefined`. */
export function subscriptionIdOfFhirId(fhirId: string): string | undefined {
  const id = fhirId.replace(/^sub-/, 'sub_');
  return SUBSCRIPTION_ID_PATTERN.test(id) ? id : undefined;
}
