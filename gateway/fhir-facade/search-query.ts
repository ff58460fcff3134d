/**
 * Validates a search query against the resource table and splits it into what goes to the
 * FHIR server (filters, `_count`, `_sort`, `_total`) and what the facade resolves itself
 * (`_include`, `_revinclude`). Anything not in the table is refused with a 400 naming the
 * parameter: a parameter dropped silently would widen the results the client asked for.
 */
import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import {
  includeSpec,
  isFacadeType,
  searchParam,
  type FacadeType,
  type IncludeSpec,
  type SearchParamType,
} from './resource-table.js';

/** Largest page the facade asks for; larger `_count`s are lowered to it (FHIR lets a server page smaller). */
export const MAX_COUNT = 500;

/** Modifiers accepted per parameter type (what the embedded store answers exactly). */
export const MODIFIERS: Readonly<Record<SearchParamType, readonly string[]>> = {
  token: ['not', 'missing'],
  string: ['exact', 'contains', 'missing'],
  date: ['missing'],
  reference: ['missing'],
};

/** Parameters that only make sense as themselves (no modifier). */
const NO_MODIFIER = new Set(['_id', '_lastUpdated']);

/**
 * Paging parameters of the FHIR server's own `next` links (`_offset` for the embedded store
 * and Medplum, `_cursor` for Medplum's cursor paging). Accepted only inside a `_page` token.
 */
const SERVER_PAGING_PARAMS = new Set(['_offset', '_cursor']);

const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);
const TOTAL_MODES = new Set(['none', 'estimate', 'accurate']);

export type IncludeKind = '_include' | '_revinclude';

/** One `_include` / `_revinclude` the facade resolves. */
export interface IncludeDirective {
  readonly kind: IncludeKind;
  /** `:iterate`: also applies to the resources included by earlier rounds. */
  readonly iterate: boolean;
  readonly spec: IncludeSpec;
  /** `Source:param:Target`: only references to this type. */
  readonly targetType?: FacadeType;
}

export interface SearchQuery {
  /** Filters and result parameters for the FHIR server; the tenant tag is added later. */
  readonly forward: URLSearchParams;
  readonly includes: readonly IncludeDirective[];
}

export interface ParseOptions {
  /** The query comes from a `_page` token: the server's paging parameters are allowed. */
  readonly fromPageToken?: boolean;
  /** Public base of the facade: absolute references on it are made relative for the server. */
  readonly publicBase?: string;
}

function issue(name: string, text: string, code: OperationOutcomeIssue['code'] = 'invalid'): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [name] };
}

function parseInclude(type: FacadeType, name: string, value: string, issues: OperationOutcomeIssue[]): IncludeDirective | undefined {
  const [kind, modifier, ...rest] = name.split(':') as [IncludeKind, string | undefined, ...string[]];
  if (rest.length > 0 || (modifier !== undefined && modifier !== 'iterate')) {
    issues.push(issue(name, `${name} is not supported: use ${kind} or ${kind}:iterate`, 'not-supported'));
    return undefined;
  }
  const iterate = modifier === 'iterate';
  const [source, code, target, ...extra] = value.split(':');
  const fail = (why: string): undefined => {
    issues.push(issue(name, `${name}=${value}: ${why}`, 'not-supported'));
    return undefined;
  };
  if (!source || !code || extra.length > 0) return fail('expected SourceType:searchParam[:TargetType]');
  if (!isFacadeType(source)) return fail(`${source} is not served by this facade`);
  const spec = includeSpec(source, code);
  if (!spec) return fail(`${code} is not a reference search parameter of ${source} that can be followed`);
  let targetType: FacadeType | undefined;
  if (target !== undefined) {
    if (!isFacadeType(target) || !spec.param.targets.includes(target)) return fail(`${source}:${code} cannot point at ${target}`);
    targetType = target;
  }
  if (!iterate) {
    if (kind === '_include' && source !== type) return fail(`only ${type}:… can be included from a ${type} search (or use :iterate)`);
    if (kind === '_revinclude' && !spec.param.targets.includes(type)) return fail(`${source}:${code} never points at ${type}`);
  }
  return { kind, iterate, spec, ...(targetType ? { targetType } : {}) };
}

function isSortable(type: FacadeType, code: string): boolean {
  const param = searchParam(type, code);
  return param !== undefined && param.type !== 'reference';
}

function relativeReferences(value: string, publicBase: string | undefined): string {
  if (!publicBase) return value;
  const prefix = `${publicBase}/`;
  return value.split(',').map((v) => (v.startsWith(prefix) ? v.slice(prefix.length) : v)).join(',');
}

/**
 * Validates `query` for a search on `type`.
 * @throws OperationOutcomeError (400) with one issue per faulty parameter, `expression` = its name.
 * @example
 *   parseSearchQuery('CarePlan', new URLSearchParams('subject=Patient/1&_include=CarePlan:care-team'))
 *   // → { forward: subject=Patient/1, includes: [{ kind: '_include', spec: CarePlan:care-team, … }] }
 */
export function parseSearchQuery(type: FacadeType, query: URLSearchParams, options: ParseOptions = {}): SearchQuery {
  const issues: OperationOutcomeIssue[] = [];
  const forward = new URLSearchParams();
  const includes: IncludeDirective[] = [];
  const seenControl = new Set<string>();

  for (const [name, value] of query) {
    const [code = '', modifier, ...more] = name.split(':');
    if (code === '_include' || code === '_revinclude') {
      const directive = parseInclude(type, name, value, issues);
      if (directive) includes.push(directive);
      continue;
    }
    if (['_count', '_sort', '_total', '_format'].includes(code)) {
      if (modifier !== undefined) {
        issues.push(issue(name, `${code} takes no modifier`));
        continue;
      }
      if (seenControl.has(code)) {
        issues.push(issue(name, `${code} may appear only once`));
        continue;
      }
      seenControl.add(code);
    }
    switch (code) {
      case '_count': {
        if (!/^\d{1,9}$/.test(value)) issues.push(issue(name, '_count must be a non-negative integer'));
        else forward.set('_count', String(Math.min(Number(value), MAX_COUNT)));
        continue;
      }
      case '_sort': {
        const bad = value.split(',').filter((key) => !isSortable(type, key.replace(/^-/, '')));
        if (bad.length > 0) issues.push(issue(name, `cannot sort ${type} by ${bad.join(', ')}`, 'not-supported'));
        else forward.set('_sort', value);
        continue;
      }
      case '_total': {
        if (!TOTAL_MODES.has(value)) issues.push(issue(name, '_total must be none, estimate or accurate'));
        else forward.set('_total', value);
        continue;
      }
      case '_format': {
        if (!JSON_FORMATS.has(value)) issues.push(issue(name, 'only JSON is served (application/fhir+json)', 'not-supported'));
        continue;
      }
      case '_page': {
        issues.push(issue(name, '_page is a paging link: use it alone, as the facade gave it'));
        continue;
      }
      default:
        break;
    }
    if (options.fromPageToken && SERVER_PAGING_PARAMS.has(name)) {
      forward.append(name, value);
      continue;
    }
    const param = searchParam(type, code);
    if (!param) {
      issues.push(issue(name, `unknown or unsupported search parameter "${code}" for ${type}`, 'not-supported'));
      continue;
    }
    if (more.length > 0 || (modifier !== undefined && (NO_MODIFIER.has(code) || !MODIFIERS[param.type].includes(modifier)))) {
      issues.push(issue(name, `modifier ":${name.slice(code.length + 1)}" is not supported on ${code}`, 'not-supported'));
      continue;
    }
    if (modifier === 'missing' && value !== 'true' && value !== 'false') {
      issues.push(issue(name, ':missing takes true or false'));
      continue;
    }
    // FHIR search: a parameter with an empty value is ignored.
    if (value === '') continue;
    forward.append(name, param.type === 'reference' ? relativeReferences(value, options.publicBase) : value);
  }

  if (issues.length > 0) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
  return { forward, includes };
}

