/**
 * Tenant isolation of the pathway (SPEC §7: data never crosses tenants). Every search on the
 * person's data carries the tenant tag, and every answer is checked again: a resource without
 * the caller's tag is treated as if it did not exist.
 *
 * The professional directory (Practitioner, PractitionerRole, Organization, Location) is shared:
 * it is written once for every tenant by conditional create and carries the tag of whichever
 * tenant wrote it first — the same rule as the `/fhir` facade. Only these are read untagged,
 * and only by id, when the tenant's own data points at them.
 */
import type { Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../profiles/canonical.js';

/** Directory types: public identities of professionals and structures (RPPS, FINESS). */
export const DIRECTORY_TYPES: ReadonlySet<string> = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location']);

/** The `_tag` search value selecting a tenant's resources. */
export function tenantTag(tenant: string): string {
  return `${CODE_SYSTEM.tenant}|${tenant}`;
}

/** Whether the resource carries the tenant's tag. */
export function hasTenantTag(resource: Resource, tenant: string): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === CODE_SYSTEM.tenant && t.code === tenant);
}

/** Whether a client of `tenant` may see `resource` in a pathway. */
export function visibleTo(resource: Resource, tenant: string): boolean {
  return DIRECTORY_TYPES.has(resource.resourceType) || hasTenantTag(resource, tenant);
}
