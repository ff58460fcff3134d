/**
 * `If-Match` (version-aware writes): the header or `Bundle.entry.request.ifMatch` carries an
 * ETag (`W/"3"`); a write proceeds only if the resource's current versionId is that one.
 */
import { OperationOutcomeError, preconditionFailed } from '@medplum/core';
import type { FhirRepository } from '@medplum/fhir-router';

/** `W/"3"` → `3`; a bare value is taken as is. */
export function ifMatchVersion(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  return /"([^"]+)"/.exec(value)?.[1] ?? value;
}

/** Throws 412 unless the current version of `type/id` is `ifMatch` (when given). */
export async function checkVersion(repo: FhirRepository, type: string, id: string, ifMatch: string | undefined): Promise<void> {
  if (ifMatch === undefined) return;
  const current = await repo.readResource(type, id).catch(() => undefined);
  if (current?.meta?.versionId !== ifMatch) throw new OperationOutcomeError(preconditionFailed);
}
