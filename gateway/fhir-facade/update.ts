/**
 * `PUT /fhir/{type}/{id}` for the few changes a FHIR tool may make (SPEC §4/§5): a plan
 * activity's status, its own plan activities, a Task's progress. Version-aware: `If-Match` is required and checked
 * twice, by the facade against what it read and by the FHIR server at write time, so a
 * concurrent change always surfaces as 412. The update and its Provenance (SPEC §7) are one
 * transaction.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound, OperationOutcomeError, preconditionFailed } from '@medplum/core';
import type { Bundle, CarePlan, Provenance, Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, HL7_SYSTEM } from '../../profiles/canonical.js';
import { etagForVersion, versionIdFromEtag } from '../../workers/fhir-client/index.js';
import { HttpError } from '../http/http-error.js';
import type { Caller } from './caller.js';
import { RESOURCES, type FacadeType } from './resource-table.js';
import { visibleTo } from './tenancy.js';
import { badGateway, upstream } from './upstream.js';
import { carePlanWrite } from './write-careplan.js';
import { forbiddenChanges, forbiddenChangesOutcome, refusedChangesOutcome } from './write-policy.js';

/** The versionId an `If-Match` header names (`W/"3"` or `"3"`). */
export function ifMatchVersion(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new HttpError(428, 'If-Match is required: send the ETag of the version you read (e.g. If-Match: W/"3")');
  }
  const versionId = versionIdFromEtag(header);
  if (versionId === undefined) throw new OperationOutcomeError(badRequest('If-Match must be an entity tag such as W/"3"', 'If-Match'));
  return versionId;
}

function provenanceOf(caller: Caller, target: string, now: string): Provenance {
  return {
    resourceType: 'Provenance',
    meta: { tag: [{ system: CODE_SYSTEM.tenant, code: caller.tenant }, { system: CODE_SYSTEM.owner, code: caller.clientId }] },
    extension: [{ url: EXTENSION.requestId, valueString: caller.requestId }],
    target: [{ reference: target }],
    recorded: now,
    activity: { coding: [{ system: HL7_SYSTEM.v3DataOperation, code: 'UPDATE', display: 'revise' }] },
    agent: [{
      type: { coding: [{ system: HL7_SYSTEM.provenanceParticipantType, code: 'author', display: 'Author' }] },
      who: { identifier: { system: CODE_SYSTEM.owner, value: caller.clientId }, display: caller.clientId },
    }],
  };
}

function checkBody(type: FacadeType, id: string, body: unknown): Record<string, unknown> & Resource {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OperationOutcomeError(badRequest(`The body must be a ${type} resource`));
  }
  const resource = body as Record<string, unknown>;
  if (resource['resourceType'] !== type) throw new OperationOutcomeError(badRequest(`resourceType must be ${type}`, 'resourceType'));
  if (resource['id'] !== id) throw new OperationOutcomeError(badRequest(`id must be ${id}, the id in the URL`, `${type}.id`));
  return resource as Record<string, unknown> & Resource;
}

/**
 * The body to store once the caller's changes pass the type's policy: a CarePlan follows the
 * contributor rule (`write-careplan.ts`: own activities added, changed, removed; others' status
 * only; additions stamped with the caller's origin), any other type its updatable paths.
 * @throws 403 naming each refused path
 */
function checkChanges(caller: Caller, type: FacadeType, stored: Resource, submitted: Record<string, unknown> & Resource, updatable: readonly string[]): Resource {
  if (type === 'CarePlan') {
    const { plan, refused } = carePlanWrite(stored as CarePlan, submitted as CarePlan, caller.clientId);
    if (refused.length > 0) throw new OperationOutcomeError(refusedChangesOutcome(refused));
    return plan;
  }
  const forbiddenPaths = forbiddenChanges(stored as unknown as Record<string, unknown>, submitted, updatable);
  if (forbiddenPaths.length > 0) throw new OperationOutcomeError(forbiddenChangesOutcome(type, forbiddenPaths, updatable));
  return submitted;
}

/**
 * Applies the caller's changes to `type/id`, after checking its version and what changed.
 * @returns the stored resource, new `meta.versionId` set.
 * @throws 404 (not the caller's), 412 (stale If-Match), 403 naming each forbidden path.
 */
export async function updateResource(caller: Caller, type: FacadeType, id: string, versionId: string, body: unknown, now = new Date()): Promise<Resource> {
  const updatable = RESOURCES[type].updatable;
  if (!updatable) throw new OperationOutcomeError(badRequest(`${type} is read-only through /fhir`));
  const submitted = checkBody(type, id, body);

  const stored = await upstream<Resource>(() => caller.fhir.read(type, id));
  if (!visibleTo(stored, caller.tenant)) throw new OperationOutcomeError(notFound);
  if (stored.meta?.versionId !== versionId) throw new OperationOutcomeError(preconditionFailed);

  const accepted = checkChanges(caller, type, stored, submitted, updatable);

  // The stored meta (tenant and owner tags, profiles) is kept; version and date are the server's.
  const meta = { ...stored.meta };
  delete meta.versionId;
  delete meta.lastUpdated;
  const next = { ...accepted, meta } as Resource;
  const transaction: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: `urn:uuid:${randomUUID()}`, resource: next, request: { method: 'PUT', url: `${type}/${id}`, ifMatch: etagForVersion(versionId) } },
      { fullUrl: `urn:uuid:${randomUUID()}`, resource: provenanceOf(caller, `${type}/${id}`, now.toISOString()), request: { method: 'POST', url: 'Provenance' } },
    ],
  };
  const response = await upstream(() => caller.fhir.transaction(transaction));
  const written = response.entry?.[0];
  if (written?.resource?.resourceType === type) return written.resource;
  // A server may answer a transaction without the resources: read back the version it names.
  const newVersion = versionIdFromEtag(written?.response?.etag) ?? /\/_history\/([^/]+)$/.exec(written?.response?.location ?? '')?.[1];
  if (!newVersion) throw badGateway('the FHIR server did not say which version it wrote');
  return upstream<Resource>(() => caller.fhir.vread(type, id, newVersion));
}
