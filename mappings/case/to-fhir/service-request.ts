/**
 * ServiceRequest — the support request (demande d'appui, art. L6327-1 CSP) sent to the DAC.
 * Owned by the case: conditional update keyed on the case id (its own id is a second
 * identifier). R4 has no element for the business status (received / accepted / …) nor for
 * the person's consent, so both travel in extensions; ServiceRequest.status carries the
 * nearest FHIR status.
 */
import type { BundleEntry, Extension, ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, PROFILE } from '../../../profiles/canonical.js';
import { PRIORITIES, SUPPORT_REQUEST_STATUSES, ourCoding } from '../code-lists.js';
import type { CaseDocument } from '../schema.js';
import { conditionalUpdate, ref, resourceMeta, sourceIdentifier, type MappingState } from './context.js';
import type { PartyIndex } from './parties.js';
import type { CaseUrls } from './urls.js';

/** ServiceRequest.code of a support request. */
export const SUPPORT_REQUEST_CODE = {
  system: CODE_SYSTEM.requestType,
  code: 'demande-appui',
  display: "Demande d'appui à la coordination (art. L6327-1 CSP)",
} as const;

/** The ServiceRequest entry of the case's support request, or undefined when there is none. */
export function serviceRequestEntry(doc: CaseDocument, state: MappingState, urls: CaseUrls, parties: PartyIndex): BundleEntry | undefined {
  const sr = doc.supportRequest;
  if (!sr) return undefined;
  const extension: Extension[] = [{ url: EXTENSION.supportRequestStatus, valueCodeableConcept: { coding: [ourCoding('supportRequestStatus', sr.status)] } }];
  if (sr.consent) {
    extension.push({
      url: EXTENSION.supportRequestConsent,
      extension: [
        { url: 'given', valueBoolean: sr.consent.given },
        ...(sr.consent.date !== undefined ? [{ url: 'date', valueDate: sr.consent.date }] : []),
      ],
    });
  }
  const key = sourceIdentifier(state.ctx, 'case', state.ctx.caseId);
  const resource: ServiceRequest = {
    resourceType: 'ServiceRequest',
    meta: resourceMeta(state.ctx, PROFILE.serviceRequest),
    extension,
    identifier: [key, sourceIdentifier(state.ctx, 'support-request', sr.id)],
    status: SUPPORT_REQUEST_STATUSES[sr.status].fhir,
    intent: 'order',
    code: { coding: [{ ...SUPPORT_REQUEST_CODE }] },
    ...(sr.priority !== undefined ? { priority: PRIORITIES[sr.priority].fhir } : {}),
    subject: ref(urls.patient),
    authoredOn: sr.requestedOn,
    ...(sr.requester ? { requester: ref(parties.practitioner(sr.requester).fullUrl) } : {}),
    reasonCode: sr.reasons.map((reason) => ({ coding: [ourCoding('supportReason', reason)] })),
    ...(sr.note !== undefined ? { note: [{ text: sr.note }] } : {}),
  };
  return conditionalUpdate(resource, urls.serviceRequest, key);
}
