import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { OperationOutcomeError } from '@medplum/core';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAddress } from './address-ranges.js';
import { findForbiddenAddress, UrlGuard, type Resolver } from './url-guard.js';

/** A resolver with fixed answers that counts its calls, as DNS outside the project would answer. */
function fixedResolver(answers: Record<string, string[] | (() => string[])>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<LookupAddress[]> => {
    calls.push(host);
    const answer = answers[host];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const list = typeof answer === 'function' ? answer() : answer;
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OperationOutcomeError);
  const issue = (err as OperationOutcomeError).outcome.issue?.[0];
  expect(issue?.expression).toEqual(['url']);
  return issue?.details?.text ?? '';
}

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['100.127.255.255', 'shared address space (CGNAT)'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'tunnel (Teredo)'],
    ['not-an-ip', 'not an IP address'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::ffff:a00:1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:0808:0808::1', 'public'],
  ])('judges the IPv4 address inside %s (%s)', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('UrlGuard.check', () => {
  const resolver = fixedResolver({
    'hooks.example.org': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'mixed.example.org': ['93.184.215.14', '10.0.0.7'],
    'mapped.example.org': ['::ffff:127.0.0.1'],
    'metadata.example.org': ['169.254.169.254'],
    'lan.example.org': ['192.168.1.20'],
  });

  it('accepts an https URL whose host resolves only to public addresses', async () => {
    const guard = new UrlGuard({ allowPrivate: false, resolve: resolver });
    const { url, addresses } = await guard.check('https://hooks.example.org/passerelle?x=1');
    expect(url.pathname).toBe('/passerelle');
    expect(addresses.map((a) => a.address)).toEqual(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
  });

  it('refuses a host with one private address among public ones', async () => {
    const guard = new UrlGuard({ allowPrivate: false, resolve: resolver });
    expect(await refusal(guard.check('https://mixed.example.org/'))).toContain('10.0.0.7, a private address');
  });

  it('refuses an IPv4-mapped IPv6 loopback answer', async () => {
    const guard = new UrlGuard({ allowPrivate: false, resolve: resolver });
    expect(await refusal(guard.check('https://mapped.example.org/'))).toContain('loopback');
  });

  it('refuses the cloud metadata address', async () => {
    const guard = new UrlGuard({ allowPrivate: false, resolve: resolver });
    expect(await refusal(guard.check('https://metadata.example.org/latest'))).toContain('cloud metadata');
  });

  it('refuses IP literals without asking DNS', async () => {
    const counting = fixedResolver({});
    const guard = new UrlGuard({ allowPrivate: false, resolve: counting });
    expect(await refusal(guard.check('https://127.0.0.1:8443/hook'))).toContain('loopback');
    expect(await refusal(guard.check('https://[::1]/hook'))).toContain('loopback');
    expect(await refusal(guard.check('https://[::ffff:7f00:1]/hook'))).toContain('loopback');
    expect(await refusal(guard.check('https://[fd00:ec2::254]/'))).toContain('cloud metadata');
    expect(counting.calls).toEqual([]);
  });

  it('refuses plain http, credentials and fragments', async () => {
    const guard = new UrlGuard({ allowPrivate: false, resolve: resolver });
    expect(await refusal(guard.check('http://hooks.example.org/'))).toContain('must use https');
    expect(await refusal(guard.check('ftp://hooks.example.org/'))).toContain('must use https');
    expect(await refusal(guard.check('https://user:pw@hooks.example.org/'))).toContain('credentials');
    expect(await refusal(guard.check('https://hooks.example.org/#x'))).toContain('fragment');
    expect(await refusal(guard.check('not a url'))).toContain('not a valid URL');
  });

  it('lets http and private addresses through when private webhooks are allowed', async () => {
    const guard = new UrlGuard({ allowPrivate: true, resolve: resolver });
    await expect(guard.check('http://lan.example.org:8080/')).resolves.toMatchObject({ addresses: [{ address: '192.168.1.20' }] });
    await expect(guard.check('http://127.0.0.1:9/')).resolves.toBeDefined();
  });

  it('passes DNS failures through as they are, since they may be transient', async () => {
    const guard = new UrlGuard({ allowPrivate: false, resolve: resolver });
    const err = await guard.check('https://nowhere.example.org/').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(OperationOutcomeError);
    expect((err as { code?: string }).code).toBe('ENOTFOUND');
  });

  it('gives up on a resolver that does not answer in time', async () => {
    const guard = new UrlGuard({ allowPrivate: false, resolve: () => new Promise(() => undefined), dnsTimeoutMs: 50 });
    await expect(guard.check('https://slow.example.org/')).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });
});

describe('UrlGuard agent', () => {
  let server: Server | undefined;
  let received = 0;

  async function receiver(): Promise<number> {
    received = 0;
    server = createServer((req, res) => {
      received++;
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server?.address() as AddressInfo).port;
  }

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('connects to the address its own lookup checked, not to what the system resolver says', async () => {
    const port = await receiver();
    // `receiver.invalid` cannot resolve through real DNS: reaching the server proves the agent used the guard's answer.
    const resolve = fixedResolver({ 'receiver.invalid': ['127.0.0.1'] });
    const guard = new UrlGuard({ allowPrivate: true, resolve });
    const agent = guard.createAgent({ timeoutMs: 2_000 });
    try {
      const res = await request(`http://receiver.invalid:${port}/hook`, { method: 'POST', body: '{}', dispatcher: agent });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      expect(received).toBe(1);
      expect(resolve.calls).toEqual(['receiver.invalid']);
    } finally {
      await agent.close();
    }
  });

  it('refuses at connect time a host that rebinds to loopback after passing the check', async () => {
    const port = await receiver();
    let answers = 0;
    const resolve = fixedResolver({ 'rebind.invalid': () => (answers++ === 0 ? ['93.184.215.14'] : ['127.0.0.1']) });
    const guard = new UrlGuard({ allowPrivate: false, resolve });
    const agent = guard.createAgent({ timeoutMs: 2_000 });
    try {
      const url = `https://rebind.invalid:${port}/hook`;
      await expect(guard.check(url)).resolves.toBeDefined(); // first answer: public
      const err = await request(url, { method: 'POST', body: '{}', dispatcher: agent }).catch((e: unknown) => e);
      expect(findForbiddenAddress(err)?.address).toBe('127.0.0.1');
      expect(received).toBe(0);
    } finally {
      await agent.close();
    }
  });
});
