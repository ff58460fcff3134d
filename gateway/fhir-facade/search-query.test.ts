import { OperationOutcomeError } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { MAX_COUNT, parseSearchQuery } from './search-query.js';

function refused(fn: () => unknown): { expression: string[]; text: string }[] {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    return err.outcome.issue.map((i) => ({ expression: i.expression ?? [], text: i.details?.text ?? '' }));
  }
  throw new Error('expected a refusal');
}

describe('parseSearchQuery', () => {
  it('forwards supported filters and result parameters, and keeps includes for the facade', () => {
    const q = new URLSearchParams('subject=Patient/1&status=active,draft&_count=5&_sort=-date&_total=accurate&_format=json&_include=CarePlan:care-team&_revinclude=Task:focus');
    const parsed = parseSearchQuery('CarePlan', q);
    expect(parsed.forward.toString()).toBe('subject=Patient%2F1&status=active%2Cdraft&_count=5&_sort=-date&_total=accurate');
    expect(parsed.includes.map((d) => `${d.kind}=${d.spec.source}:${d.spec.param.code}`)).toEqual(['_include=CarePlan:care-team', '_revinclude=Task:focus']);
  });

  it('names every unknown parameter at once', () => {
    expect(refused(() => parseSearchQuery('CarePlan', new URLSearchParams('colour=blue&status=active&_elements=id&_summary=count'))).map((i) => i.expression[0]))
      .toEqual(['colour', '_elements', '_summary']);
  });

  it('accepts the listed modifiers only', () => {
    expect(parseSearchQuery('Patient', new URLSearchParams('name:contains=dur&family:exact=Durand&gender:not=male&birthdate:missing=false')).forward.toString())
      .toBe('name%3Acontains=dur&family%3Aexact=Durand&gender%3Anot=male&birthdate%3Amissing=false');
    expect(refused(() => parseSearchQuery('Patient', new URLSearchParams('name:text=x&_id:not=1&gender:missing=maybe'))).map((i) => i.expression[0]))
      .toEqual(['name:text', '_id:not', 'gender:missing']);
  });

  it('lowers a large _count and refuses a bad one', () => {
    expect(parseSearchQuery('Task', new URLSearchParams('_count=100000')).forward.get('_count')).toBe(String(MAX_COUNT));
    expect(refused(() => parseSearchQuery('Task', new URLSearchParams('_count=-1')))[0]?.expression).toEqual(['_count']);
    expect(refused(() => parseSearchQuery('Task', new URLSearchParams('_count=1&_count=2')))[0]?.text).toContain('only once');
  });

  it('sorts on non-reference parameters only', () => {
    expect(parseSearchQuery('Task', new URLSearchParams('_sort=-modified,_id')).forward.get('_sort')).toBe('-modified,_id');
    expect(refused(() => parseSearchQuery('Task', new URLSearchParams('_sort=owner')))[0]?.text).toContain('owner');
  });

  it('checks _include sources, parameters and targets', () => {
    const cases: [string, string][] = [
      ['_include=Task:focus', 'only CarePlan'],
      ['_include=CarePlan:status', 'not a reference'],
      ['_include=CarePlan:performer:Device', 'cannot point at Device'],
      ['_revinclude=Condition:encounter', 'never points at CarePlan'],
      ['_include=*', 'expected SourceType'],
      ['_include:recurse=CarePlan:goal', 'not supported'],
      ['_include=Observation:subject', 'not served'],
    ];
    for (const [query, why] of cases) {
      expect(refused(() => parseSearchQuery('CarePlan', new URLSearchParams(query)))[0]?.text, query).toContain(why);
    }
  });

  it('lets :iterate start from any served type', () => {
    const parsed = parseSearchQuery('Task', new URLSearchParams('_include=Task:focus&_include:iterate=CarePlan:care-team&_include=Task:owner:Practitioner'));
    expect(parsed.includes.map((d) => [d.iterate, d.spec.source, d.targetType])).toEqual([[false, 'Task', undefined], [true, 'CarePlan', undefined], [false, 'Task', 'Practitioner']]);
  });

  it('accepts the server\'s paging parameters only inside a page token', () => {
    expect(refused(() => parseSearchQuery('CarePlan', new URLSearchParams('_offset=20')))[0]?.expression).toEqual(['_offset']);
    expect(parseSearchQuery('CarePlan', new URLSearchParams('_offset=20'), { fromPageToken: true }).forward.get('_offset')).toBe('20');
  });

  it('makes absolute references on the public base relative', () => {
    const parsed = parseSearchQuery('CarePlan', new URLSearchParams('subject=https://p.example/fhir/Patient/1,Patient/2'), { publicBase: 'https://p.example/fhir' });
    expect(parsed.forward.get('subject')).toBe('Patient/1,Patient/2');
  });

  it('ignores empty values and refuses formats other than JSON', () => {
    expect(parseSearchQuery('Goal', new URLSearchParams('subject=&lifecycle-status=active')).forward.toString()).toBe('lifecycle-status=active');
    expect(refused(() => parseSearchQuery('Goal', new URLSearchParams('_format=xml')))[0]?.expression).toEqual(['_format']);
  });
});
