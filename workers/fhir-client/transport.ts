/**
 * The wire: one undici `Pool` to the FHIR server's origin (keep-alive connections reused across
 * calls), a deadline per try, retries per `retry-policy.ts`, and the translation of every
 * failure into an `OperationOutcomeError`. Knows HTTP, not FHIR operations (see `client.ts`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationOutcomeError } from '@medplum/core';
import { Pool } from 'undici';
import { badGatewayError, failureOf, httpError, transportError } from './errors.js';
import { DEFAULT_RETRY_POLICY, DEFAULT_TIMEOUT_MS, decideRetry, isIdempotentMethod, parseRetryAfter } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';

/** Where log lines go; a pino `Logger` fits. Lines carry method, target type, status and timings only. */
export interface FhirClientLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Connections per pool: STACK.md measured ~9k GET/s with 10 on this hardware; more buys nothing on 2 cores. */
export const DEFAULT_CONNECTIONS = 10;

export interface TransportOptions {
  readonly baseUrl: string;
  readonly connections?: number;
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: FhirClientLogger;
  /** Sent with every request (e.g. `Authorization`); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TransportRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the base URL, with its query (`Patient/1`, `Patient?name=x`, `''` for the base). */
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides the method's idempotency, for writes that are safe to repeat (conditional create). */
  readonly idempotent?: boolean;
  /** Label for logs and errors; defaults to the path's first segment. */
  readonly target?: string;
}

/** Response headers, names lower-cased (as undici gives them). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface TransportResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** Parsed JSON body, or `undefined` when the answer had none. */
  readonly body: unknown;
}

const FHIR_JSON = 'application/fhir+json';

export class Transport {
  readonly #pool: Pool;
  readonly #origin: string;
  /** Base path without trailing slash (`/fhir`), or `''` when the server sits at the root. */
  readonly #basePath: string;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #logger: FhirClientLogger | undefined;
  readonly #headers: Readonly<Record<string, string>>;
  #closed = false;

  constructor(options: TransportOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError('FHIR base URL must be http(s)');
    }
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    if (!(this.#policy.attempts >= 1)) throw new RangeError('retry.attempts must be at least 1');
    this.#logger = options.logger;
    this.#headers = options.headers ?? {};
    this.#pool = new Pool(this.#origin, {
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      // undici's own timers back up the per-try deadline below (which also covers the connect).
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      connect: { timeout: this.#timeoutMs },
    });
  }

  /**
   * Maps a link the server returned (e.g. a paging `next` URL) to a path relative to our base.
   * A link on another origin (HAPI behind a proxy often advertises its internal address) is
   * re-based onto ours when its path starts with our base path: requests, and the headers
   * that may carry credentials, only ever go to the configured server.
   */
  relativize(link: string): string | undefined {
    let url: URL;
    try {
      url = new URL(link, `${this.#origin}${this.#basePath}/`);
    } catch {
      return undefined;
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== this.#basePath && !path.startsWith(`${this.#basePath}/`)) return undefined;
    return `${path.slice(this.#basePath.length + 1)}${url.search}`;
  }

  /** The absolute path on the origin for a path relative to the base (`''` and `?…` address the base itself). */
  #wirePath(path: string): string {
    if (path === '' || path.startsWith('?')) return `${this.#basePath || '/'}${path}`;
    return `${this.#basePath}/${path}`;
  }

  /** Sends a request, retrying as the policy allows; resolves with any 2xx answer, throws `OperationOutcomeError` otherwise. */
  async send(request: TransportRequest): Promise<TransportResponse> {
    const target = request.target ?? request.path.split(/[/?]/, 1)[0] ?? '';
    const idempotent = request.idempotent ?? isIdempotentMethod(request.method);
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let error: OperationOutcomeError;
      try {
        const response = await this.#once(request, target, payload);
        this.#logger?.debug(
          { method: request.method, target, status: response.status, durationMs: elapsed(started), attempt },
          'fhir request',
        );
        return response;
      } catch (err) {
        if (!(err instanceof OperationOutcomeError)) throw err;
        error = err;
      }
      const failure = failureOf(error);
      const log = { method: request.method, target, status: failure?.status, kind: failure?.kind, durationMs: elapsed(started), attempt };
      const decision = failure ? decideRetry(failure, attempt, idempotent, this.#policy) : { retry: false as const };
      if (!decision.retry) {
        this.#logger?.debug(log, 'fhir request failed');
        throw error;
      }
      this.#logger?.warn({ ...log, retryInMs: decision.delayMs }, 'fhir request failed, retrying');
      await sleep(decision.delayMs);
    }
  }

  /** One try: send, read the whole answer within the deadline, classify. */
  async #once(request: TransportRequest, target: string, body: string | undefined): Promise<TransportResponse> {
    if (this.#closed) {
      throw new OperationOutcomeError({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'exception', details: { text: 'FhirClient is closed' } }],
      });
    }
    const facts = { method: request.method, target };
    // A timer cleared on completion rather than `AbortSignal.timeout`, whose timer lives on for
    // the full timeout after a fast answer: at thousands of calls per second that adds up.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('FHIR request timed out', 'TimeoutError')), this.#timeoutMs);
    const headers: Record<string, string> = { accept: FHIR_JSON, ...this.#headers, ...request.headers };
    if (body !== undefined) headers['content-type'] = request.contentType ?? FHIR_JSON;
    let status: number;
    let responseHeaders: ResponseHeaders;
    let text: string;
    try {
      const response = await this.#pool.request({
        path: this.#wirePath(request.path),
        method: request.method,
        headers,
        body,
        signal: deadline.signal,
      });
      status = response.statusCode;
      responseHeaders = response.headers;
      text = await response.body.text();
    } catch (err) {
      throw transportError(err, { ...facts, timedOut: deadline.signal.aborted });
    } finally {
      clearTimeout(timer);
    }

    const parsed = parseJson(text);
    if (status >= 200 && status < 300) {
      if (parsed === INVALID) throw badGatewayError(`FHIR server sent an unreadable answer (${request.method} ${target})`, facts);
      return { status, headers: responseHeaders, body: parsed };
    }
    const retryAfterMs = parseRetryAfter(responseHeaders['retry-after']);
    throw httpError(status, statusText(status), parsed === INVALID ? undefined : parsed, {
      ...facts,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  /** Closes idle connections and waits for requests in flight; later calls fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }
}

const INVALID = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** Reason phrases for the statuses a FHIR server typically answers (undici does not expose the server's). */
function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 422: 'Unprocessable Entity',
    429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
    503: 'Service Unavailable', 504: 'Gateway Timeout',
  };
  return texts[status] ?? '';
}
