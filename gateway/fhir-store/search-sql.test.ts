import { parseSearchRequest } from '@medplum/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadR4Definitions } from './definitions.js';
import { fromWhere } from './search-sql.js';

beforeAll(() => loadR4Definitions());

describe('search plan', () => {
  it('drives an identifier search by the identifier, not by a tenant tag every resource shares', () => {
    const tagFirst = fromWhere(parseSearchRequest('Task?_tag=https://t.example|doubs&identifier=https://s.example|T-1'));
    const driver = /FROM \(SELECT DISTINCT rid FROM idx WHERE type = \? AND code = \?/.exec(tagFirst.sql);
    expect(driver).not.toBeNull();
    // params: [type, driver code, …]
    expect(tagFirst.params[1]).toBe('identifier');
  });

  it('still lets a tag drive when it is the only indexed condition', () => {
    const onlyTag = fromWhere(parseSearchRequest('Task?_tag=https://t.example|doubs'));
    expect(onlyTag.params[1]).toBe('_tag');
  });
});
