/** ServiceRequests → the support requests (demandes d'appui) of the person, newest first. */
import type { ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, sourceIdentifierSystem } from '../../profiles/canonical.js';
import {
  PRIORITIES, SUPPORT_REASONS, SUPPORT_REQUEST_STATUSES, SUPPORT_REQUEST_STATUS_FROM_FHIR,
} from '../case/code-lists.js';
import { codeOf, compact, datePart, identifierValue, isCode } from '../case/from-fhir/common.js';
import type { Resolver } from '../case/from-fhir/resolver.js';
import { codedFromCoding, codedFromList } from './labels.js';
import { ownerOf, resourceOwner, type ClientNameLookup } from './origin.js';
import { partyView } from './parties.js';
import type { Coded, SupportRequestView } from './view.js';

function reasonOf(concept: { coding?: { system?: string; code?: string; display?: string }[]; text?: string }): Coded | undefined {
  const code = codeOf(concept, CODE_SYSTEM.supportReason);
  if (code !== undefined) return codedFromList(SUPPORT_REASONS, code);
  const other = codedFromCoding(concept.coding?.[0]);
  return other ?? (concept.text !== undefined ? { code: 'text', display: concept.text } : undefined);
}

function supportRequestView(sr: ServiceRequest & { id: string }, resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[]): SupportRequestView {
  const ext = (url: string) => sr.extension?.find((e) => e.url === url);
  // The business status (finer than ServiceRequest.status) when the writer recorded it.
  const business = codeOf(ext(EXTENSION.supportRequestStatus)?.valueCodeableConcept, CODE_SYSTEM.supportRequestStatus);
  const status = isCode(SUPPORT_REQUEST_STATUSES, business) ? business : SUPPORT_REQUEST_STATUS_FROM_FHIR[sr.status] ?? 'received';
  const consent = ext(EXTENSION.supportRequestConsent);
  const given = consent?.extension?.find((e) => e.url === 'given')?.valueBoolean;
  const owner = ownerOf(sr);
  return compact({
    id: sr.id,
    requestId: owner !== undefined ? identifierValue(sr.identifier, sourceIdentifierSystem(owner, 'support-request')) : undefined,
    status: codedFromList(SUPPORT_REQUEST_STATUSES, status),
    priority: sr.priority !== undefined ? codedFromList(PRIORITIES, sr.priority) : undefined,
    reasons: (sr.reasonCode ?? []).map(reasonOf).filter((r): r is Coded => r !== undefined),
    requestedOn: datePart(sr.authoredOn),
    requester: partyView(sr.requester, resolver, issues, `ServiceRequest/${sr.id}.requester`),
    consent: given !== undefined ? compact({ given, date: consent?.extension?.find((e) => e.url === 'date')?.valueDate }) : undefined,
    owner: resourceOwner(sr, clientName),
  });
}

/** Whether a ServiceRequest is a support request (our request-type code), not some other order. */
export function isSupportRequest(sr: ServiceRequest): boolean {
  return codeOf(sr.code, CODE_SYSTEM.requestType) !== undefined;
}

/**
 * The support requests, newest first (undated last), whatever their status: a closed one is
 * history worth seeing. Other ServiceRequests (orders a FHIR tool wrote) are not support requests.
 */
export function supportRequestsView(
  requests: (ServiceRequest & { id: string })[], resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[],
): SupportRequestView[] {
  return requests
    .filter((sr) => isSupportRequest(sr) && sr.status !== 'entered-in-error')
    .map((sr) => supportRequestView(sr, resolver, clientName, issues))
    .sort((a, b) => (b.requestedOn ?? '').localeCompare(a.requestedOn ?? ''));
}
