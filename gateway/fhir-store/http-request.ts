/**
 * Turns an HTTP request under `/fhir` into the `FhirRequest` that Medplum's `FhirRouter`
 * understands. Kept apart from the Hono wiring so the conversion rules (what a body may be,
 * which headers pass through) live in one place.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { FhirRequest, HttpMethod } from '@medplum/fhir-router';
import type { IncomingHttpHeaders } from 'node:http';

/** Largest body the store accepts. Transactions used for bulk loads stay well below it. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Converts Web-standard headers into Node's lower-case header record. */
function toNodeHeaders(headers: Headers): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const params = new URLSearchParams(text);
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}

/** Reads one request header (lower-case name); `null` when absent. */
export type HeaderReader = (name: string) => string | null;

/**
 * A header reader over Node's header record when there is one: reading `raw.headers` would
 * make @hono/node-server build a Web `Headers` object for every request.
 */
export function headerReader(raw: Request, nodeHeaders?: IncomingHttpHeaders): HeaderReader {
  if (!nodeHeaders) return (name) => raw.headers.get(name);
  return (name) => {
    const value = nodeHeaders[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? null);
  };
}

async function readBody(raw: Request, header: HeaderReader): Promise<unknown> {
  const length = Number(header('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) {
    throw new OperationOutcomeError(badRequest(`Request body larger than ${MAX_BODY_BYTES} bytes`));
  }
  const text = await raw.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new OperationOutcomeError(badRequest(`Request body larger than ${MAX_BODY_BYTES} bytes`));
  }
  if (text.trim() === '') return undefined;
  const contentType = (header('content-type') ?? '').toLowerCase();
  if (contentType.startsWith('application/x-www-form-urlencoded')) return parseForm(text);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new OperationOutcomeError(badRequest('Request body is not valid JSON'));
  }
  if (!body || typeof body !== 'object' || (Array.isArray(body) && raw.method.toUpperCase() !== 'PATCH')) {
    throw new OperationOutcomeError(badRequest('Request body must be a JSON object (a JSON Patch array for PATCH)'));
  }
  return body;
}

/**
 * Builds a `FhirRequest` from a Web `Request` whose path starts with `basePath`. `nodeHeaders`
 * (Node's own header record, when served by @hono/node-server) saves converting the headers;
 * `url` saves parsing `raw.url` again when the caller already did.
 * Throws `OperationOutcomeError` (400) for an unsupported method or a body that is not JSON.
 */
export async function toFhirRequest(raw: Request, basePath: string, nodeHeaders?: IncomingHttpHeaders, url = new URL(raw.url)): Promise<FhirRequest> {
  const upper = raw.method.toUpperCase() as HttpMethod;
  if (!METHODS.includes(upper)) {
    throw new OperationOutcomeError(badRequest(`Unsupported method ${raw.method}`));
  }
  // HEAD is a GET whose body the HTTP layer drops.
  const method: HttpMethod = upper === 'HEAD' ? 'GET' : upper;
  const relative = url.pathname.slice(basePath.length).replace(/^\/+/, '');
  const body = method === 'GET' || method === 'DELETE' ? undefined : await readBody(raw, headerReader(raw, nodeHeaders));
  return {
    method,
    // The router parses path and query out of `url` itself; `pathname` must stay empty.
    url: relative + url.search,
    pathname: '',
    body,
    params: {},
    query: {},
    headers: nodeHeaders ?? toNodeHeaders(raw.headers),
    config: { transactions: true },
  };
}
