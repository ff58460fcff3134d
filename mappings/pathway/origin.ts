/**
 * Origins (SPEC §5: every element carries which client system wrote it). An element's own
 * `element-origin` extension says it best; a resource without one falls back on its owner
 * tag (`meta.tag` `CODE_SYSTEM.owner`), which every writer sets.
 */
import type { Extension, Identifier, Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM, sourceIdentifierSystem } from '../../profiles/canonical.js';
import { identifierValue, readOrigin } from '../case/from-fhir/common.js';
import type { OriginView } from './view.js';

/** Client id → client name (from the clients file); injected, so the mapping stays pure. */
export type ClientNameLookup = (clientId: string) => string | undefined;

/** The client that owns (wrote) a resource, from its owner tag. */
export function ownerOf(resource: Resource): string | undefined {
  return resource.meta?.tag?.find((t) => t.system === CODE_SYSTEM.owner)?.code;
}

function withName(origin: OriginView, clientName: ClientNameLookup | undefined): OriginView {
  const name = clientName?.(origin.client);
  return name !== undefined ? { ...origin, clientName: name } : origin;
}

/**
 * The origin of an element: its extension (client, case, element id), else the owner of the
 * resource that holds it. Undefined when neither says.
 */
export function originOf(extension: Extension[] | undefined, holder: Resource, clientName: ClientNameLookup | undefined): OriginView | undefined {
  const own = readOrigin(extension);
  if (own) {
    return withName({ client: own.client, ...(own.case !== undefined ? { caseId: own.case } : {}), elementId: own.id }, clientName);
  }
  return resourceOwner(holder, clientName);
}

/**
 * The owner of a whole resource (plan, request, stay, task), with the case it belongs to when
 * the owner keyed it on one (`sid/<client>/case`).
 */
export function resourceOwner(resource: Resource, clientName: ClientNameLookup | undefined): OriginView | undefined {
  const client = ownerOf(resource);
  if (client === undefined) return undefined;
  const identifiers = (resource as { identifier?: Identifier[] }).identifier;
  const caseId = identifierValue(identifiers, sourceIdentifierSystem(client, 'case'));
  return withName({ client, ...(caseId !== undefined ? { caseId } : {}) }, clientName);
}
