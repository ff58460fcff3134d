/**
 * `FhirClient`: the FHIR R4 REST interactions Passerelle needs, against any R4 server (HAPI,
 * Medplum, our embedded store). Each method maps to one interaction of the FHIR REST API; the
 * wire, retries and error translation live in `transport.ts`.
 *
 * @example
 *   const fhir = new FhirClient({ baseUrl: 'http://127.0.0.1:8103/fhir' });
 *   const { resource, created } = await fhir.conditionalUpdate(patient, identifierQuery(system, ipp));
 *   const plans = await fhir.searchAll('CarePlan', { subject: `Patient/${resource.id}`, _count: 100 });
 *   await fhir.close();
 */
import { OperationOutcomeError, badRequest } from '@medplum/core';
import type { PatchOperation, WithId } from '@medplum/core';
import type { Bundle, CapabilityStatement, ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';
import { etagForVersion, nextLink, searchMatches, selfLink, versionIdFromEtag, versionIdFromLocation } from './bundle.js';
import { badGatewayError } from './errors.js';
import { stampBundleSource, stampSource } from './meta-source.js';
import { checkId, checkType, relativePath, toQueryString } from './request-path.js';
import type { SearchParams } from './request-path.js';
import { Transport } from './transport.js';
import type { ResponseHeaders, TransportOptions, TransportRequest } from './transport.js';

/** Options of `new FhirClient(…)`; only `baseUrl` is required (it ends where `metadata` is served, e.g. `…/fhir`). */
export type FhirClientOptions = TransportOptions & {
  /**
   * Stamped as `meta.source` on every resource this client creates or updates (transaction and
   * batch entries included), so that a change feed can tell Passerelle's own versions apart
   * (see `meta-source.ts`). Unset: resources are sent as given.
   */
  readonly metaSource?: string;
};

/** The result of a conditional write: whether the server created a resource or changed one it found. */
export interface WriteResult<T extends Resource> {
  /** The resource as stored, `meta.versionId` set. */
  readonly resource: WithId<T>;
  /** HTTP status: 201 when created, 200 when an existing resource matched (and, for an update, was changed). */
  readonly status: number;
  readonly created: boolean;
}

/** Options of `searchPages` / `searchAll`. */
export interface PagingOptions {
  /** Stop with an error after this many pages rather than page forever; default `MAX_PAGES`. */
  readonly maxPages?: number;
}

/**
 * Pages followed by one `searchAll` at most: 10,000 pages of the usual 20–1000 entries is far
 * beyond any case Passerelle handles; reaching it means a server that never stops paging.
 */
export const MAX_PAGES = 10_000;

type Typed<K extends ResourceType> = WithId<ExtractResource<K>>;

const RETURN_REPRESENTATION = { prefer: 'return=representation' } as const;

export class FhirClient {
  readonly #transport: Transport;
  readonly #metaSource: string | undefined;

  constructor(options: FhirClientOptions) {
    this.#transport = new Transport(options);
    this.#metaSource = options.metaSource;
  }

  /** `GET [type]/[id]`: the current version. A deleted resource throws with status 410, an unknown one 404. */
  async read<K extends ResourceType>(type: K, id: string): Promise<Typed<K>> {
    const path = relativePath([checkType(type), checkId(id)]);
    return this.#resourceFrom(await this.#send({ method: 'GET', path }), type);
  }

  /** `GET [type]/[id]/_history/[vid]`: one version. */
  async vread<K extends ResourceType>(type: K, id: string, versionId: string): Promise<Typed<K>> {
    const path = relativePath([checkType(type), checkId(id), '_history', checkId(versionId, 'versionId')]);
    return this.#resourceFrom(await this.#send({ method: 'GET', path }), type);
  }

  /** `GET [type]?params`: one page of results. */
  async search<K extends ResourceType>(type: K, params?: SearchParams): Promise<Bundle<Typed<K>>> {
    const path = relativePath([checkType(type)], toQueryString(params));
    return this.#bundleFrom(await this.#send({ method: 'GET', path }), type) as Bundle<Typed<K>>;
  }

  /** The first match of a search, or `undefined`; asks for one entry unless `_count` is given. */
  async searchOne<K extends ResourceType>(type: K, params?: SearchParams): Promise<Typed<K> | undefined> {
    const query = new URLSearchParams(toQueryString(params));
    if (!query.has('_count')) query.set('_count', '1');
    return searchMatches(await this.search(type, query))[0];
  }

  /**
   * Every page of a search, following `next` links. A link on another origin is re-based onto
   * the configured server; a link outside the server's base, or back to a page already read
   * (a server bug that would loop forever), ends the iteration with an error.
   */
  async *searchPages<K extends ResourceType>(
    type: K,
    params?: SearchParams,
    options: PagingOptions = {},
  ): AsyncGenerator<Bundle<Typed<K>>, void, undefined> {
    yield* this.#pages(relativePath([checkType(type)], toQueryString(params)), type, options) as AsyncGenerator<Bundle<Typed<K>>>;
  }

  /**
   * Every page of a type-level history (`GET [type]/_history?_since=…&_count=…`), following `next`
   * links under the same rules as `searchPages` (on HAPI they point at `?_getpages=…`).
   */
  historyPages(type: ResourceType, params?: SearchParams, options: PagingOptions = {}): AsyncGenerator<Bundle, void, undefined> {
    return this.#pages(relativePath([checkType(type), '_history'], toQueryString(params)), type, options);
  }

  async *#pages(firstPath: string, type: string, options: PagingOptions): AsyncGenerator<Bundle, void, undefined> {
    const maxPages = options.maxPages ?? MAX_PAGES;
    let path = firstPath;
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      seen.add(path);
      const bundle = this.#bundleFrom(await this.#send({ method: 'GET', path, target: type }), type);
      yield bundle;
      const next = nextLink(bundle);
      if (next === undefined) return;
      const self = selfLink(bundle);
      const selfPath = self === undefined ? undefined : this.#transport.relativize(self);
      if (selfPath !== undefined) seen.add(selfPath);
      const nextPath = this.#transport.relativize(next);
      const facts = { method: 'GET', target: type };
      if (nextPath === undefined) throw badGatewayError('FHIR server sent a next link outside its base URL', facts);
      if (seen.has(nextPath)) throw badGatewayError('FHIR server sent a next link to a page already read', facts);
      if (page >= maxPages) {
        throw new OperationOutcomeError({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'too-costly', details: { text: `Search has more than ${maxPages} pages` } }],
        });
      }
      path = nextPath;
    }
  }

  /** Every match of a search across all pages (see `searchPages`), `_include`d resources left out. */
  async searchAll<K extends ResourceType>(type: K, params?: SearchParams, options?: PagingOptions): Promise<Typed<K>[]> {
    const all: Typed<K>[] = [];
    for await (const page of this.searchPages(type, params, options)) all.push(...searchMatches(page));
    return all;
  }

  /**
   * `POST [type]`: creates the resource (any `id` it carries is dropped: the server assigns one).
   * With `ifNoneExist` (a search query), the server creates it only when nothing matches and
   * otherwise returns the match; use `conditionalCreate` to learn which happened.
   */
  async create<T extends Resource>(resource: T, options: { ifNoneExist?: SearchParams } = {}): Promise<WithId<T>> {
    const ifNoneExist = options.ifNoneExist === undefined ? undefined : toQueryString(options.ifNoneExist);
    return (await this.#create(resource, ifNoneExist)).resource;
  }

  /** `POST [type]` with `If-None-Exist: query`: creates unless a resource matches the query. */
  async conditionalCreate<T extends Resource>(resource: T, query: SearchParams): Promise<WriteResult<T>> {
    return this.#create(resource, toQueryString(query));
  }

  /**
   * `PUT [type]/[id]`. With `ifMatch` (a versionId, or an ETag as read), the server refuses with
   * 412 when the stored version is another: the caller re-reads and decides (never retried here).
   */
  async update<T extends Resource>(resource: T, options: { ifMatch?: string } = {}): Promise<WithId<T>> {
    const type = checkType(resource.resourceType);
    const path = relativePath([type, checkId(resource.id)]);
    const headers: Record<string, string> = { ...RETURN_REPRESENTATION };
    if (options.ifMatch !== undefined) headers['if-match'] = etagForVersion(options.ifMatch);
    const response = await this.#send({ method: 'PUT', path, body: this.#stamp(resource), headers });
    return this.#writtenResource(response, type) as Promise<WithId<T>>;
  }

  /**
   * `PUT [type]?query`: updates the one resource matching the query, or creates it when none
   * does (412 when several match). The way to write by business identifier, so a replay
   * never duplicates.
   */
  async conditionalUpdate<T extends Resource>(resource: T, query: SearchParams): Promise<WriteResult<T>> {
    const type = checkType(resource.resourceType);
    const queryString = toQueryString(query);
    if (!queryString) throw new OperationOutcomeError(badRequest('A conditional update needs a search query', 'query'));
    const path = relativePath([type], queryString);
    const response = await this.#send({ method: 'PUT', path, body: this.#stamp(resource), headers: RETURN_REPRESENTATION });
    const written = (await this.#writtenResource(response, type)) as WithId<T>;
    return { resource: written, status: response.status, created: response.status === 201 };
  }

  /** `PATCH [type]/[id]` with a JSON Patch; `ifMatch` as for `update`. */
  async patch<K extends ResourceType>(
    type: K,
    id: string,
    operations: readonly PatchOperation[],
    options: { ifMatch?: string } = {},
  ): Promise<Typed<K>> {
    const path = relativePath([checkType(type), checkId(id)]);
    const headers: Record<string, string> = { ...RETURN_REPRESENTATION };
    if (options.ifMatch !== undefined) headers['if-match'] = etagForVersion(options.ifMatch);
    const response = await this.#send({
      method: 'PATCH', path, body: operations, contentType: 'application/json-patch+json', headers,
    });
    return this.#writtenResource(response, type);
  }

  /** `DELETE [type]/[id]`. */
  async delete(type: ResourceType, id: string): Promise<void> {
    await this.#send({ method: 'DELETE', path: relativePath([checkType(type), checkId(id)]) });
  }

  /**
   * `POST [base]` with a transaction Bundle: all entries or none. Not retried after a 500 or a
   * lost answer unless `idempotent` says every entry is safe to repeat (conditional creates,
   * PUTs): a plain create in a replayed transaction would be written twice.
   */
  async transaction(bundle: Bundle, options: { idempotent?: boolean } = {}): Promise<Bundle> {
    return this.#bundleRequest(bundle, 'transaction', options.idempotent);
  }

  /**
   * `POST [base]` with a batch Bundle: entries succeed or fail one by one, and the answer is 200
   * either way: check `failedEntries(response)`. Retry rule as for `transaction`.
   */
  async batch(bundle: Bundle, options: { idempotent?: boolean } = {}): Promise<Bundle> {
    return this.#bundleRequest(bundle, 'batch', options.idempotent);
  }

  /** `GET [base]/metadata`: the server's CapabilityStatement. */
  async capabilities(): Promise<CapabilityStatement> {
    return this.#resourceFrom(await this.#send({ method: 'GET', path: 'metadata' }), 'CapabilityStatement');
  }

  /** `GET [type]/_history` or `GET [type]/[id]/_history`: a history Bundle (`_count`, `_since` in params). */
  async history(type: ResourceType, id?: string, params?: SearchParams): Promise<Bundle> {
    const segments = id === undefined ? [checkType(type), '_history'] : [checkType(type), checkId(id), '_history'];
    const response = await this.#send({ method: 'GET', path: relativePath(segments, toQueryString(params)) });
    return this.#bundleFrom(response, type);
  }

  /** Closes the connections once requests in flight are answered. Further calls fail. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  #stamp<T extends Resource>(resource: T): T {
    return this.#metaSource === undefined ? resource : stampSource(resource, this.#metaSource);
  }

  #send(request: TransportRequest): ReturnType<Transport['send']> {
    return this.#transport.send(request);
  }

  async #create<T extends Resource>(resource: T, ifNoneExist: string | undefined): Promise<WriteResult<T>> {
    const type = checkType(resource.resourceType);
    const body: Partial<T> = this.#stamp({ ...resource });
    delete body.id;
    const headers: Record<string, string> = { ...RETURN_REPRESENTATION };
    if (ifNoneExist !== undefined) {
      if (!ifNoneExist) throw new OperationOutcomeError(badRequest('A conditional create needs a search query', 'ifNoneExist'));
      headers['if-none-exist'] = ifNoneExist;
    }
    const response = await this.#send({
      method: 'POST',
      path: type,
      body,
      headers,
      // A conditional create is repeatable by design: a replay finds what the first try wrote.
      idempotent: ifNoneExist !== undefined,
    });
    const written = (await this.#writtenResource(response, type)) as WithId<T>;
    return { resource: written, status: response.status, created: response.status === 201 };
  }

  async #bundleRequest(bundle: Bundle, type: 'transaction' | 'batch', idempotent = false): Promise<Bundle> {
    if (bundle.resourceType !== 'Bundle' || bundle.type !== type) {
      throw new OperationOutcomeError(badRequest(`Expected a Bundle of type ${type}`, 'Bundle.type'));
    }
    const body = this.#metaSource === undefined ? bundle : stampBundleSource(bundle, this.#metaSource);
    const response = await this.#send({ method: 'POST', path: '', body, idempotent, target: type });
    return this.#bundleFrom(response, type);
  }

  /** The resource a read answered, `meta.versionId` completed from the ETag when the body lacks it. */
  #resourceFrom<K extends ResourceType>(response: { body: unknown; headers: ResponseHeaders }, type: K): Typed<K> {
    const body = response.body as Resource | undefined;
    if (body?.resourceType !== type) {
      throw badGatewayError(`FHIR server answered without the expected ${type}`, { method: 'GET', target: type });
    }
    return withVersion(body, response.headers) as Typed<K>;
  }

  #bundleFrom(response: { body: unknown }, target: string): Bundle {
    const body = response.body as Resource | undefined;
    if (body?.resourceType !== 'Bundle') {
      throw badGatewayError('FHIR server answered without a Bundle', { method: 'GET', target });
    }
    return body;
  }

  /**
   * The resource a write answered. We ask for `return=representation`, but a server may still
   * send nothing or an OperationOutcome (HAPI's `return=minimal` / `OperationOutcome` settings):
   * then the version named by `Location` is read back, so callers always get the stored resource.
   */
  async #writtenResource<K extends ResourceType>(
    response: { body: unknown; headers: ResponseHeaders },
    type: K,
  ): Promise<Typed<K>> {
    const body = response.body as Resource | undefined;
    if (body?.resourceType === type) return withVersion(body, response.headers) as Typed<K>;
    const location = header(response.headers, 'location') ?? header(response.headers, 'content-location');
    const path = location === undefined ? undefined : this.#transport.relativize(location);
    const match = path?.match(/^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/);
    if (!match || match[1] !== type || match[2] === undefined) {
      throw badGatewayError(`FHIR server did not return the written ${type}`, { method: 'GET', target: type });
    }
    return match[3] === undefined ? this.read(type, match[2]) : this.vread(type, match[2], match[3]);
  }
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Fills `meta.versionId` from `ETag` (or `Location`) when a server leaves it out of the body. */
function withVersion<T extends Resource>(resource: T, headers: ResponseHeaders): T {
  if (resource.meta?.versionId !== undefined) return resource;
  const versionId = versionIdFromEtag(header(headers, 'etag')) ?? versionIdFromLocation(header(headers, 'location'));
  return versionId === undefined ? resource : { ...resource, meta: { ...resource.meta, versionId } };
}
