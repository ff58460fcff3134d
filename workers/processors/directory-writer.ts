/**
 * The `directory` worker: one organization or professional of a client's directory → one
 * conditional FHIR transaction (SPEC §2 `PUT /v1/organizations/{id}`, `/v1/practitioners/{id}`).
 */
import { organizationEntryToTransaction, practitionerEntryToTransaction } from '../../mappings/directory/index.js';
import { fieldIssues, OrganizationEntrySchema, PractitionerEntrySchema } from '../../mappings/case/schema.js';
import type { FhirClient } from '../fhir-client/index.js';
import type { JobProcessor } from '../queue/index.js';
import { referencesOf } from './fhir-references.js';
import { invalidDocument } from './invalid-document.js';

export function createDirectoryWriter(deps: { fhir: FhirClient; now?: () => Date }): JobProcessor<'directory'> {
  const now = deps.now ?? (() => new Date());
  return async (job) => {
    const { trace, payload } = job.data;
    const ctx = { clientId: trace.clientId, tenant: trace.tenant, now: now().toISOString(), requestId: trace.requestId };
    let bundle;
    if (payload.kind === 'organization') {
      const parsed = OrganizationEntrySchema.safeParse(payload.document);
      if (!parsed.success) throw invalidDocument(fieldIssues(parsed.error));
      ({ bundle } = organizationEntryToTransaction(payload.id, parsed.data, ctx));
    } else {
      const parsed = PractitionerEntrySchema.safeParse(payload.document);
      if (!parsed.success) throw invalidDocument(fieldIssues(parsed.error));
      ({ bundle } = practitionerEntryToTransaction(payload.id, parsed.data, ctx));
    }
    return { resources: referencesOf(await deps.fhir.transaction(bundle, { idempotent: true })) };
  };
}
