/**
 * An outbound event as published and stored: what happened (`type`), to whom (`patient`), which
 * resource carries it, and its content in the case-document vocabulary (`data`). Events are
 * stored once and webhook jobs point at them (house practice 7: jobs carry pointers).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EVENT_TYPES } from './event-types.js';

/** `Patient/<id>`: a FHIR reference; ids are FHIR ids (1-64 of `[A-Za-z0-9.-]`). */
const patientRef = z.string().regex(/^Patient\/[A-Za-z0-9.-]{1,64}$/, 'a FHIR reference "Patient/<id>"');
/** `CarePlan/<id>`, `Encounter/<id>`, …: the resource the event is about. */
const resourceRef = z.string().regex(/^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9.-]{1,64}$/, 'a FHIR reference "<Type>/<id>"');

/** What a publisher hands to `publishEvent`. */
export const PublishEventInputSchema = z.strictObject({
  type: z.enum(EVENT_TYPES),
  /** Territory of the data: only subscriptions of this tenant hear of it. */
  tenant: z.string().min(1).max(64),
  /** Client whose write caused the event: its own subscriptions are skipped (no echo). */
  sourceClientId: z.string().min(1).max(64),
  patientRef,
  resourceRef,
  /**
   * Content in the case-document vocabulary (e.g. `{ plan: { id, status, actions } }`), holding
   * no more personal data than the tenant's subscribers may see. Stored with the event.
   */
  data: z.record(z.string(), z.unknown()),
  occurredAt: z.iso.datetime({ offset: true }),
  /**
   * Idempotency key, unique per tenant: the same key publishes once (e.g. `<jobId>-careplan` or
   * `<sending facility>-<control id>`), so a publisher retried after a crash does not publish twice.
   */
  eventKey: z.string().min(1).max(512),
  /** Request id of the write that caused the event, carried into the delivery jobs' trace. */
  requestId: z.string().min(1).max(128).optional(),
});
export type PublishEventInput = z.input<typeof PublishEventInputSchema>;

/** The stored form; `id` is derived from tenant and eventKey. */
export const StoredEventSchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  tenant: z.string(),
  sourceClientId: z.string(),
  patient: patientRef,
  resource: resourceRef,
  data: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
  requestId: z.string().optional(),
});
export type StoredEvent = z.infer<typeof StoredEventSchema>;

/**
 * The event id: a digest of tenant and eventKey, so a re-published key maps to the same id (and
 * the same delivery job ids) without a lookup. 128 bits of SHA-256: collisions are not a concern.
 */
export function eventIdOf(tenant: string, eventKey: string): string {
  return `evt_${createHash('sha256').update(`${tenant}\n${eventKey}`, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Matches ids made by `eventIdOf`. */
export const EVENT_ID_PATTERN = /^evt_[0-9a-f]{32}$/;
