/**
 * FHIR JSON answers of the facade: the content type and, for a single resource, the version
 * headers a client needs for its next `If-Match` (ETag) and for caching (Last-Modified).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Context } from 'hono';
import { etagForVersion } from '../../workers/fhir-client/index.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** ETag and Last-Modified of a resource, when it has a version and a date. */
export function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  const versionId = resource.meta?.versionId;
  if (versionId) headers['etag'] = etagForVersion(versionId);
  const lastUpdated = resource.meta?.lastUpdated ? new Date(resource.meta.lastUpdated) : undefined;
  if (lastUpdated && !Number.isNaN(lastUpdated.getTime())) headers['last-modified'] = lastUpdated.toUTCString();
  return headers;
}

/** A `200` FHIR JSON answer. */
export function fhirJson(c: Context, body: Resource, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), 200, { 'content-type': FHIR_JSON, ...headers });
}
