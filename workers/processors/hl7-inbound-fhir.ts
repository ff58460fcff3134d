/**
 * FHIR helpers of the `hl7-inbound` worker: version-aware updates that survive concurrent writers
 * (SPEC §5: no lost update), references read back from a transaction response, and the tenant
 * filter every search carries (SPEC §7: data never crosses tenants).
 */
import { deepEquals } from '@medplum/core';
import type { WithId } from '@medplum/core';
import type { Bundle, ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { statusOf, type FhirClient } from '../fhir-client/index.js';

/**
 * Re-reads after a 412 before giving up. Each retry reads the stored version again and re-applies
 * the change, so it only fails when other writers win this many races in a row on one resource;
 * the error is then a 412, which the queue retries later (STANDARD_RETRY).
 */
export const MAX_CONFLICT_RETRIES = 5;

type Stored<K extends ResourceType> = WithId<ExtractResource<K>>;

/** `_tag` value restricting a search to one tenant. */
export function tenantTag(tenant: string): string {
  return `${CODE_SYSTEM.tenant}|${tenant}`;
}

/** `system|value` token of an identifier search. */
export function token(identifier: { system?: string | undefined; value?: string | undefined }): string {
  return `${identifier.system ?? ''}|${identifier.value ?? ''}`;
}

/**
 * Applies `change` to the stored resource and writes it with `If-Match`. `change` returns
 * `undefined` (or an equal resource) when there is nothing to do, so a replay writes no new
 * version. On 412 the resource is read again and `change` applied to the new version.
 *
 * @param first the resource as just read, to save one read (optional)
 * @returns the written resource, or `undefined` when nothing changed
 */
export async function updateVersioned<K extends ResourceType>(
  fhir: FhirClient,
  type: K,
  id: string,
  change: (current: Stored<K>) => ExtractResource<K> | undefined,
  first?: Stored<K>,
): Promise<Stored<K> | undefined> {
  let current = first ?? (await fhir.read(type, id));
  for (let attempt = 0; ; attempt++) {
    const next = change(current);
    if (next === undefined || deepEquals(withoutMeta(next), withoutMeta(current))) return undefined;
    try {
      const versionId = current.meta?.versionId;
      return (await fhir.update(next, versionId !== undefined ? { ifMatch: versionId } : {})) as Stored<K>;
    } catch (err) {
      if (statusOf(err) !== 412 || attempt >= MAX_CONFLICT_RETRIES) throw err;
      current = await fhir.read(type, id);
    }
  }
}

function withoutMeta(resource: Resource): Resource {
  const copy: Resource & { meta?: unknown } = { ...resource };
  delete copy.meta;
  return copy;
}

/**
 * `Type/id` of the resource a transaction wrote (or matched) for the request entry with `fullUrl`:
 * response entries answer request entries in order.
 */
export function writtenReference(request: Bundle, response: Bundle, fullUrl: string): string | undefined {
  const index = (request.entry ?? []).findIndex((e) => e.fullUrl === fullUrl);
  if (index < 0) return undefined;
  const answer = response.entry?.[index];
  const location = answer?.response?.location ?? (answer?.resource?.id !== undefined ? `${answer.resource.resourceType}/${answer.resource.id}` : undefined);
  const match = location === undefined ? null : /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/.exec(location);
  return match?.[1];
}

/** Resources sorted by id: decisions never depend on the order a server returns. */
export function byId<T extends Resource>(resources: readonly T[]): T[] {
  return [...resources].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
}
