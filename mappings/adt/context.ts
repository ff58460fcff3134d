/**
 * What every ADT → FHIR mapper shares: the injected context (who sends, for which tenant,
 * when, which stored message), the issue list of one run, and the builders of meta,
 * deterministic fullUrls and conditional bundle entries.
 */
import type { BundleEntry, Identifier, Meta, Reference, Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM, sourceIdentifierSystem } from '../../profiles/canonical.js';
import { uuidV5 } from '../case/hash.js';
import { tokenQuery } from '../case/to-fhir/context.js';
import { withinTenant } from '../tenancy.js';

export { tokenQuery };

/**
 * The sending facility (MSH-4) as the client declares it. `system` is the namespace of the
 * facility's own identifiers: visit numbers sent without an assigning authority of their own
 * live in it. {@link facilityNamespaceFor} derives it from MSH-4 when nothing else is known.
 */
export interface FacilityNamespace {
  /** Identifier system of the facility's namespace (`urn:oid:…` or a Passerelle URI). */
  system: string;
  /** MSH-4.1 namespace id, e.g. `CH_EXEMPLE`. */
  namespaceId: string;
  /** MSH-4.2 OID, when the facility sends one. */
  oid?: string | undefined;
  /** Display name (e.g. the client's name). */
  name?: string | undefined;
  /** FINESS of the facility, when the client declares it: the Organization is then keyed on it. */
  finess?: string | undefined;
}

/** Injected facts of one mapping run. No clock, no randomness: the output depends on these only. */
export interface AdtMappingContext {
  /** The hospital's client id (owner tag, namespace of derived identifier systems). */
  clientId: string;
  /** The client's tenant (territory). */
  tenant: string;
  facilityNamespace: FacilityNamespace;
  /** Time of the write (ISO instant): used by the Provenance only. */
  now: string;
  /** Id of the stored inbound message (message log): keys the Provenance, so a replay writes none. */
  messageId: string;
}

/** Mutable state of one run. */
export interface AdtState {
  ctx: AdtMappingContext;
  issues: string[];
}

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** True when `value` is an ISO OID (dotted numbers). */
export function isOid(value: string | undefined): value is string {
  return value !== undefined && OID.test(value);
}

/**
 * The default namespace of a facility known only by its MSH-4: its OID when it sends one,
 * else `…/sid/<clientId>/facility/<namespace id>`.
 * @example facilityNamespaceFor('chu-besancon', { namespaceId: 'CH_EXEMPLE', universalId: '', universalIdType: '' })
 */
export function facilityNamespaceFor(
  clientId: string,
  msh4: { namespaceId: string; universalId: string; universalIdType: string },
  details: { name?: string; finess?: string } = {},
): FacilityNamespace {
  const oid = isOid(msh4.universalId) ? msh4.universalId : undefined;
  return {
    system: oid !== undefined ? `urn:oid:${oid}` : sourceIdentifierSystem(clientId, `facility/${encodeURIComponent(msh4.namespaceId)}`),
    namespaceId: msh4.namespaceId,
    ...(oid !== undefined ? { oid } : {}),
    ...(details.name !== undefined ? { name: details.name } : {}),
    ...(details.finess !== undefined ? { finess: details.finess } : {}),
  };
}

/** `meta` of every resource: tenant and owner tags (SPEC §7), and our profile where one exists. */
export function resourceMeta(ctx: { tenant: string; clientId: string }, profile?: string): Meta {
  return {
    ...(profile !== undefined ? { profile: [profile] } : {}),
    tag: [
      { system: CODE_SYSTEM.tenant, code: ctx.tenant },
      { system: CODE_SYSTEM.owner, code: ctx.clientId },
    ],
  };
}

/** Deterministic `urn:uuid:` fullUrl from the client, the resource type and a business key. */
export function fullUrlFor(clientId: string, resourceType: string, key: string): string {
  return `urn:uuid:${uuidV5(`adt\u0000${clientId}\u0000${resourceType}\u0000${key}`)}`;
}

/** A reference to another entry of the bundle (or to `Type/id`). */
export function ref<T extends Resource = Resource>(reference: string, display?: string): Reference<T> {
  return display !== undefined ? { reference, display } : { reference };
}

/** The search of a business identifier: `identifier=<system>|<value>`. */
export function identifierQuery(key: Identifier): string {
  return tokenQuery('identifier', key.system ?? '', key.value ?? '');
}

/** Conditional update `PUT Type?<query>`: what the hospital owns (Patient, Encounter). */
export function conditionalUpdate(resource: Resource, fullUrl: string, query: string): BundleEntry {
  return { fullUrl, resource, request: { method: 'PUT', url: `${resource.resourceType}?${withinTenant(resource, query)}` } };
}

/** Conditional create `POST` + `ifNoneExist`: shared or once-only resources (Organization, Provenance, Tasks). */
export function conditionalCreate(resource: Resource, fullUrl: string, ifNoneExist: string): BundleEntry {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: withinTenant(resource, ifNoneExist) } };
}
