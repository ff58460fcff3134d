/**
 * Turns the router's `[OperationOutcome, Resource?]` answer into an HTTP response: status from
 * the outcome, FHIR JSON, the version headers (ETag, Last-Modified, Location) and the
 * `Prefer: return=…` choice. Search and history Bundles get absolute `fullUrl`s and links.
 */
import { getStatus, isOk } from '@medplum/core';
import type { FhirResponse } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome';

function preferReturn(prefer: string | null): PreferReturn {
  const match = /return\s*=\s*"?(minimal|representation|OperationOutcome)"?/i.exec(prefer ?? '');
  const value = match?.[1]?.toLowerCase();
  if (value === 'minimal') return 'minimal';
  if (value === 'operationoutcome') return 'OperationOutcome';
  return 'representation';
}

function absolute(baseUrl: string, url: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `${baseUrl}/${url.replace(/^\/+/, '')}`;
}

/** Gives search/history Bundles absolute links and entry `fullUrl`s based on the request URL. */
function absolutiseBundle(bundle: Bundle, baseUrl: string): void {
  for (const link of bundle.link ?? []) {
    if (link.url) link.url = absolute(baseUrl, link.url);
  }
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (!entry.fullUrl && r?.id) entry.fullUrl = `${baseUrl}/${r.resourceType}/${r.id}`;
  }
}

function versionHeaders(resource: Resource, headers: Record<string, string>): void {
  const versionId = resource.meta?.versionId;
  if (versionId) headers['etag'] = `W/"${versionId}"`;
  const lastUpdated = resource.meta?.lastUpdated;
  if (lastUpdated) {
    const date = new Date(lastUpdated);
    if (!Number.isNaN(date.getTime())) headers['last-modified'] = date.toUTCString();
  }
}

/** Builds the HTTP response for one router answer; `header` reads the request's headers. */
export function toHttpResponse(answer: FhirResponse, raw: Request, baseUrl: string, header: (name: string) => string | null = (name) => raw.headers.get(name)): Response {
  const outcome: OperationOutcome = answer[0];
  const resource = answer[1];
  const status = getStatus(outcome);
  const headers: Record<string, string> = { 'content-type': FHIR_JSON };

  if (!isOk(outcome) || !resource) {
    return new Response(JSON.stringify(outcome), { status, headers });
  }
  if (resource.resourceType === 'Bundle') absolutiseBundle(resource, baseUrl);
  else if (resource.id) {
    versionHeaders(resource, headers);
    if (status === 201) {
      const vid = resource.meta?.versionId;
      headers['location'] = `${baseUrl}/${resource.resourceType}/${resource.id}${vid ? `/_history/${vid}` : ''}`;
    }
  }

  const method = raw.method.toUpperCase();
  const isWrite = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const prefer = isWrite ? preferReturn(header('prefer')) : 'representation';
  if (prefer === 'minimal') return new Response(null, { status, headers: { ...headers, 'content-length': '0' } });
  if (prefer === 'OperationOutcome') return new Response(JSON.stringify(outcome), { status, headers });
  return new Response(JSON.stringify(resource), { status, headers });
}
