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
import { mergeCarePlan, mergeCareTeam } from '../../mappings/merge/contributions.js';
import { searchBatch, statusOf, type BatchSearch, type FhirClient } from '../fhir-client/index.js';
import type { JobProcessor, JobTrace } from '../queue/index.js';
import type { PublishEventInput } from '../events/index.js';
import { caseEvents } from './case-events.js';
import { referencesOf } from './fhir-references.js';
import { invalidDocument } from './invalid-document.js';

export interface CaseWriterDeps {
  fhir: FhirClient;
  /** Announces the plan, team and support-request changes (webhooks); none when absent. */
  publish?: (event: PublishEventInput) => Promise<unknown>;
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

/** Conflicting writers re-read and re-merge this many times before the job itself is retried. */
const MERGE_ATTEMPTS = 5;

/**
 * Writes the case transaction without erasing what other clients contributed to the shared
 * plan and team (SPEC §5): the plan and team entries become version-aware updates of the
 * current resources merged with this client's elements; on a concurrent write (412) the
 * whole transaction rolls back and is rebuilt on fresh versions.
 */
async function writeKeepingOthersContributions(fhir: FhirClient, bundle: Bundle, trace: JobTrace): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  for (let attempt = 1; ; attempt++) {
    // The current plan and team in one round trip (a batch of searches), then merged into.
    const lookups = entries.map((entry) => sharedResourceLookup(entry, trace));
    const searches = lookups.filter((lookup): lookup is BatchSearch => lookup !== undefined);
    const found = (await searchBatch(fhir, searches)).map((matches) => matches[0]);
    const merged = entries.map((entry, i) => (lookups[i] === undefined ? entry : mergedEntry(entry, found.shift(), trace)));
    try {
      // Conditional or version-checked entries only: the whole transaction may safely be retried.
      return await fhir.transaction({ ...bundle, entry: merged }, { idempotent: true });
    } catch (err) {
      if (attempt >= MERGE_ATTEMPTS || statusOf(err) !== 412) throw err;
    }
  }
}

/** The search for the current shared resource a conditional plan or team entry writes, in the tenant. */
function sharedResourceLookup(entry: BundleEntry, trace: JobTrace): BatchSearch | undefined {
  const type = entry.resource?.resourceType;
  const url = entry.request?.url ?? '';
  if ((type !== 'CarePlan' && type !== 'CareTeam') || !url.includes('?')) return undefined;
  const query = Object.fromEntries(new URLSearchParams(url.slice(url.indexOf('?') + 1)));
  return { type, params: { ...query, _tag: `${CODE_SYSTEM.tenant}|${trace.tenant}`, _count: '1' }, firstPage: true };
}

/** The entry as a version-aware update of `current` merged with this client's elements. */
function mergedEntry(entry: BundleEntry, current: Resource | undefined, trace: JobTrace): BundleEntry {
  const resource = entry.resource;
  if (!current?.id || resource === undefined) return entry;
  const merged = resource.resourceType === 'CarePlan'
    ? mergeCarePlan(current as CarePlan, resource, trace.clientId)
    : mergeCareTeam(current as CareTeam, resource as CareTeam, trace.clientId);
  return { ...entry, ...versionedPut({ ...merged, id: current.id, meta: { ...merged.meta, versionId: current.meta?.versionId } }) };
}

export function createCaseWriter(deps: CaseWriterDeps): JobProcessor<'cases'> {
  const now = deps.now ?? (() => new Date());
  return async (job) => {
    const { trace, payload } = job.data;
    if (payload.action === 'revoke') return { resources: await revokeCase(deps.fhir, trace, payload.caseId) };

    // Validated at the edge already; Redis content may still come from an older release.
    const parsed = CaseDocumentSchema.safeParse(payload.document);
    if (!parsed.success) throw invalidDocument(fieldIssues(parsed.error));
    const writtenAt = now().toISOString();
    const { bundle } = caseToTransaction(parsed.data, {
      clientId: trace.clientId,
      tenant: trace.tenant,
      caseId: payload.caseId,
      now: writtenAt,
      requestId: trace.requestId,
    });
    if (!bundle.entry?.length) throw new OperationOutcomeError(badRequest('the case maps to no FHIR resource'));
    const response = await writeKeepingOthersContributions(deps.fhir, bundle, trace);
    // Published after the write; a retry after a crash re-publishes the same versions, deduped.
    for (const event of caseEvents(bundle, response, trace, payload.caseId, writtenAt)) await deps.publish?.(event);
    return { resources: referencesOf(response) };
  };
}
