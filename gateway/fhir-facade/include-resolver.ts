/**
 * Resolves `_include` and `_revinclude` in the facade rather than on the FHIR server: the
 * server would follow references across tenants (and some servers do not follow them at
 * all). Each round batches its reads: `Type?_id=a,b,c` for includes, `Source?param=T/a,T/b`
 * for revincludes, both narrowed to the caller's tenant and checked again on the way back.
 */
import { evalFhirPath } from '@medplum/core';
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { FhirClient } from '../../workers/fhir-client/index.js';
import { isFacadeType, type FacadeType } from './resource-table.js';
import { allows } from './scopes.js';
import type { IncludeDirective } from './search-query.js';
import { visibleTo, withTenant } from './tenancy.js';
import { upstream } from './upstream.js';

/** Most resources one search may include; beyond, the answer says it is incomplete. */
export const MAX_INCLUDED = 1_000;
/** Rounds of `:iterate` (the first round counts): deep enough for plan → team → members. */
export const MAX_INCLUDE_ROUNDS = 3;
/** Ids per `_id=` search and references per revinclude search: keeps URLs well under 8 KB. */
const IDS_PER_SEARCH = 100;
const REFS_PER_SEARCH = 50;

export interface IncludeContext {
  readonly fhir: FhirClient;
  readonly tenant: string;
  readonly scopes: readonly string[];
}

export interface IncludeResult {
  /** Included resources, each once, none of the matches among them. */
  readonly resources: Resource[];
  /** More than `MAX_INCLUDED` were found: the rest are left out. */
  readonly truncated: boolean;
  /** Resources the server returned that the tenant may not see (dropped; a server bug if not 0). */
  readonly dropped: number;
}

const RELATIVE_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** `Type/id` of a relative reference to a facade type; contained, absolute and logical references are not followed. */
function referenceKey(reference: Reference): { type: FacadeType; id: string } | undefined {
  const match = RELATIVE_REFERENCE.exec(reference.reference ?? '');
  if (!match?.[1] || !match[2] || !isFacadeType(match[1])) return undefined;
  return { type: match[1], id: match[2] };
}

function keyOf(resource: Resource): string {
  return `${resource.resourceType}/${resource.id ?? ''}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Every page of a search, stopping once `budget` resources have been read. */
async function collect(ctx: IncludeContext, type: FacadeType, params: URLSearchParams, budget: number): Promise<Resource[]> {
  const out: Resource[] = [];
  await upstream(async () => {
    for await (const page of ctx.fhir.searchPages(type, withTenant(type, params, ctx.tenant))) {
      for (const entry of page.entry ?? []) {
        const mode = entry.search?.mode;
        if (entry.resource && (mode === undefined || mode === 'match')) out.push(entry.resource);
      }
      if (out.length > budget) return;
    }
  });
  return out;
}

/** The searches one round needs, for the resources found in the previous round (`frontier`). */
function roundSearches(
  ctx: IncludeContext,
  directives: readonly IncludeDirective[],
  frontier: readonly Resource[],
  seen: ReadonlySet<string>,
): { type: FacadeType; params: URLSearchParams }[] {
  const wanted = new Map<FacadeType, Set<string>>();
  const searches: { type: FacadeType; params: URLSearchParams }[] = [];
  for (const d of directives) {
    const { source, param } = d.spec;
    if (d.kind === '_include') {
      const targets = param.targets.filter((t) => (!d.targetType || t === d.targetType) && allows(ctx.scopes, t, 'read'));
      for (const resource of frontier) {
        if (resource.resourceType !== source) continue;
        for (const ref of evalFhirPath(param.path, resource) as Reference[]) {
          const key = referenceKey(ref);
          if (!key || !targets.includes(key.type) || seen.has(`${key.type}/${key.id}`)) continue;
          let ids = wanted.get(key.type);
          if (!ids) wanted.set(key.type, (ids = new Set()));
          ids.add(key.id);
        }
      }
    } else {
      if (!allows(ctx.scopes, source, 'search')) continue;
      const refs = frontier
        .filter((r) => param.targets.includes(r.resourceType as FacadeType) && (!d.targetType || r.resourceType === d.targetType))
        .map(keyOf);
      for (const chunk of chunks(refs, REFS_PER_SEARCH)) {
        searches.push({ type: source, params: new URLSearchParams({ [param.code]: chunk.join(','), _count: '200' }) });
      }
    }
  }
  for (const [type, ids] of wanted) {
    for (const chunk of chunks([...ids], IDS_PER_SEARCH)) {
      searches.push({ type, params: new URLSearchParams({ _id: chunk.join(','), _count: String(chunk.length) }) });
    }
  }
  return searches;
}

/**
 * The resources the directives include for `matches`, within the caller's tenant.
 * @example
 *   const { resources } = await resolveIncludes(ctx, parsed.includes, plans);
 */
export async function resolveIncludes(ctx: IncludeContext, directives: readonly IncludeDirective[], matches: readonly Resource[]): Promise<IncludeResult> {
  const resources: Resource[] = [];
  let dropped = 0;
  if (directives.length === 0 || matches.length === 0) return { resources, truncated: false, dropped };
  const seen = new Set(matches.map(keyOf));
  let frontier: readonly Resource[] = matches;
  for (let round = 0; round < MAX_INCLUDE_ROUNDS && frontier.length > 0; round++) {
    const active = directives.filter((d) => round === 0 || d.iterate);
    if (active.length === 0) break;
    const searches = roundSearches(ctx, active, frontier, seen);
    const budget = MAX_INCLUDED - resources.length;
    const found = (await Promise.all(searches.map((s) => collect(ctx, s.type, s.params, budget)))).flat();
    const fresh: Resource[] = [];
    for (const resource of found) {
      if (!visibleTo(resource, ctx.tenant)) {
        dropped++;
        continue;
      }
      const key = keyOf(resource);
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push(resource);
    }
    resources.push(...fresh);
    if (resources.length > MAX_INCLUDED) {
      return { resources: resources.slice(0, MAX_INCLUDED), truncated: true, dropped };
    }
    frontier = fresh;
  }
  return { resources, truncated: false, dropped };
}
