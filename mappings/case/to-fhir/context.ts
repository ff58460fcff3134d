/**
 * What every case → FHIR mapper shares: the injected context, the mapping state (issues,
 * references between resources), and the builders of meta, origin extensions, identifiers
 * and conditional bundle entries.
 */
import type { BundleEntry, Extension, Identifier, Meta, Reference, Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { withinTenant } from '../../tenancy.js';
import { uuidV5 } from '../hash.js';

/** Injected facts of one mapping run: who writes, for which tenant and case, and when. */
export interface CaseMappingContext {
  /** The calling client (owner tag, origin extension, namespace of its own ids). */
  clientId: string;
  /** The client's tenant (territory). */
  tenant: string;
  /** The case id of the URL (`PUT /v1/cases/{caseId}`). */
  caseId: string;
  /** The time of the write (ISO instant). Used only by the Provenance. */
  now: string;
  /** Request id of the API call, recorded on the Provenance. */
  requestId?: string | undefined;
}

/** `upsert` for PUT, `revoke` for DELETE (plan revoked, team inactive, goals cancelled). */
export type CaseMappingMode = 'upsert' | 'revoke';

/** Kinds of client-side ids, each with its own identifier namespace. */
export type SourceKind =
  | 'patient' | 'practitioner' | 'organization' | 'practitioner-role' | 'related-person'
  | 'case' | 'care-plan' | 'support-request' | 'condition' | 'goal';

/** Mutable state of one run: collected issues. References are computed, never stored. */
export interface MappingState {
  ctx: CaseMappingContext;
  mode: CaseMappingMode;
  issues: string[];
}

/**
 * `meta` of every resource: the tenant and owner tags (SPEC §7: data never crosses tenants;
 * the owner is the client that wrote it) and our profile where one exists.
 */
export function resourceMeta(ctx: CaseMappingContext, profile?: string): Meta {
  return {
    ...(profile ? { profile: [profile] } : {}),
    tag: [
      { system: CODE_SYSTEM.tenant, code: ctx.tenant },
      { system: CODE_SYSTEM.owner, code: ctx.clientId },
    ],
  };
}

/**
 * The origin of a plan element (SPEC §5): which client wrote it, in which case, under which
 * of its own ids. The multi-contributor merge keeps the elements of other origins.
 */
export function originExtension(ctx: CaseMappingContext, elementId: string): Extension {
  return {
    url: EXTENSION.origin,
    extension: [
      { url: 'client', valueString: ctx.clientId },
      { url: 'case', valueString: ctx.caseId },
      { url: 'id', valueString: elementId },
    ],
  };
}

/** The client's identifier of an object of `kind`, in the client's own namespace. */
export function sourceIdentifier(ctx: CaseMappingContext, kind: SourceKind, value: string): Identifier {
  return { system: sourceIdentifierSystem(ctx.clientId, kind), value };
}

/**
 * Identifier value of a case-scoped element (problem, goal, close person): ids like `P1`
 * repeat in every case, so the value is `<caseId>/<elementId>` (client ids contain no `/`).
 */
export function caseScopedValue(ctx: CaseMappingContext, elementId: string): string {
  return `${ctx.caseId}/${elementId}`;
}

/** Deterministic `urn:uuid:` fullUrl of a resource, from the client, its type and its key. */
export function fullUrlFor(ctx: CaseMappingContext, resourceType: string, key: string): string {
  return `urn:uuid:${uuidV5(`${ctx.clientId}\u0000${resourceType}\u0000${key}`)}`;
}

/** A reference to a resource of the same bundle. */
export function ref<T extends Resource = Resource>(fullUrl: string): Reference<T> {
  return { reference: fullUrl };
}

/**
 * Query string of a token search: `identifier=<system>|<value>`. System and value are
 * percent-encoded except the characters that are plain in URLs (`:` `/` `@`), so values with
 * `&`, `#`, `+` or spaces cannot break the query.
 */
export function tokenQuery(param: string, system: string, value: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%40/gi, '@');
  return `${param}=${enc(system)}|${enc(value)}`;
}

/**
 * Conditional update — `PUT Type?identifier=…` — for resources the case owns: the case's
 * content replaces the resource, and a replay matches the same resource.
 */
export function conditionalUpdate(resource: Resource, fullUrl: string, key: Identifier): BundleEntry {
  return {
    fullUrl,
    resource,
    request: { method: 'PUT', url: `${resource.resourceType}?${withinTenant(resource, tokenQuery('identifier', key.system ?? '', key.value ?? ''))}` },
  };
}

/**
 * Conditional create — `POST` with `ifNoneExist` — for shared directory resources
 * (Practitioner, Organization, PractitionerRole): a case that only knows an RPPS must not
 * erase the names another case or the directory wrote, so an existing resource is matched
 * and left as it is.
 */
export function conditionalCreate(resource: Resource, fullUrl: string, ifNoneExist: string): BundleEntry {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: withinTenant(resource, ifNoneExist) } };
}
