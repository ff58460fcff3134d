/**
 * What a FHIR subscription's receiver gets (R4 Subscriptions Backport, rest-hook): the
 * notification Bundle of one event, its headers, and whether the event passes the
 * subscription's filter. The Bundle is built by `mappings/subscriptions`; here are the parts
 * that need the stored event and subscription: the event number, the URLs, the ids.
 *
 * Ids are derived from the delivery id, so every attempt of one delivery sends the same Bundle
 * id (receivers may dedupe on it, or on `X-Passerelle-Delivery`); only `timestamp` changes.
 */
import { createHash } from 'node:crypto';
import { notificationBundle, TOPICS } from '../../mappings/subscriptions/index.js';
import type { StoredEvent } from '../events/event.js';
import { fhirIdOf, type FhirChannel, type Subscription } from './subscription.js';

export const FHIR_NOTIFICATION_CONTENT_TYPE = 'application/fhir+json';

/** A UUID (v4 layout) derived from `seed`: stable across attempts, unguessable without it. */
export function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed, 'utf8').digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Whether `event` passes the subscription's filter (`patient=Patient/<id>`, or none). */
export function passesFilter(channel: FhirChannel, event: StoredEvent): boolean {
  return channel.patientFilter === undefined || channel.patientFilter === event.patient;
}

export interface FhirNotification {
  body: string;
  headers: Record<string, string>;
}

/**
 * The notification of `event` to `sub`, numbered `eventNumber` of `eventCount` so far.
 * `channel.header` lines become headers; the transport's own headers are set by the caller.
 */
export function fhirNotification(
  sub: Subscription & { fhir: FhirChannel },
  event: StoredEvent,
  numbers: { eventNumber: number; eventCount: number },
  deliveryId: string,
  now: Date,
): FhirNotification {
  const base = sub.fhir.baseUrl.replace(/\/+$/, '');
  const topic = TOPICS[event.type];
  const bundle = notificationBundle({
    bundleId: uuidFrom(`${deliveryId}/bundle`),
    statusId: uuidFrom(`${deliveryId}/status`),
    timestamp: now.toISOString(),
    content: sub.fhir.content,
    status: {
      subscriptionUrl: `${base}/Subscription/${fhirIdOf(sub.id) ?? sub.id}`,
      topic: sub.fhir.topic,
      state: 'active',
      type: 'event-notification',
      eventsSinceStart: Math.max(numbers.eventCount, numbers.eventNumber),
    },
    event: {
      number: numbers.eventNumber,
      timestamp: event.occurredAt,
      focusUrl: `${base}/${event.resource}`,
      focusRef: event.resource,
      interaction: topic.interaction,
    },
  });
  const headers: Record<string, string> = {};
  for (const line of sub.fhir.headers) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: JSON.stringify(bundle), headers };
}
