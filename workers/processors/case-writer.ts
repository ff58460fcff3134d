/**
 * The `cases` worker: one case document → one FHIR transaction (SPEC §9: never half-written).
 * Every entry is conditional on source identifiers, so a replay or a re-sent PUT creates
 * nothing new and, with unchanged content, bumps no version.
 */
import { badRequest, notFound, OperationOutcomeError } from '@medplum/core';
import type { Bundle, BundleEntry, CarePlan, CareTeam, Resource } from '@medplum/fhirtypes';
import { CaseDocumentSchema, fieldIssues } from '../../mappings/case/schema.js';
import { caseToTransaction } from '../../mappings/case/to-fhir/index.js';
import { CODE_SYSTEM, sourceIdentifierSystem } from '../../profiles/canonical.js';
import type { FhirClient } from '../fhir-client/index.js';
import type { JobProcessor, JobTrace } from '../queue/index.js';
import { referencesOf } from './fhir-references.js';
import { invalidDocument } from './invalid-document.js';

export interface CaseWriterDeps {
  fhir: FhirClient;
  now?: () => Date;
}

function versionedPut(resource: Resource & { id: string; meta?: { versionId?: string } }): BundleEntry {
  return {
    resource,
    request: {
      method: 'PUT',
      url: `${resource.resourceType}/${resource.id}`,
      ...(resource.meta?.versionId ? { ifMatch: `W/"${resource.meta.versionId}"` } : {}),
    },
  };
}

/** DELETE of a case: never a hard delete — plan `revoked`, team `inactive`, in one transaction. */
async function revokeCase(fhir: FhirClient, trace: JobTrace, caseId: string): Promise<string[]> {
  const query = {
    identifier: `${sourceIdentifierSystem(trace.clientId, 'case')}|${caseId}`,
    _tag: `${CODE_SYSTEM.tenant}|${trace.tenant}`,
  };
  const [plans, teams] = await Promise.all([fhir.searchAll('CarePlan', query), fhir.searchAll('CareTeam', query)]);
  if (plans.length === 0 && teams.length === 0) throw new OperationOutcomeError(notFound);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      ...plans.map((plan) => versionedPut({ ...(plan as CarePlan & { id: string }), status: 'revoked' })),
      ...teams.map((team) => versionedPut({ ...(team as CareTeam & { id: string }), status: 'inactive' })),
    ],
  };
  // A concurrent write makes If-Match fail with 412: the job is retried on fresh versions.
  return referencesOf(await fhir.transaction(bundle));
}

export function createCaseWriter(deps: CaseWriterDeps): JobProcessor<'cases'> {
  const now = deps.now ?? (() => new Date());
  return async (job) => {
    const { trace, payload } = job.data;
    if (payload.action === 'revoke') return { resources: await revokeCase(deps.fhir, trace, payload.caseId) };

    // Validated at the edge already; Redis content may still come from an older release.
    const parsed = CaseDocumentSchema.safeParse(payload.document);
    if (!parsed.success) throw invalidDocument(fieldIssues(parsed.error));
    const { bundle } = caseToTransaction(parsed.data, {
      clientId: trace.clientId,
      tenant: trace.tenant,
      caseId: payload.caseId,
      now: now().toISOString(),
      requestId: trace.requestId,
    });
    if (!bundle.entry?.length) throw new OperationOutcomeError(badRequest('the case maps to no FHIR resource'));
    // Every entry is conditional: the whole transaction may safely be retried.
    const response = await deps.fhir.transaction(bundle, { idempotent: true });
    return { resources: referencesOf(response) };
  };
}
