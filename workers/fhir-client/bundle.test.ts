import type { Bundle, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { etagForVersion, failedEntries, nextLink, searchMatches, versionIdFromEtag, versionIdFromLocation } from './bundle.js';
import { checkId, checkType, identifierQuery, toQueryString } from './request-path.js';

describe('bundle helpers', () => {
  it('keeps search matches and leaves out included resources and outcomes', () => {
    const bundle: Bundle<Patient> = {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'self', url: 'x' }, { relation: 'next', url: 'http://s/fhir/Patient?page=2' }],
      entry: [
        { resource: { resourceType: 'Patient', id: 'a' }, search: { mode: 'match' } },
        { resource: { resourceType: 'Patient', id: 'b' }, search: { mode: 'include' } },
        { resource: { resourceType: 'Patient', id: 'c' } },
      ],
    };
    expect(searchMatches(bundle).map((p) => p.id)).toEqual(['a', 'c']);
    expect(nextLink(bundle)).toBe('http://s/fhir/Patient?page=2');
    expect(nextLink({ resourceType: 'Bundle', type: 'searchset' })).toBeUndefined();
  });

  it('lists the failed entries of a batch response with their position', () => {
    const response: Bundle = {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [
        { response: { status: '201 Created' } },
        { response: { status: '412 Precondition Failed', outcome: { resourceType: 'OperationOutcome', issue: [] } } },
        { response: { status: '200' } },
        {},
      ],
    };
    expect(failedEntries(response)).toEqual([
      { index: 1, status: 412, outcome: { resourceType: 'OperationOutcome', issue: [] } },
      { index: 3, status: 0 },
    ]);
  });

  it('converts between ETags and versionIds', () => {
    expect(versionIdFromEtag('W/"3"')).toBe('3');
    expect(versionIdFromEtag('"abc-1"')).toBe('abc-1');
    expect(versionIdFromEtag('3')).toBeUndefined();
    expect(versionIdFromEtag(undefined)).toBeUndefined();
    expect(etagForVersion('3')).toBe('W/"3"');
    expect(etagForVersion('W/"3"')).toBe('W/"3"');
    expect(versionIdFromLocation('http://h/fhir/Patient/1/_history/7')).toBe('7');
    expect(versionIdFromLocation('http://h/fhir/Patient/1')).toBeUndefined();
  });
});

describe('request paths', () => {
  it('refuses ids and types that would change the URL', () => {
    for (const id of ['', '../metadata', 'a/b', 'a?b', 'x'.repeat(65)]) expect(() => checkId(id)).toThrow('Invalid id');
    expect(checkId('a-B.9')).toBe('a-B.9');
    expect(() => checkType('patient')).toThrow('Invalid resource type');
    expect(() => checkType('Patient/1')).toThrow('Invalid resource type');
  });

  it('encodes search parameters, repeating array values and dropping undefined ones', () => {
    expect(toQueryString({ name: 'Dupont Jean', date: ['ge2020', 'lt2021'], _count: 5, active: true, gone: undefined }))
      .toBe('name=Dupont+Jean&date=ge2020&date=lt2021&_count=5&active=true');
    expect(toQueryString('?a=1')).toBe('a=1');
    expect(identifierQuery('urn:oid:1.2.250.1.213.1.4.8', '1 23|4')).toBe(
      'identifier=urn%3Aoid%3A1.2.250.1.213.1.4.8%7C1+23%7C4',
    );
  });
});
