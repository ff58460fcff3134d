import { parseSearchRequest } from '@medplum/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadR4Definitions } from './definitions.js';
import { fromWhere } from './search-sql.js';

beforeAll(() => loadR4Definitions());

describe('search plan', () => {
  it('drives an identifier search by the identifier, not by a tenant tag every resource shares', () => {
    const tagFirst = fromWhere(parseSearchRequest('Task?_tag=https://t.example|doubs&identifier=https://s.example|T-1'));
    const driver = /FROM \(SELECT DISTINCT rid FROM idx WHERE \(type = \? AND code = \?/.exec(tagFirst.sql);
    expect(driver).not.toBeNull();
    // params: [type, driver code, …]
    expect(tagFirst.params[1]).toBe('identifier');
  });

  it('still lets a tag drive when it is the only indexed condition', () => {
    const onlyTag = fromWhere(parseSearchRequest('Task?_tag=https://t.example|doubs'));
    expect(onlyTag.params[1]).toBe('_tag');
  });

  it('drives by a reference rather than by a status most resources share', () => {
    const plan = fromWhere(parseSearchRequest('Task?status=requested&focus=Encounter/e1&_tag=https://t.example|doubs'));
    expect(plan.params[1]).toBe('focus');
  });

  it('finds `_id` through res(type, id), whatever else the search names', () => {
    const plan = fromWhere(parseSearchRequest('Task?_id=t1&_tag=https://t.example|doubs'));
    expect(plan.sql).toMatch(/^FROM res r WHERE /);
    expect(plan.sql).toContain('r.id IN (?)');
  });

  it('seeks each comma-separated value in the index, each with the whole key prefix', () => {
    const plan = fromWhere(parseSearchRequest('Patient?identifier=urn:oid:1.2|A,urn:oid:1.2|B'));
    expect(plan.sql).toContain('WHERE (type = ? AND code = ? AND (a = ? AND b = ?)) OR (type = ? AND code = ? AND (a = ? AND b = ?))');
    expect(plan.params.slice(0, 8)).toEqual(['Patient', 'identifier', 'a', 'urn:oid:1.2', 'Patient', 'identifier', 'b', 'urn:oid:1.2']);
  });
});
