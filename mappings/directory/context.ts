/** Shared plumbing of the directory mappers (`PUT /v1/organizations/{id}`, `/v1/practitioners/{id}`). */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { MappingState } from '../case/to-fhir/context.js';
import { provenanceEntry } from '../case/to-fhir/provenance.js';

/** Injected facts of a directory write. */
export interface DirectoryMappingContext {
  clientId: string;
  tenant: string;
  /** Time of the write (ISO instant), used only by the Provenance. */
  now: string;
  requestId?: string | undefined;
}

/** A directory transaction and its caveats. */
export interface DirectoryTransaction { bundle: Bundle; issues: string[] }

/**
 * Mapping state of a directory write. The case mappers' state needs a case id: a directory
 * entry is its own "case", `<kind>/<id>`, which also scopes its Provenance hash.
 */
export function directoryState(ctx: DirectoryMappingContext, kind: 'organization' | 'practitioner', id: string): MappingState {
  return { ctx: { ...ctx, caseId: `${kind}/${id}` }, mode: 'upsert', issues: [] };
}

/** The transaction of `entries`, closed by their Provenance. */
export function directoryBundle(content: object, entries: BundleEntry[], state: MappingState): DirectoryTransaction {
  return {
    bundle: { resourceType: 'Bundle', type: 'transaction', entry: [...entries, provenanceEntry(content, entries, state)] },
    issues: state.issues,
  };
}
