/** ServiceRequest → `supportRequest` of a case document. */
import type { ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { PRIORITIES, SUPPORT_REASONS, SUPPORT_REQUEST_STATUSES, SUPPORT_REQUEST_STATUS_FROM_FHIR, type SupportReason } from '../code-lists.js';
import type { CaseSupportRequest } from '../schema.js';
import { codeOf, compact, datePart, identifierValue, isCode } from './common.js';
import { practitionerIdentity } from './parties.js';
import type { Resolver } from './resolver.js';

/** Reads a support request written by `clientId`. */
export function supportRequestFromFhir(sr: ServiceRequest, resolver: Resolver, clientId: string, issues: string[]): CaseSupportRequest {
  const ext = (url: string) => sr.extension?.find((e) => e.url === url);
  const business = codeOf(ext(EXTENSION.supportRequestStatus)?.valueCodeableConcept, CODE_SYSTEM.supportRequestStatus);
  const status = isCode(SUPPORT_REQUEST_STATUSES, business) ? business : SUPPORT_REQUEST_STATUS_FROM_FHIR[sr.status] ?? 'received';
  const reasons: SupportReason[] = [];
  for (const concept of sr.reasonCode ?? []) {
    const code = codeOf(concept, CODE_SYSTEM.supportReason);
    if (isCode(SUPPORT_REASONS, code)) reasons.push(code);
    else issues.push(`ServiceRequest.reasonCode: motif hors liste ignoré (${concept.text ?? concept.coding?.[0]?.code ?? '?'})`);
  }
  const consent = ext(EXTENSION.supportRequestConsent);
  const given = consent?.extension?.find((e) => e.url === 'given')?.valueBoolean;
  const requester = resolver.resolve(sr.requester, 'Practitioner');
  const id = identifierValue(sr.identifier, sourceIdentifierSystem(clientId, 'support-request'));
  if (id === undefined) issues.push(`supportRequest.id: ServiceRequest/${sr.id ?? '?'} sans identifiant de ${clientId}`);
  return compact({
    id: id ?? sr.id ?? '',
    requestedOn: datePart(sr.authoredOn) ?? '',
    requester: requester ? practitionerIdentity(requester, clientId) : undefined,
    reasons,
    status,
    priority: isCode(PRIORITIES, sr.priority) ? sr.priority : undefined,
    consent: given !== undefined
      ? compact({ given, date: consent?.extension?.find((e) => e.url === 'date')?.valueDate })
      : undefined,
    note: sr.note?.[0]?.text,
  });
}
