/**
 * FHIR `transaction` and `batch` Bundles (R4 http.html#transaction), replacing Medplum's
 * processor, which refuses transactions with more than 8 conditional entries or 50 updates.
 *
 * A transaction runs inside one repository transaction: identities are resolved first
 * (conditional create/update/delete/patch searches, `urn:uuid` placeholders, conditional
 * references `Type?query`), then entries run in FHIR order (DELETE, POST, PUT, PATCH, GET).
 * Any failing entry aborts and rolls back everything; the error names the entry by path.
 * A batch runs each entry on its own (each atomic), answering per entry.
 */
import {
  allOk,
  badRequest,
  getStatus,
  isOperationOutcome,
  normalizeOperationOutcome,
  OperationOutcomeError,
  parseSearchRequest,
  preconditionFailed,
} from '@medplum/core';
import type { WithId } from '@medplum/core';
import type { FhirRepository, FhirRequest, FhirRouter } from '@medplum/fhir-router';
import type { Binary, Bundle, BundleEntry, BundleEntryResponse, OperationOutcome, Parameters, Resource } from '@medplum/fhirtypes';
import type { Operation } from 'rfc6902';
import { checkVersion, ifMatchVersion } from './if-match.js';
import { isTransactional } from './sqlite-repository.js';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 3, GET: 4, HEAD: 4 };
const TYPE_SEGMENT = /^[A-Z][A-Za-z]+$/;

/** One entry, parsed and (for a transaction) with its target resolved. */
interface Planned {
  index: number;
  method: Method;
  /** Relative URL as sent (absolute URLs reduced to their `Type/...` part). */
  url: string;
  type: string;
  /** Target id once resolved (create: assigned; conditional: matched or assigned). */
  id?: string;
  /** Conditional create matched an existing resource: nothing to write. */
  existing?: WithId<Resource>;
  /** Conditional delete matched nothing: nothing to do. */
  skip?: boolean;
  /** The write creates a resource (201). */
  creates?: boolean;
  entry: BundleEntry;
}

/** Re-roots an issue path at the entry: `Patient.name` → `Bundle.entry[3].resource.name`. */
function entryPath(index: number, expression: string): string {
  if (expression.startsWith('Bundle.entry[')) return expression;
  const prefix = `Bundle.entry[${index}]`;
  if (/^[A-Z][A-Za-z]+(\.|\[|$)/.test(expression)) return `${prefix}.resource${expression.replace(/^[A-Z][A-Za-z]+/, '')}`;
  return `${prefix}.${expression}`;
}

function entryError(index: number, err: unknown): OperationOutcomeError {
  const outcome = normalizeOperationOutcome(err);
  const issue = (outcome.issue ?? []).map((i) => ({
    ...i,
    expression: i.expression?.length ? i.expression.map((e) => entryPath(index, e)) : [`Bundle.entry[${index}]`],
  }));
  return new OperationOutcomeError({ ...outcome, issue });
}

function relativeUrl(url: string): string {
  if (!/^https?:\/\//.test(url)) return url.replace(/^\/+/, '');
  const parsed = new URL(url);
  const segments = parsed.pathname.split('/').filter(Boolean);
  const start = segments.findIndex((s) => TYPE_SEGMENT.test(s));
  return start < 0 ? '' : segments.slice(start).join('/') + parsed.search;
}

function plan(entry: BundleEntry, index: number): Planned {
  const method = entry.request?.method as Method | undefined;
  const url = entry.request?.url;
  if (!method || !(method in ORDER)) throw entryError(index, badRequest('Missing or invalid request.method', 'request.method'));
  if (!url) throw entryError(index, badRequest('Missing request.url', 'request.url'));
  const relative = relativeUrl(url);
  const type = relative.split(/[/?]/)[0] ?? '';
  if (!TYPE_SEGMENT.test(type) && method !== 'GET' && method !== 'HEAD') {
    throw entryError(index, badRequest(`Invalid request.url ${url}`, 'request.url'));
  }
  if ((method === 'POST' || method === 'PUT') && entry.resource?.resourceType !== type) {
    throw entryError(index, badRequest(`Entry resource must be a ${type}`, 'resource'));
  }
  return { index, method, url: relative, type, entry };
}

/** The `Type/id` an instance URL names, if any. */
function instanceId(url: string): string | undefined {
  const [path] = url.split('?');
  const parts = (path ?? '').split('/');
  return parts.length === 2 && parts[1] ? parts[1] : undefined;
}

async function findMatches(repo: FhirRepository, type: string, query: string): Promise<WithId<Resource>[]> {
  const search = parseSearchRequest(`${type}?${query}`);
  return repo.searchResources({ ...search, count: 2, offset: 0, sortRules: undefined, total: 'none' });
}

/** Resolves the target of every writing entry of a transaction (searches see pre-transaction state). */
async function resolveTargets(repo: FhirRepository, planned: Planned[]): Promise<Map<string, string>> {
  const placeholders = new Map<string, string>();
  const seenTargets = new Set<string>();
  const seenConditions = new Set<string>();
  for (const p of planned) {
    const query = p.url.includes('?') ? p.url.slice(p.url.indexOf('?') + 1) : undefined;
    const condition = p.method === 'POST' ? p.entry.request?.ifNoneExist : query;
    if (condition && p.method !== 'GET' && p.method !== 'HEAD') {
      const key = `${p.type}?${condition}`;
      if (seenConditions.has(key)) throw entryError(p.index, badRequest(`Two entries share the condition ${key}`, 'request'));
      seenConditions.add(key);
    }
    try {
      switch (p.method) {
        case 'POST': {
          const matches = condition ? await findMatches(repo, p.type, condition) : [];
          if (matches.length > 1) throw new OperationOutcomeError(preconditionFailed);
          if (matches[0]) {
            p.existing = matches[0];
            p.id = matches[0].id;
          } else {
            p.id = repo.generateId();
            p.creates = true;
          }
          break;
        }
        case 'PUT':
        case 'PATCH':
        case 'DELETE': {
          if (query !== undefined) {
            const matches = await findMatches(repo, p.type, query);
            if (matches.length > 1) throw new OperationOutcomeError(preconditionFailed);
            const match = matches[0];
            if (match) p.id = match.id;
            else if (p.method === 'PUT') {
              if (p.entry.resource?.id) throw new OperationOutcomeError(badRequest('A conditional create-by-update may not carry an id', 'resource.id'));
              p.id = repo.generateId();
              p.creates = true;
            } else if (p.method === 'DELETE') p.skip = true;
            else throw new OperationOutcomeError(badRequest('Conditional patch matched no resource', 'request.url'));
          } else {
            p.id = instanceId(p.url);
            if (!p.id) throw new OperationOutcomeError(badRequest(`Invalid request.url ${p.url}`, 'request.url'));
            if (p.method === 'PUT' && p.entry.resource?.id && p.entry.resource.id !== p.id) {
              throw new OperationOutcomeError(badRequest('resource.id does not match request.url', 'resource.id'));
            }
            if (p.method === 'PUT') {
              p.creates = await repo.readResource(p.type, p.id).then(
                () => false,
                () => true,
              );
            }
          }
          break;
        }
        case 'GET':
        case 'HEAD':
          break;
      }
    } catch (err) {
      throw entryError(p.index, err);
    }
    if (p.id && !p.skip && p.method !== 'GET' && p.method !== 'HEAD') {
      const target = `${p.type}/${p.id}`;
      if (seenTargets.has(target) && !p.existing) throw entryError(p.index, badRequest(`Two entries write ${target}`, 'request'));
      seenTargets.add(target);
      if (p.entry.fullUrl) placeholders.set(p.entry.fullUrl, target);
      // A conditional reference written exactly as this entry's condition designates the
      // resource this entry writes, even if it does not exist before the transaction.
      if (condition && p.method !== 'DELETE') placeholders.set(conditionKey(p.type, condition), target);
    }
  }
  return placeholders;
}

/** `Patient?identifier=a%7Cb` and `Patient?identifier=a|b` are the same condition. */
function conditionKey(type: string, query: string): string {
  let decoded = query;
  try {
    decoded = decodeURIComponent(query);
  } catch {
    // Keep it as sent.
  }
  return `${type}?${decoded.trim()}`;
}

/** Rewrites `reference` values: placeholders (`urn:uuid:…`) and conditional references (`Type?query`). */
async function rewriteReferences(repo: FhirRepository, value: unknown, placeholders: Map<string, string>, path: string): Promise<void> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) await rewriteReferences(repo, value[i], placeholders, `${path}[${i}]`);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (key === 'reference' && typeof child === 'string') {
      const target = placeholders.get(child);
      if (target) record[key] = target;
      else if (/^[A-Z][A-Za-z]+\?/.test(child)) {
        const [type = '', query = ''] = child.split(/\?(.*)/s);
        const planned = placeholders.get(conditionKey(type, query));
        if (planned) {
          record[key] = planned;
          continue;
        }
        const matches = await findMatches(repo, type, query);
        if (matches.length !== 1) {
          throw new OperationOutcomeError(badRequest(`Conditional reference ${type}?… matched ${matches.length === 0 ? 'no' : 'several'} resources`, `${path}.reference`));
        }
        record[key] = `${type}/${matches[0]?.id ?? ''}`;
      }
    } else if (typeof child === 'object') {
      await rewriteReferences(repo, child, placeholders, `${path}.${key}`);
    }
  }
}

function versionResponse(resource: Resource, status: string): BundleEntryResponse {
  return {
    status,
    location: `${resource.resourceType}/${resource.id ?? ''}/_history/${resource.meta?.versionId ?? ''}`,
    etag: resource.meta?.versionId ? `W/"${resource.meta.versionId}"` : undefined,
    lastModified: resource.meta?.lastUpdated,
  };
}

function patchOperations(entry: BundleEntry): Operation[] {
  const body = entry.resource as Binary | Parameters | undefined;
  if (body?.resourceType === 'Binary') {
    const ops: unknown = JSON.parse(Buffer.from(body.data ?? '', 'base64').toString('utf8'));
    if (!Array.isArray(ops)) throw new OperationOutcomeError(badRequest('PATCH body must be a JSON Patch array', 'resource.data'));
    return ops as Operation[];
  }
  if (body?.resourceType === 'Parameters') {
    // Medplum's convention: one `operation` parameter per JSON Patch operation.
    return (body.parameter ?? [])
      .filter((p) => p.name === 'operation')
      .map((p) => {
        const part = (name: string): string | undefined => p.part?.find((x) => x.name === name)?.valueString;
        const op: Record<string, unknown> = { op: p.part?.find((x) => x.name === 'op')?.valueCode, path: part('path') };
        const value = part('value');
        if (value !== undefined) op.value = JSON.parse(value);
        const from = part('from');
        if (from !== undefined) op.from = from;
        return op as unknown as Operation;
      });
  }
  throw new OperationOutcomeError(badRequest('A PATCH entry needs a Binary (JSON Patch) or Parameters resource', 'resource'));
}

async function readEntry(p: Planned, repo: FhirRepository, router: FhirRouter, req: FhirRequest): Promise<BundleEntry> {
  const route = router.find('GET', p.url);
  if (!route) throw new OperationOutcomeError(badRequest(`No route for GET ${p.url}`, 'request.url'));
  const request: FhirRequest = {
    method: 'GET',
    url: p.url.split('?')[0] ?? '',
    pathname: route.path,
    params: route.params,
    query: route.query ?? {},
    body: undefined,
    headers: {},
    config: req.config,
  };
  const [outcome, resource] = await route.handler(request, repo, router, { batch: true });
  const status = getStatus(outcome);
  if (status >= 400) throw new OperationOutcomeError(outcome);
  return { response: { status: String(status), outcome: resource ? undefined : outcome }, resource };
}

/** Executes one planned entry (targets already resolved). */
async function execute(p: Planned, repo: FhirRepository, router: FhirRouter, req: FhirRequest): Promise<BundleEntry> {
  const request = p.entry.request;
  switch (p.method) {
    case 'GET':
    case 'HEAD':
      return readEntry(p, repo, router, req);
    case 'DELETE':
      if (!p.skip && p.id) {
        await checkVersion(repo, p.type, p.id, ifMatchVersion(request?.ifMatch));
        try {
          await repo.deleteResource(p.type, p.id);
        } catch (err) {
          // Deleting what is not there is a success (FHIR delete is idempotent).
          if (!(err instanceof OperationOutcomeError) || getStatus(err.outcome) !== 404) throw err;
        }
      }
      return { response: { status: '204' } };
    case 'POST': {
      if (p.existing) return { resource: p.existing, response: versionResponse(p.existing, '200') };
      const created = await repo.createResource({ ...(p.entry.resource as Resource), id: p.id }, { assignedId: true });
      return { resource: created, response: versionResponse(created, '201') };
    }
    case 'PUT': {
      const updated = await repo.updateResource({ ...(p.entry.resource as Resource), id: p.id }, { ifMatch: ifMatchVersion(request?.ifMatch) });
      return { resource: updated, response: versionResponse(updated, p.creates ? '201' : '200') };
    }
    case 'PATCH': {
      await checkVersion(repo, p.type, p.id ?? '', ifMatchVersion(request?.ifMatch));
      const patched = await repo.patchResource(p.type as Resource['resourceType'], p.id ?? '', patchOperations(p.entry));
      return { resource: patched, response: versionResponse(patched, '200') };
    }
  }
}

/** Processes a transaction Bundle atomically and returns the transaction-response Bundle. */
export async function processTransaction(bundle: Bundle, repo: FhirRepository, router: FhirRouter, req: FhirRequest): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  // Entries are rewritten in place: the Bundle is the request's own freshly parsed body.
  const planned = entries.map((entry, index) => plan(entry, index));
  const run = async (tx: FhirRepository): Promise<Bundle> => {
    const placeholders = await resolveTargets(tx, planned);
    for (const p of planned) {
      try {
        if (p.entry.resource) await rewriteReferences(tx, p.entry.resource, placeholders, 'resource');
      } catch (err) {
        throw entryError(p.index, err);
      }
    }
    const responses: BundleEntry[] = new Array<BundleEntry>(planned.length);
    const ordered = [...planned].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);
    for (const p of ordered) {
      try {
        responses[p.index] = await execute(p, tx, router, req);
      } catch (err) {
        throw entryError(p.index, err);
      }
    }
    return { resourceType: 'Bundle', type: 'transaction-response', entry: responses };
  };
  return isTransactional(repo) ? repo.transaction(run) : repo.withTransaction(() => run(repo));
}

/** Processes a batch Bundle: each entry on its own; failures are reported per entry. */
export async function processBatch(bundle: Bundle, repo: FhirRepository, router: FhirRouter, req: FhirRequest): Promise<Bundle> {
  const responses: BundleEntry[] = [];
  for (const [index, original] of (bundle.entry ?? []).entries()) {
    try {
      const p = plan(original, index);
      if (p.method === 'GET' || p.method === 'HEAD') {
        // A read needs no transaction of its own (a savepoint, and a wait for a commit it has
        // nothing to add to): as a plain GET, it sees every committed write.
        responses.push(await execute(p, repo, router, req));
        continue;
      }
      const one = async (tx: FhirRepository): Promise<BundleEntry> => {
        await resolveTargets(tx, [p]);
        if (p.entry.resource) await rewriteReferences(tx, p.entry.resource, new Map(), 'resource');
        return execute(p, tx, router, req);
      };
      responses.push(await (isTransactional(repo) ? repo.transaction(one) : one(repo)));
    } catch (err) {
      const outcome: OperationOutcome = isOperationOutcome(err) ? err : normalizeOperationOutcome(err);
      responses.push({ response: { status: String(getStatus(outcome)), outcome } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: responses };
}

/** Router handler for `POST /` (transaction or batch Bundle). */
export async function bundleHandler(req: FhirRequest, repo: FhirRepository, router: FhirRouter): Promise<[OperationOutcome, Bundle] | [OperationOutcome]> {
  const bundle = req.body as Resource | undefined;
  if (bundle?.resourceType !== 'Bundle') return [badRequest('Expected a Bundle', 'resourceType')];
  if (!bundle.entry?.length) return [badRequest('The Bundle has no entries', 'Bundle.entry')];
  if (bundle.type === 'transaction') return [allOk, await processTransaction(bundle, repo, router, req)];
  if (bundle.type === 'batch') return [allOk, await processBatch(bundle, repo, router, req)];
  return [badRequest('Bundle.type must be transaction or batch', 'Bundle.type')];
}
