/**
 * Which search parameters the store indexes, and the index rows a resource produces.
 *
 * Each row is `(code, a, b)`: token → (lower value, lower system); reference → (Type/id, '');
 * string → (normalised text, raw text); date → (start, end) as UTC instants; uri → (uri, '').
 * `_id` and `_lastUpdated` live on the resource row itself. Number, quantity, composite and
 * special parameters are not indexed: a search on them is refused (400), never answered wrong.
 */
import {
  convertToSearchableDates,
  convertToSearchableReferences,
  convertToSearchableStrings,
  convertToSearchableTokens,
  convertToSearchableUris,
  evalFhirPathTyped,
  getSearchParameters,
  parseFhirPath,
  toTypedValue,
} from '@medplum/core';
import type { FhirPathAtom, TypedValue } from '@medplum/core';
import type { Address, HumanName, Reference, Resource, SearchParameter } from '@medplum/fhirtypes';
import { compileExtractor } from './fast-path.js';
import type { Extractor } from './fast-path.js';

export type IndexKind = 'token' | 'reference' | 'string' | 'date' | 'uri';

export interface IndexedParam {
  code: string;
  /**
   * The code its rows are stored under: a parameter with the same expression as an earlier
   * one (Patient `phonetic` and `name`) shares that one's rows instead of writing copies.
   */
  storedAs: string;
  kind: IndexKind;
  param: SearchParameter;
  /** The parameter's values in a resource: compiled when possible, FHIRPath otherwise. */
  extract: Extractor;
  /** Top-level properties the values come from (compiled expressions); undefined: unknown. */
  roots?: ReadonlySet<string>;
}

export interface IndexRow {
  code: string;
  a: string;
  b: string;
}

/** Marks CodeableConcept/Coding display texts, which token search must not match. */
const TEXT_SYSTEM = 'urn:passerelle:text';
/** Parameters held on the resource row, or meaningless here. */
const NOT_INDEXED = new Set(['_id', '_lastUpdated', '_compartment']);
/** Suffix of the token rows holding `Reference.identifier` (the `:identifier` modifier). */
export const IDENTIFIER_SUFFIX = ':identifier';

export const MIN_INSTANT = '0000-01-01T00:00:00.000Z';
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

const cache = new Map<string, IndexedParam[]>();

function kindOf(param: SearchParameter): IndexKind | undefined {
  switch (param.type) {
    case 'token':
    case 'reference':
    case 'string':
    case 'date':
    case 'uri':
      return param.type;
    case 'number':
    case 'quantity':
    case 'composite':
    case 'special':
    case undefined:
      return undefined;
  }
}

function fhirPathExtractor(atom: FhirPathAtom): Extractor {
  return (resource) => evalFhirPathTyped(atom, [toTypedValue(resource)]);
}

/** The indexed search parameters of a resource type (cached). */
export function indexedParams(resourceType: string): IndexedParam[] {
  let params = cache.get(resourceType);
  if (!params) {
    params = [];
    const byExpression = new Map<string, string>();
    for (const param of Object.values(getSearchParameters(resourceType) ?? {})) {
      const kind = kindOf(param);
      if (!kind || !param.expression || NOT_INDEXED.has(param.code)) continue;
      const expression = param.expression;
      const storedAs = byExpression.get(`${kind} ${expression}`) ?? param.code;
      byExpression.set(`${kind} ${expression}`, storedAs);
      const compiled = compileExtractor(resourceType, expression);
      const extract = compiled?.extract ?? fhirPathExtractor(parseFhirPath(expression));
      params.push({ code: param.code, storedAs, kind, param, extract, roots: compiled?.roots });
    }
    cache.set(resourceType, params);
  }
  return params;
}

/** True when the store indexes `code` for `resourceType` (or holds it on the resource row). */
export function isSearchable(resourceType: string, code: string): boolean {
  return NOT_INDEXED.has(code) ? code !== '_compartment' : indexedParams(resourceType).some((p) => p.code === code);
}

/** Lower-case, accents removed: string search is case- and accent-insensitive ("Hélène" ~ "helene"). */
export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const REFERENCE_TAIL = /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** `http://x/fhir/Patient/1/_history/2` → `Patient/1`; other forms (urn, canonical) unchanged. */
export function normalizeReference(reference: string): string {
  if (reference.startsWith('urn:') || reference.startsWith('#')) return reference;
  const match = REFERENCE_TAIL.exec(reference);
  return match ? `${match[1]}/${match[2]}` : reference;
}

function stringParts(value: TypedValue): string[] {
  if (value.type === 'HumanName') {
    const n = value.value as HumanName;
    return [n.text, n.family, ...(n.given ?? []), ...(n.prefix ?? []), ...(n.suffix ?? [])].filter(isText);
  }
  if (value.type === 'Address') {
    const a = value.value as Address;
    return [a.text, ...(a.line ?? []), a.city, a.district, a.state, a.postalCode, a.country].filter(isText);
  }
  return convertToSearchableStrings([value]);
}

function isText(v: string | undefined): v is string {
  return typeof v === 'string' && v !== '';
}

function rowsFor(param: IndexedParam, values: TypedValue[], rows: IndexRow[]): void {
  const { code } = param;
  switch (param.kind) {
    case 'token':
      for (const t of convertToSearchableTokens(values, { textSearchSystem: TEXT_SYSTEM })) {
        if (t.system === TEXT_SYSTEM) continue;
        rows.push({ code, a: (t.value ?? '').toLowerCase(), b: (t.system ?? '').toLowerCase() });
      }
      return;
    case 'reference':
      for (const ref of convertToSearchableReferences(values)) {
        if (!ref.startsWith('identifier:')) rows.push({ code, a: normalizeReference(ref), b: '' });
      }
      for (const v of values) {
        const identifier = (v.value as Reference | undefined)?.identifier;
        if (identifier?.value || identifier?.system) {
          rows.push({
            code: code + IDENTIFIER_SUFFIX,
            a: (identifier.value ?? '').toLowerCase(),
            b: (identifier.system ?? '').toLowerCase(),
          });
        }
      }
      return;
    case 'string':
      for (const v of values) {
        for (const text of stringParts(v)) rows.push({ code, a: normalizeText(text), b: text });
      }
      return;
    case 'date':
      for (const period of convertToSearchableDates(values)) {
        rows.push({ code, a: period.start ?? MIN_INSTANT, b: period.end ?? MAX_INSTANT });
      }
      return;
    case 'uri':
      for (const uri of convertToSearchableUris(values)) rows.push({ code, a: uri, b: '' });
      return;
  }
}

/**
 * The parameters (those holding rows: `storedAs === code`) whose values may differ between two
 * versions that differ only in the top-level properties `changed`. A parameter read through
 * FHIRPath (roots unknown) is always included.
 */
export function paramsAffectedBy(resourceType: string, changed: ReadonlySet<string>): IndexedParam[] {
  return indexedParams(resourceType).filter(
    (p) => p.storedAs === p.code && (!p.roots || [...p.roots].some((root) => changed.has(root))),
  );
}

/** The `idx.code` values a parameter's rows are stored under. */
export function rowCodes(param: IndexedParam): string[] {
  return param.kind === 'reference' ? [param.code, param.code + IDENTIFIER_SUFFIX] : [param.code];
}

/**
 * The index rows of a resource, duplicates removed; only those of `params` when given
 * (see `paramsAffectedBy`).
 */
export function extractIndexRows(resource: Resource, params?: readonly IndexedParam[]): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const param of params ?? indexedParams(resource.resourceType)) {
    if (param.storedAs !== param.code) continue;
    const values = param.extract(resource);
    if (values.length > 0) rowsFor(param, values, rows);
  }
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.code}\u0000${r.a}\u0000${r.b}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
