/**
 * FHIR helpers of the `hl7-inbound` worker: version-aware updates that survive concurrent writers
 * (SPEC §5: no lost update), references read back from a transaction response, and the tenant
 * filter every search carries (SPEC §7: data never crosses tenants).
 */
import { randomUUID } from 'node:crypto';
import { deepEquals } from '@medplum/core';
import type { WithId } from '@medplum/core';
import type { Bundle, BundleEntry, ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { etagForVersion, statusOf, toQueryString, type FhirClient, type SearchParams } from '../fhir-client/index.js';

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

/** What {@link createWithUpdate} wrote. */
export interface CreateWithUpdateResult {
  /** `Type/id` of the created (or matched) resource. */
  createdRef: string;
  /** The server created it (201), rather than finding it (conditional create matched). */
  created: boolean;
  /** The update was written (false when `change` had nothing to do). */
  updated: boolean;
  /** The `alongside` entries went with the update (false when the create was sent alone). */
  alongsideWritten: boolean;
}

/**
 * Entries written in the same transaction as the update, from the references of both writes:
 * `created` is the create's placeholder (`urn:uuid:…`), which the server turns into the created
 * (or matched) resource's reference; `updated` is `Type/id`. Each should be conditional, since
 * the transaction may be sent again.
 */
export type AlongsideEntries = (refs: { created: string; updated: string }) => BundleEntry[];

/**
 * A conditional create and a version-aware update in one transaction: one round trip and one
 * commit instead of two, all or nothing. Same rules as {@link updateVersioned} for the update
 * (`change` on the stored version, `If-Match`, a re-read and another try on 412); when the
 * change turns out empty, the create is sent alone (without `alongside`).
 */
export async function createWithUpdate<K extends ResourceType>(
  fhir: FhirClient,
  create: { resource: Resource; ifNoneExist: SearchParams },
  type: K,
  first: Stored<K>,
  change: (current: Stored<K>) => ExtractResource<K> | undefined,
  alongside?: AlongsideEntries,
): Promise<CreateWithUpdateResult> {
  let current = first;
  const createdUrl = `urn:uuid:${randomUUID()}`;
  for (let attempt = 0; ; attempt++) {
    const next = change(current);
    if (next === undefined || deepEquals(withoutMeta(next), withoutMeta(current))) {
      const { resource, created } = await fhir.conditionalCreate(create.resource, create.ifNoneExist);
      return { createdRef: `${resource.resourceType}/${resource.id}`, created, updated: false, alongsideWritten: false };
    }
    const versionId = current.meta?.versionId;
    const extra = alongside?.({ created: createdUrl, updated: `${type}/${current.id}` }) ?? [];
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: createdUrl, resource: withoutId(create.resource), request: { method: 'POST', url: create.resource.resourceType, ifNoneExist: toQueryString(create.ifNoneExist) } },
        { resource: next, request: { method: 'PUT', url: `${type}/${current.id}`, ...(versionId !== undefined ? { ifMatch: etagForVersion(versionId) } : {}) } },
        ...extra,
      ],
    };
    try {
      // Repeatable: a replay matches the created resource, and a stale If-Match is a 412.
      const response = await fhir.transaction(bundle, { idempotent: true });
      const createdAnswer = response.entry?.[0];
      const createdRef = referenceIn(createdAnswer?.response?.location) ?? refOf(createdAnswer?.resource);
      if (createdRef === undefined) throw new Error('transaction response lacks the created resource location');
      return { createdRef, created: Number.parseInt(createdAnswer?.response?.status ?? '', 10) === 201, updated: true, alongsideWritten: extra.length > 0 };
    } catch (err) {
      if (statusOf(err) !== 412 || attempt >= MAX_CONFLICT_RETRIES) throw err;
      const latest = await fhir.read(type, current.id);
      // The plan did not move: the 412 is the create's (several matches), not a race to re-run.
      if (latest.meta?.versionId === versionId) throw err;
      current = latest;
    }
  }
}

function withoutId(resource: Resource): Resource {
  const copy: Resource = { ...resource };
  delete copy.id;
  return copy;
}

function refOf(resource: Resource | undefined): string | undefined {
  return resource?.id === undefined ? undefined : `${resource.resourceType}/${resource.id}`;
}

/** `Type/id` of a `Location` such as `…/Task/12/_history/1`. */
function referenceIn(location: string | undefined): string | undefined {
  const match = location === undefined ? null : /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/.exec(location);
  return match?.[1];
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
  return referenceIn(answer?.response?.location ?? refOf(answer?.resource));
}

/** Resources sorted by id: decisions never depend on the order a server returns. */
export function byId<T extends Resource>(resources: readonly T[]): T[] {
  return [...resources].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
}
