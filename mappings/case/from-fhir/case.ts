/**
 * FHIR resources → case document, as the client `clientId` wrote it: for outbound events and
 * the pathway view (SPEC §2, §6). Works on resources as a server returns them (`Type/id`
 * references) and on a transaction Bundle before it is sent (`urn:uuid:` fullUrls), which
 * makes case → FHIR → case testable without a server.
 *
 * Elements that carry another client's origin are left out (and counted in `issues`);
 * values a server may hold but our lists do not know are skipped with an issue, never
 * invented.
 */
import type { CarePlan, CareTeam, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { sourceIdentifierSystem } from '../../../profiles/canonical.js';
import type { CaseDocument } from '../schema.js';
import { identifierValue } from './common.js';
import { planFromFhir } from './care-plan.js';
import { teamFromFhir } from './care-team.js';
import { patientFromFhir } from './patient.js';
import { createResolver, type ResourceEntry } from './resolver.js';
import { supportRequestFromFhir } from './service-request.js';

/** A case read back from FHIR. */
export interface CaseFromFhir {
  /** The case id (from the case identifier), when found. */
  caseId: string | undefined;
  /** The case document; undefined when no Patient could be found. */
  doc: CaseDocument | undefined;
  issues: string[];
}

/** Options of {@link fhirToCase}. */
export interface FhirToCaseOptions {
  /** The client whose case is read (namespace of its ids, origin of its elements). */
  clientId: string;
  /** Pick this case when the resources hold several. */
  caseId?: string | undefined;
}

/**
 * Reads the case of `opts.clientId` from `entries` (Bundle entries or bare resources).
 * @example fhirToCase(bundle.entry ?? [], { clientId: 'dac-doubs' }).doc
 */
export function fhirToCase(entries: ResourceEntry[], opts: FhirToCaseOptions): CaseFromFhir {
  const issues: string[] = [];
  const resolver = createResolver(entries);
  const caseSystem = sourceIdentifierSystem(opts.clientId, 'case');
  const caseIdOf = (r: { identifier?: { system?: string; value?: string }[] }) => identifierValue(r.identifier, caseSystem);
  const pick = <T extends CarePlan | CareTeam | ServiceRequest>(type: T['resourceType']): T | undefined =>
    resolver.resources.find((r): r is T => r.resourceType === type
      && caseIdOf(r as T) !== undefined && (opts.caseId === undefined || caseIdOf(r as T) === opts.caseId));

  const carePlan = pick<CarePlan>('CarePlan');
  const careTeam = pick<CareTeam>('CareTeam');
  const serviceRequest = pick<ServiceRequest>('ServiceRequest');
  const anchor = carePlan ?? careTeam ?? serviceRequest;
  const caseId = anchor ? caseIdOf(anchor) : opts.caseId;

  const patient: Patient | undefined = resolver.resolve(anchor?.subject, 'Patient')
    ?? (resolver.resources.filter((r) => r.resourceType === 'Patient').length === 1
      ? resolver.resources.find((r): r is Patient => r.resourceType === 'Patient')
      : undefined);
  if (!patient) {
    issues.push('aucun Patient identifiable');
    return { caseId, doc: undefined, issues };
  }

  const doc: CaseDocument = { patient: patientFromFhir(patient, resolver, opts.clientId, issues) };
  if (careTeam) doc.team = teamFromFhir(careTeam, resolver, opts.clientId, issues);
  if (serviceRequest) doc.supportRequest = supportRequestFromFhir(serviceRequest, resolver, opts.clientId, issues);
  if (carePlan) doc.plan = planFromFhir(carePlan, resolver, opts.clientId, issues);
  return { caseId, doc, issues };
}
