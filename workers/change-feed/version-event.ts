/**
 * One version read from the FHIR server's history → the outbound event it deserves, or why none.
 * Pure: the poller (`poller.ts`) reads, this decides.
 *
 * The event key is the version (`<Type>/<id>/_history/<versionId>`), the same key Passerelle's own
 * writers use (`case-events.ts`, `write-events.ts`): a version is announced once whoever sees it
 * first, and overlapping polls never announce it twice.
 */
import type { BundleEntry, Reference, Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import type { EventType, PublishEventInput } from '../events/index.js';
import { hasSource } from '../fhir-client/index.js';

/** The plan-bearing types the feed watches, with the event a new version of each announces. */
export const FEED_EVENT_OF_TYPE = {
  CarePlan: 'careplan.updated',
  CareTeam: 'careteam.updated',
  ServiceRequest: 'supportrequest.updated',
  Task: 'task.created',
} as const satisfies Readonly<Record<string, EventType>>;

export type FeedType = keyof typeof FEED_EVENT_OF_TYPE;
export const FEED_TYPES = Object.keys(FEED_EVENT_OF_TYPE) as FeedType[];

/**
 * `sourceClientId` of the feed's events: "the FHIR server", not a Passerelle client, so every
 * subscriber of the tenant hears them. Not a slug (clients file ids are), so no client can own it.
 */
export const FHIR_SERVER_SOURCE = '@fhir-server';

/** Why a version is not announced; the poller counts them (content is never logged). */
export type SkipReason =
  /** Written through Passerelle (`meta.source`): its writer announced it already. */
  | 'own-write'
  /** A deletion: no event type says "deleted". */
  | 'deleted'
  /** A later version of a Task (`task.created` is for new tasks only), or a ServiceRequest that is not a support request. */
  | 'not-announced'
  | 'no-tenant'
  | 'no-patient'
  | 'no-version';

export type VersionDecision =
  | { readonly announce: true; readonly event: PublishEventInput; readonly lastUpdatedMs: number }
  | { readonly announce: false; readonly reason: SkipReason; readonly lastUpdatedMs: number | undefined };

const PATIENT_REF = /(?:^|\/)Patient\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/;
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** `Patient/<id>` from a reference that may be absolute or versioned; undefined for anything else. */
export function patientRefOf(reference: Reference | undefined): string | undefined {
  const match = reference?.reference ? PATIENT_REF.exec(reference.reference) : null;
  return match ? `Patient/${match[1]}` : undefined;
}

function subjectOf(resource: Resource): Reference | undefined {
  const r = resource as { subject?: Reference; for?: Reference; patient?: Reference };
  return r.subject ?? r.for ?? r.patient;
}

function tenantOf(resource: Resource): string | undefined {
  const code = resource.meta?.tag?.find((tag) => tag.system === CODE_SYSTEM.tenant)?.code;
  return code && code.length <= 64 ? code : undefined;
}

function versionIdOf(entry: BundleEntry): string | undefined {
  const fromEtag = /^(?:W\/)?"([^"]+)"$/.exec(entry.response?.etag?.trim() ?? '')?.[1];
  const versionId = entry.resource?.meta?.versionId ?? fromEtag;
  return versionId && FHIR_ID.test(versionId) ? versionId : undefined;
}

function lastUpdatedMsOf(entry: BundleEntry): number | undefined {
  const text = entry.resource?.meta?.lastUpdated ?? entry.response?.lastModified;
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** True for the first version of a resource: a create, as the history tells it. */
function isCreation(entry: BundleEntry, versionId: string): boolean {
  return entry.request?.method === 'POST' || versionId === '1';
}

function isSupportRequest(resource: Resource): boolean {
  const codings = (resource as { code?: { coding?: { system?: string }[] } }).code?.coding ?? [];
  return codings.some((c) => c.system === CODE_SYSTEM.requestType);
}

/**
 * The decision for one history entry.
 * @param passerelleSource the `meta.source` Passerelle stamps on its own writes
 * @example
 *   versionEvent({ resource: carePlanV3, request: { method: 'PUT', url: 'CarePlan/c1' } }, PASSERELLE_META_SOURCE)
 *   // → { announce: true, event: { type: 'careplan.updated', eventKey: 'CarePlan/c1/_history/3', sourceClientId: '@fhir-server', … } }
 */
export function versionEvent(entry: BundleEntry, passerelleSource: string): VersionDecision {
  const lastUpdatedMs = lastUpdatedMsOf(entry);
  const skip = (reason: SkipReason): VersionDecision => ({ announce: false, reason, lastUpdatedMs });
  const resource = entry.resource;
  if (!resource || entry.request?.method === 'DELETE') return skip('deleted');
  if (!(resource.resourceType in FEED_EVENT_OF_TYPE) || !resource.id || !FHIR_ID.test(resource.id)) return skip('not-announced');
  if (hasSource(resource, passerelleSource)) return skip('own-write');
  const versionId = versionIdOf(entry);
  if (versionId === undefined || lastUpdatedMs === undefined) return skip('no-version');
  const type = FEED_EVENT_OF_TYPE[resource.resourceType as FeedType];
  if (type === 'task.created' && !isCreation(entry, versionId)) return skip('not-announced');
  if (type === 'supportrequest.updated' && !isSupportRequest(resource)) return skip('not-announced');
  const tenant = tenantOf(resource);
  if (!tenant) return skip('no-tenant');
  const patientRef = patientRefOf(subjectOf(resource));
  if (!patientRef) return skip('no-patient');
  const resourceRef = `${resource.resourceType}/${resource.id}`;
  const status = (resource as { status?: string }).status;
  return {
    announce: true,
    lastUpdatedMs,
    event: {
      type,
      tenant,
      sourceClientId: FHIR_SERVER_SOURCE,
      patientRef,
      resourceRef,
      data: { status: status ?? 'unknown', versionId, via: 'fhir-server' },
      occurredAt: new Date(lastUpdatedMs).toISOString(),
      eventKey: `${resourceRef}/_history/${versionId}`,
    },
  };
}
