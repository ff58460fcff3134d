import { getSearchParameter, validateResource } from '@medplum/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROFILE } from '../../profiles/canonical.js';
import { loadR4Definitions } from '../fhir-store/definitions.js';
import { capabilityStatement } from './capability-statement.js';
import { COMMON_PARAMS, FACADE_TYPES, RESOURCES, searchParamsOf } from './resource-table.js';

beforeAll(() => loadR4Definitions());

const statement = capabilityStatement({ publicBase: 'https://p.example/fhir' });
// The store-backed types; Subscription (subscription-capability.ts) is tested with the subscriptions.
const resources = (statement.rest?.[0]?.resource ?? []).filter((r) => r.type !== 'Subscription');

describe('the resource table', () => {
  it('names R4 search parameters with their R4 type, definition and expression', () => {
    for (const type of FACADE_TYPES) {
      for (const param of RESOURCES[type].params) {
        const r4 = getSearchParameter(type, param.code);
        expect(r4, `${type}.${param.code}`).toBeDefined();
        expect(param.type, `${type}.${param.code}`).toBe(r4?.type);
        expect(param.definition, `${type}.${param.code}`).toBe(r4?.url);
        if (param.type === 'reference') {
          // Our path is what the R4 expression navigates (before any where(resolve() is …)).
          expect(r4?.expression, `${type}.${param.code}`).toContain(param.path);
          for (const target of param.targets ?? []) expect(r4?.target, `${type}.${param.code} → ${target}`).toContain(target);
        }
      }
    }
  });

  it('uses search parameters the embedded store indexes (no number, quantity, composite or special)', () => {
    for (const type of FACADE_TYPES) {
      for (const param of searchParamsOf(type)) expect(['token', 'string', 'date', 'reference']).toContain(param.type);
    }
  });
});

describe('capabilityStatement', () => {
  it('is a valid R4 CapabilityStatement for FHIR 4.0.1 in JSON', () => {
    expect(() => validateResource(statement)).not.toThrow();
    expect(statement).toMatchObject({ fhirVersion: '4.0.1', kind: 'instance', format: expect.arrayContaining(['application/fhir+json']) });
    expect(statement.implementation?.url).toBe('https://p.example/fhir');
  });

  it('lists exactly the facade types, each with read, vread and search, and update only where allowed', () => {
    expect(resources.map((r) => r.type)).toEqual([...FACADE_TYPES]);
    for (const r of resources) {
      const codes = (r.interaction ?? []).map((i) => i.code);
      expect(codes, r.type).toEqual(r.type === 'CarePlan' || r.type === 'Task' ? ['read', 'vread', 'search-type', 'update'] : ['read', 'vread', 'search-type']);
    }
  });

  it('lists each type\'s search parameters from the table, the common ones included', () => {
    for (const r of resources) {
      const names = (r.searchParam ?? []).map((p) => p.name);
      expect(names, r.type).toEqual(searchParamsOf(r.type as (typeof FACADE_TYPES)[number]).map((p) => p.code));
      expect(names.slice(0, COMMON_PARAMS.length)).toEqual(['_id', '_lastUpdated', '_tag']);
    }
  });

  it('lists our profiles as supportedProfile', () => {
    const profiles = Object.fromEntries(resources.map((r) => [r.type, r.supportedProfile]));
    expect(profiles['CarePlan']).toEqual([PROFILE.carePlan]);
    expect(profiles['CareTeam']).toEqual([PROFILE.careTeam]);
    expect(profiles['ServiceRequest']).toEqual([PROFILE.serviceRequest]);
    expect(profiles['Organization']).toEqual([PROFILE.organization]);
    expect(profiles['Patient']).toEqual([PROFILE.patient]);
    expect(Object.values(profiles).flat().filter(Boolean).sort()).toEqual(Object.values(PROFILE).sort());
  });

  it('lists includes and revincludes that mirror each other', () => {
    const byType = Object.fromEntries(resources.map((r) => [r.type, r]));
    expect(byType['CarePlan']?.searchInclude).toContain('CarePlan:care-team');
    expect(byType['CarePlan']?.searchRevInclude).toContain('Task:focus');
    for (const r of resources) {
      for (const include of r.searchInclude ?? []) {
        expect(include.startsWith(`${r.type}:`)).toBe(true);
        const param = RESOURCES[r.type as (typeof FACADE_TYPES)[number]].params.find((p) => `${r.type}:${p.code}` === include);
        for (const target of param?.targets ?? []) expect(byType[target]?.searchRevInclude, `${target} ← ${include}`).toContain(include);
      }
    }
  });

  it('describes bearer security, and SMART only when a token endpoint is given', () => {
    expect(statement.rest?.[0]?.security?.description).toContain('Bearer');
    expect(statement.rest?.[0]?.security?.service).toBeUndefined();
    const smart = capabilityStatement({ publicBase: 'https://p.example/fhir', smartTokenUrl: 'https://p.example/oauth/token' });
    expect(smart.rest?.[0]?.security?.service?.[0]?.coding?.[0]?.code).toBe('SMART-on-FHIR');
    expect(JSON.stringify(smart.rest?.[0]?.security?.extension)).toContain('https://p.example/oauth/token');
    expect(() => validateResource(smart)).not.toThrow();
  });
});
