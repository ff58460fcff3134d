/**
 * Read and vread (`GET /fhir/{type}/{id}[/_history/{vid}]`). A resource of another tenant, or
 * without a tenant, answers exactly as an unknown id does: 404, same body, so an id says
 * nothing about other tenants.
 */
import { notFound, OperationOutcomeError } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { Caller } from './caller.js';
import type { FacadeType } from './resource-table.js';
import { visibleTo } from './tenancy.js';
import { upstream } from './upstream.js';

/** The current version (or `versionId`) of a resource the caller may see. */
export async function readResource(caller: Caller, type: FacadeType, id: string, versionId?: string): Promise<Resource> {
  const resource = await upstream<Resource>(() =>
    versionId === undefined ? caller.fhir.read(type, id) : caller.fhir.vread(type, id, versionId),
  );
  if (resource.resourceType !== type || !visibleTo(resource, caller.tenant)) throw new OperationOutcomeError(notFound);
  return resource;
}
