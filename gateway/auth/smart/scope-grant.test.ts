import { describe, expect, it } from 'vitest';
import { covers, grantScopes } from './scope-grant.js';

describe('SMART scope grants', () => {
  it('grants a requested scope held exactly or through a wider SMART scope', () => {
    expect(grantScopes('system/CarePlan.rs system/Task.u fhir.read', ['system/*.rs', 'fhir.read'])).toEqual(['system/CarePlan.rs', 'fhir.read']);
    expect(grantScopes('system/CarePlan.s', ['system/CarePlan.read'])).toEqual(['system/CarePlan.s']);
    expect(grantScopes('system/Task.u', ['system/Task.write'])).toEqual(['system/Task.u']);
  });

  it('never widens: a narrower held scope does not cover a wider request', () => {
    expect(covers('system/CarePlan.rs', 'system/CarePlan.read')).toBe(true); // read = r + s
    expect(covers('system/CarePlan.r', 'system/CarePlan.rs')).toBe(false);
    expect(covers('system/CarePlan.rs', 'system/*.rs')).toBe(false);
    expect(covers('system/CarePlan.rs', 'system/Task.rs')).toBe(false);
    expect(covers('fhir.read', 'fhir.write')).toBe(false);
  });

  it('drops repeats and unknown shapes', () => {
    expect(grantScopes('  system/Task.rs system/Task.rs  bogus system/.r ', ['system/*.*'])).toEqual(['system/Task.rs']);
    expect(grantScopes('', ['system/*.*'])).toEqual([]);
  });
});
