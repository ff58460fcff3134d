/**
 * A stored FHIR subscription as the `Subscription` resource the facade answers (R4, profile
 * `backport-subscription`). Header values are never answered: they usually hold the
 * receiver's credentials, so only their names come back (`Authorization: ***`).
 */
import type { Subscription as FhirSubscription } from '@medplum/fhirtypes';
import { SUBSCRIPTIONS_BACKPORT } from '../../profiles/canonical.js';
import type { FhirSubscriptionRequest } from './subscription-request.js';

/** What the answer is built from: the request as stored, and its state. */
export interface StoredFhirSubscription extends FhirSubscriptionRequest {
  /** FHIR id (`sub-<32 hex>`). */
  readonly id: string;
  /** `off` once disabled (receiver answered 410) or past `end`. */
  readonly status: 'active' | 'off';
  /** When it was created (`meta.lastUpdated`: it is never updated). */
  readonly createdAt: string;
}

/** Masks a header value, keeping its name. */
export function maskedHeader(line: string): string {
  const colon = line.indexOf(':');
  return `${colon < 0 ? line : line.slice(0, colon)}: ***`;
}

export function subscriptionResource(sub: StoredFhirSubscription): FhirSubscription {
  return {
    resourceType: 'Subscription',
    id: sub.id,
    meta: { lastUpdated: sub.createdAt, profile: [SUBSCRIPTIONS_BACKPORT.subscriptionProfile] },
    status: sub.status,
    ...(sub.end ? { end: sub.end } : {}),
    reason: sub.reason ?? 'Topic-based subscription',
    criteria: sub.topic,
    ...(sub.patientFilter
      ? { _criteria: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.filterCriteria, valueString: `patient=${sub.patientFilter}` }] } }
      : {}),
    channel: {
      type: 'rest-hook',
      endpoint: sub.endpoint,
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.payloadContent, valueCode: sub.content }] },
      ...(sub.headers.length > 0 ? { header: sub.headers.map(maskedHeader) } : {}),
    },
  } as FhirSubscription;
}
