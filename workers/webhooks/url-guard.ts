/**
 * The SSRF guard of webhooks (SPEC §6): a subscriber URL is checked after DNS resolution, at
 * subscription time and again at each delivery, and the connection goes to an address that was
 * checked — the agent's `lookup` resolves and checks in one step, so a DNS answer that changes
 * between the check and the connect (DNS rebinding) cannot slip a private address through.
 *
 * Every address the host resolves to must be public: one private address among public ones is
 * refused too, rather than filtered, since such an answer is either a mistake or an attack.
 *
 * @example
 *   const guard = new UrlGuard({ allowPrivate: config.ALLOW_PRIVATE_WEBHOOKS });
 *   await guard.check('https://hooks.example.org/passerelle'); // throws OperationOutcomeError (400) if refused
 *   const agent = guard.createAgent({ timeoutMs: 10_000 });     // connects to checked addresses only
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { OperationOutcomeError, badRequest } from '@medplum/core';
import { Agent } from 'undici';
import { classifyAddress } from './address-ranges.js';

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true` by default). */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A resolver that does not answer in this time fails the check (a transient failure). */
export const DNS_TIMEOUT_MS = 5_000;

/** Longest accepted URL. */
export const MAX_URL_LENGTH = 2_048;

/** Thrown by the guarded lookup; the delivery worker turns it into a permanent failure. */
export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  readonly code = 'ERR_WEBHOOK_FORBIDDEN_ADDRESS';
  constructor(readonly host: string, readonly address: string, readonly range: string) {
    super(`${host} resolves to ${address}, a ${range} address: refused (ALLOW_PRIVATE_WEBHOOKS is off)`);
  }
}

export interface UrlGuardOptions {
  /** `ALLOW_PRIVATE_WEBHOOKS`: lets plain http and private, loopback… addresses through. */
  allowPrivate: boolean;
  /** Tests inject fixed answers; default `dns.lookup(all: true)`. */
  resolve?: Resolver;
  dnsTimeoutMs?: number;
}

export class UrlGuard {
  readonly allowPrivate: boolean;
  private readonly resolver: Resolver;
  private readonly dnsTimeoutMs: number;

  constructor(options: UrlGuardOptions) {
    this.allowPrivate = options.allowPrivate;
    this.resolver = options.resolve ?? systemResolver;
    this.dnsTimeoutMs = options.dnsTimeoutMs ?? DNS_TIMEOUT_MS;
  }

  /**
   * Checks a webhook URL: https (or http when private webhooks are allowed), no credentials, no
   * fragment, and every address of its host public unless private ones are allowed.
   *
   * @returns the parsed URL and the addresses it resolved to.
   * @throws OperationOutcomeError (400, expression `url`) when refused; a DNS failure (no such
   *   host, timeout) is rethrown as it is, since it may be transient.
   */
  async check(url: string): Promise<{ url: URL; addresses: readonly LookupAddress[] }> {
    const parsed = this.checkShape(url);
    const addresses = await this.resolveAllowed(hostOf(parsed)).catch((err: unknown) => {
      if (err instanceof ForbiddenAddressError) throw refused(err.message);
      throw err;
    });
    return { url: parsed, addresses };
  }

  /** The checks that need no DNS. @throws OperationOutcomeError (400, expression `url`). */
  checkShape(url: string): URL {
    if (url.length > MAX_URL_LENGTH) throw refused(`URL longer than ${MAX_URL_LENGTH} characters`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw refused('not a valid URL');
    }
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && this.allowPrivate)) {
      throw refused(this.allowPrivate ? 'the URL must use https or http' : 'the URL must use https');
    }
    if (parsed.username || parsed.password) {
      throw refused('credentials in the URL are not accepted: receivers authenticate deliveries by their signature');
    }
    if (parsed.hash) throw refused('the URL must not have a fragment (#…)');
    if (!parsed.hostname) throw refused('the URL has no host');
    return parsed;
  }

  /**
   * All addresses of `host` (an IP literal is its own answer), each checked.
   * @throws ForbiddenAddressError when one is not allowed.
   */
  async resolveAllowed(host: string): Promise<readonly LookupAddress[]> {
    const family = isIP(host);
    const addresses = family !== 0 ? [{ address: host, family }] : await this.resolveInTime(host);
    if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
    if (!this.allowPrivate) {
      for (const { address } of addresses) {
        const range = classifyAddress(address);
        if (range !== 'public') throw new ForbiddenAddressError(host, address, range);
      }
    }
    return addresses;
  }

  /**
   * A `lookup` for `net.connect` / `tls.connect` that answers only checked addresses. Node calls
   * it with `all: true` when it tries several addresses (autoSelectFamily), without otherwise.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolveAllowed(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        const first = wanted[0];
        if (!first) {
          callback(Object.assign(new Error(`${hostname} has no IPv${String(options.family)} address`), { code: 'ENOTFOUND' }), '');
        } else if (options.all) {
          callback(null, [...wanted]);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, ''),
    );
  };

  /** An undici Agent whose every new connection resolves through `lookup`. Close it when done. */
  createAgent(options: { timeoutMs: number; connectionsPerOrigin?: number }): Agent {
    return new Agent({
      connect: { lookup: this.lookup, timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // A receiver is someone else's server: a few connections each is plenty.
      connections: options.connectionsPerOrigin ?? 4,
      keepAliveTimeout: 10_000,
    });
  }

  private async resolveInTime(host: string): Promise<readonly LookupAddress[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`DNS lookup of ${host} timed out`), { code: 'ETIMEOUT' })), this.dnsTimeoutMs);
    });
    try {
      return await Promise.race([this.resolver(host), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The host of a URL as a resolver wants it: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function refused(text: string): OperationOutcomeError {
  return new OperationOutcomeError(badRequest(text, 'url'));
}

/** The `ForbiddenAddressError` behind `err` (itself or one of its causes), if any. */
export function findForbiddenAddress(err: unknown): ForbiddenAddressError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ForbiddenAddressError) return e;
  }
  return undefined;
}
