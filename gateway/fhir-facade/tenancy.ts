/**
 * Tenant isolation (SPEC §7: data never crosses tenants). Every resource Passerelle writes
 * carries `meta.tag` `CODE_SYSTEM.tenant|<tenant>`. Searches on tenant data are narrowed with
 * that tag on the way out, and every answer is checked again on the way back: a resource
 * without the caller's tag is treated as if it did not exist.
 */
import type { Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { RESOURCES, type FacadeType } from './resource-table.js';

/** The `_tag` search value selecting a tenant's resources. */
export function tenantTagParam(tenant: string): string {
  return `${CODE_SYSTEM.tenant}|${tenant}`;
}

/** Whether the resource carries the tenant's tag. */
export function hasTenantTag(resource: Resource, tenant: string): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === CODE_SYSTEM.tenant && t.code === tenant);
}

/** Whether resources of `type` are tenant data (as opposed to the shared directory). */
export function isTenantScoped(type: string): boolean {
  return (RESOURCES as Record<string, { tenancy: string } | undefined>)[type]?.tenancy === 'tenant';
}

/**
 * Whether a client of `tenant` may see `resource`: directory entries are shared, tenant data
 * needs the tag, and anything outside the facade's types is never shown.
 */
export function visibleTo(resource: Resource, tenant: string): boolean {
  const spec = (RESOURCES as Record<string, { tenancy: string } | undefined>)[resource.resourceType];
  if (!spec) return false;
  return spec.tenancy === 'shared' || hasTenantTag(resource, tenant);
}

/** Adds the tenant tag to search parameters for a tenant-scoped type (the client's own `_tag`s stay, ANDed). */
export function withTenant(type: FacadeType, params: URLSearchParams, tenant: string): URLSearchParams {
  const scoped = new URLSearchParams(params);
  if (RESOURCES[type].tenancy === 'tenant') scoped.append('_tag', tenantTagParam(tenant));
  return scoped;
}
