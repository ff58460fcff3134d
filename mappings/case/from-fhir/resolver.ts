/**
 * Resolves references among a set of resources: by `fullUrl` (a transaction Bundle before it
 * is sent, with `urn:uuid:` references) or by `Type/id` (resources as a server returns them).
 */
import type { Reference, Resource } from '@medplum/fhirtypes';

/** A resource and, optionally, the fullUrl it had in a Bundle. */
export interface ResourceEntry { fullUrl?: string | undefined; resource?: Resource | undefined }

/** Lookup of the resources a reference designates. */
export interface Resolver {
  resources: Resource[];
  resolve<T extends Resource['resourceType']>(reference: Reference | undefined, type?: T): Extract<Resource, { resourceType: T }> | undefined;
}

/** Builds a resolver over `entries`. */
export function createResolver(entries: ResourceEntry[]): Resolver {
  const byKey = new Map<string, Resource>();
  const resources: Resource[] = [];
  for (const entry of entries) {
    const r = entry.resource;
    if (!r) continue;
    resources.push(r);
    if (entry.fullUrl) byKey.set(entry.fullUrl, r);
    if (r.id) byKey.set(`${r.resourceType}/${r.id}`, r);
  }
  return {
    resources,
    resolve(reference, type) {
      const key = reference?.reference;
      if (!key) return undefined;
      // Absolute URLs (https://server/fhir/Patient/123) resolve on their last two segments.
      const found = byKey.get(key) ?? byKey.get(key.split('/').slice(-2).join('/'));
      if (!found || (type !== undefined && found.resourceType !== type)) return undefined;
      return found as never;
    },
  };
}
