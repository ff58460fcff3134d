/**
 * Builds the relative paths the client sends (`Patient/123`, `CarePlan?identifier=…`), checking
 * types and ids first: an id is spliced into a URL path, so `../` or `?` in it must never reach
 * the wire.
 */
import { OperationOutcomeError, badRequest } from '@medplum/core';

/** One search parameter value; an array repeats the parameter (AND semantics in FHIR). */
export type SearchValue = string | number | boolean | readonly (string | number | boolean)[] | undefined;

/** Search parameters: a record, a `URLSearchParams`, or a ready query string (without `?`). */
export type SearchParams = Readonly<Record<string, SearchValue>> | URLSearchParams | string;

/** FHIR R4 id: 1–64 of letters, digits, `-` and `.` (R4 §2.1.27.3, datatype `id`). */
const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
/** A resource type name: what `ResourceType` allows, checked again at run time for untyped callers. */
const TYPE_PATTERN = /^[A-Z][A-Za-z]{1,63}$/;

/** Throws a 400 outcome unless `type` looks like a FHIR resource type. */
export function checkType<T extends string>(type: T): T {
  if (!TYPE_PATTERN.test(type)) throw new OperationOutcomeError(badRequest(`Invalid resource type`, 'type'));
  return type;
}

/** Throws a 400 outcome unless `id` is a valid FHIR id. */
export function checkId(id: string | undefined, what = 'id'): string {
  if (id === undefined || !ID_PATTERN.test(id)) throw new OperationOutcomeError(badRequest(`Invalid ${what}`, what));
  return id;
}

/** Encodes search parameters as a query string (no leading `?`); `undefined` values are left out. */
export function toQueryString(params: SearchParams | undefined): string {
  if (params === undefined) return '';
  if (typeof params === 'string') return params.startsWith('?') ? params.slice(1) : params;
  if (params instanceof URLSearchParams) return params.toString();
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const values: readonly (string | number | boolean)[] = Array.isArray(value) ? value : [value as string | number | boolean];
    for (const v of values) query.append(name, String(v));
  }
  return query.toString();
}

/** Joins path segments and an optional query. */
export function relativePath(segments: readonly string[], query = ''): string {
  const path = segments.join('/');
  return query ? `${path}?${query}` : path;
}

/**
 * The query `identifier=system|value` that conditional create/update use to find "the same"
 * resource; `|` and the value are percent-encoded by `URLSearchParams`.
 */
export function identifierQuery(system: string, value: string): string {
  return toQueryString({ identifier: `${system}|${value}` });
}
