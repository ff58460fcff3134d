/**
 * Data never crosses tenants (SPEC §7). A conditional write keyed on a business identifier
 * must therefore only ever match within the writer's tenant: two territories may hold the same
 * person (same INS), each in its own Patient. The shared directory (organizations,
 * professionals and their roles) is the exception: one FINESS or RPPS is one resource for all.
 */
import type { Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../profiles/canonical.js';

const SHARED_DIRECTORY_TYPES: ReadonlySet<string> = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location']);

/** `query` narrowed to the resource's tenant (from its meta.tag), unless the type is shared. */
export function withinTenant(resource: Resource, query: string): string {
  if (SHARED_DIRECTORY_TYPES.has(resource.resourceType)) return query;
  const tenant = resource.meta?.tag?.find((tag) => tag.system === CODE_SYSTEM.tenant)?.code;
  return tenant ? `${query}&_tag=${encodeURIComponent(CODE_SYSTEM.tenant).replace(/%3A/gi, ':').replace(/%2F/gi, '/')}|${encodeURIComponent(tenant)}` : query;
}
