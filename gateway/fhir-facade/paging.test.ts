import { OperationOutcomeError } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/http-error.js';
import { facadeLinks, facadePageLink, includeParams, pageTokenQuery } from './paging.js';
import { tenantTagParam } from './tenancy.js';

const context = { type: 'CarePlan', tenant: 'doubs', includes: '_include=CarePlan%3Acare-team', publicBase: 'https://p.example/fhir' };

describe('page links', () => {
  it('rewrites a server link onto the facade, without the server URL or the tenant tag', () => {
    const server = `http://10.0.0.5:8103/fhir/CarePlan?_count=2&_offset=2&status=active&_tag=${encodeURIComponent(tenantTagParam('doubs'))}&_tag=urn%3Aowner%7Cx`;
    const link = facadePageLink(server, context)!;
    expect(link.startsWith('https://p.example/fhir/CarePlan?_page=')).toBe(true);
    expect(link).not.toContain('10.0.0.5');
    const query = pageTokenQuery(new URL(link).searchParams.get('_page')!);
    expect([...query]).toEqual([['_count', '2'], ['_offset', '2'], ['status', 'active'], ['_tag', 'urn:owner|x'], ['_include', 'CarePlan:care-team']]);
  });

  it('gives up on links that are not a search on the type', () => {
    expect(facadePageLink('http://hapi/fhir?_getpages=abc&_getpagesoffset=20', context)).toBeUndefined();
    expect(facadePageLink('http://hapi/fhir/Task?_offset=2', context)).toBeUndefined();
  });

  it('answers 502 rather than drop a next page it cannot follow', () => {
    expect(() => facadeLinks([{ relation: 'next', url: 'http://hapi/fhir?_getpages=abc' }], 'self', context)).toThrow(HttpError);
    expect(facadeLinks([{ relation: 'first', url: 'http://hapi/fhir?_getpages=abc' }], 'https://p.example/fhir/CarePlan', context))
      .toEqual([{ relation: 'self', url: 'https://p.example/fhir/CarePlan' }]);
  });

  it('refuses tokens it did not make', () => {
    for (const token of ['not*base64', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"q":1}').toString('base64url'), 'a'.repeat(9000)]) {
      expect(() => pageTokenQuery(token)).toThrow(OperationOutcomeError);
    }
  });

  it('keeps only the include parameters of a query', () => {
    expect(includeParams(new URLSearchParams('a=1&_include=X:y&_revinclude:iterate=Z:w'))).toBe('_include=X%3Ay&_revinclude%3Aiterate=Z%3Aw');
  });
});
