/**
 * FHIR notification → ADT event → transaction: golden file, equivalence with the HL7 A03 it
 * mirrors, identity rules, every structural fault named by FHIRPath, and totality (fuzz).
 *
 * After an intended mapping change: `UPDATE_GOLDEN=1 npx vitest run mappings/notification`, then review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Bundle, Encounter, Patient } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GOLDEN_CLIENT, GOLDEN_NOW, mapFixture } from '../adt/__golden__/golden-context.js';
import { adtToTransaction, facilityNamespaceFor, type AdtMappingContext } from '../adt/index.js';
import { edit, sampleNotification } from './__fixtures__/sample.js';
import { notificationFacility, readNotification, responseMessage } from './index.js';

const GOLDEN = new URL('./__golden__/notification-discharge.bundle.json', import.meta.url);
const facility = notificationFacility(GOLDEN_CLIENT, ['CH_EXEMPLE']);

const sample = sampleNotification;

function context(messageId = 'msg-notification'): AdtMappingContext {
  return {
    clientId: GOLDEN_CLIENT,
    tenant: 'doubs',
    facilityNamespace: facilityNamespaceFor(GOLDEN_CLIENT, facility, { name: 'Centre hospitalier exemple' }),
    now: GOLDEN_NOW,
    messageId,
  };
}

function transactionOf(input: unknown) {
  const reading = readNotification(input, { facility });
  expect(reading.errors).toEqual([]);
  return { reading, mapped: adtToTransaction(reading.event!, context()) };
}

function resource<T>(bundle: Bundle, type: string): T {
  return bundle.entry!.find((e) => e.resource?.resourceType === type)!.resource as T;
}

describe('readNotification', () => {
  it('maps the sample discharge notification to its golden transaction bundle', () => {
    const { reading, mapped } = transactionOf(sample());
    const text = `${JSON.stringify(mapped.bundle, null, 2)}\n`;
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(GOLDEN)) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(reading.event?.trigger).toBe('A03');
    expect(mapped.effects.kind).toBe('discharged');
    expect(mapped.bundle.entry!.map((e) => e.resource?.resourceType)).toEqual(['Organization', 'Patient', 'Encounter', 'Provenance']);
    // What was not mapped: the sender Organization entry only.
    expect(reading.issues).toEqual(['Bundle.entry[3]: Organization not mapped']);
  });

  it('writes the same Patient and stay as the HL7 A03 it mirrors (identifiers exactly as sent)', () => {
    const { mapped } = transactionOf(sample());
    const hl7 = mapFixture('adt-a03-pam-fr.hl7').bundle;
    expect(resource<Patient>(mapped.bundle, 'Patient')).toEqual(resource<Patient>(hl7, 'Patient'));
    const fromHl7 = resource<Encounter>(hl7, 'Encounter');
    // HL7 also carries the ZBE-1 movement (a secondary identifier) that FHIR has no place for.
    expect(resource<Encounter>(mapped.bundle, 'Encounter')).toEqual({ ...fromHl7, identifier: fromHl7.identifier!.filter((i) => i.use !== 'secondary') });
    const request = (type: string, b: Bundle) => b.entry!.find((e) => e.resource?.resourceType === type)!.request;
    expect(request('Encounter', mapped.bundle)).toEqual(request('Encounter', hl7));
    expect(request('Patient', mapped.bundle)).toEqual(request('Patient', hl7));
  });

  it('keeps a URI identifier system as sent', () => {
    const bundle = sample();
    edit(bundle, 'entry.2.resource.identifier.0.system', 'https://sih.ch-exemple.example/ipp');
    edit(bundle, 'entry.1.resource.identifier.0.system', 'https://sih.ch-exemple.example/sejour');
    const { mapped } = transactionOf(bundle);
    expect(resource<Patient>(mapped.bundle, 'Patient').identifier).toContainEqual(expect.objectContaining({ system: 'https://sih.ch-exemple.example/ipp', value: '880011' }));
    expect(resource<Encounter>(mapped.bundle, 'Encounter').identifier).toEqual([expect.objectContaining({ system: 'https://sih.ch-exemple.example/sejour', value: 'V25000101' })]);
  });

  it('maps notification-admit to an A01: stay in progress, effect admitted', () => {
    const bundle = sample();
    edit(bundle, 'entry.0.resource.eventCoding.code', 'notification-admit');
    edit(bundle, 'entry.1.resource.status', 'in-progress');
    edit(bundle, 'entry.1.resource.period.end', undefined);
    edit(bundle, 'entry.1.resource.hospitalization', undefined);
    const { reading, mapped } = transactionOf(bundle);
    expect(reading.event?.trigger).toBe('A01');
    expect(mapped.effects.kind).toBe('admitted');
    expect(resource<Encounter>(mapped.bundle, 'Encounter').status).toBe('in-progress');
  });

  it('does not record the INS of an identity that is not qualified (no FR Core VALI)', () => {
    const bundle = sample();
    edit(bundle, 'entry.2.resource.extension.0.extension.0.valueCoding.code', 'PROV');
    const { mapped } = transactionOf(bundle);
    const patient = resource<Patient>(mapped.bundle, 'Patient');
    expect(patient.identifier!.map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.999.1.1']);
    expect(JSON.stringify(patient.extension)).toContain('unqualified-ins');
    // Without the extension at all: not qualified either.
    const without = sample();
    edit(without, 'entry.2.resource.extension', undefined);
    expect(resource<Patient>(transactionOf(without).mapped.bundle, 'Patient').identifier!.map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.999.1.1']);
  });

  it('refuses a Patient whose only identifier is the INS of an unqualified identity: nothing could be written', () => {
    const bundle = sample();
    edit(bundle, 'entry.2.resource.extension.0.extension.0.valueCoding.code', 'PROV');
    edit(bundle, 'entry.2.resource.identifier', [(bundle as { entry: { resource: { identifier: unknown[] } }[] }).entry[2]!.resource.identifier[1]]);
    expect(readNotification(bundle, { facility }).errors.map((e) => e.expression)).toEqual(['Bundle.entry[2].resource.identifier']);
    // Qualified, the same INS is the key.
    edit(bundle, 'entry.2.resource.extension.0.extension.0.valueCoding.code', 'VALI');
    expect(readNotification(bundle, { facility }).errors).toEqual([]);
  });

  it('reads a Parameters whose content is the message', () => {
    const reading = readNotification({ resourceType: 'Parameters', parameter: [{ name: 'content', resource: sample() }] }, { facility });
    expect(reading.errors).toEqual([]);
    expect(reading.bundleId).toBe('chex-disch-000187');
  });

  it('names every faulty field by FHIRPath', () => {
    const bundle = sample();
    edit(bundle, 'type', 'transaction');
    edit(bundle, 'id', undefined);
    edit(bundle, 'entry.2.resource.birthDate', '18/07/1952');
    edit(bundle, 'entry.2.resource.gender', 'M');
    edit(bundle, 'entry.1.resource.period.end', 'yesterday');
    edit(bundle, 'entry.1.resource.identifier', [{ value: 'V25000101' }]);
    const reading = readNotification(bundle, { facility });
    expect(reading.event).toBeUndefined();
    expect(reading.errors.map((e) => e.expression)).toEqual([
      'Bundle.type', 'Bundle.id', 'Bundle.entry[1].resource.identifier', 'Bundle.entry[1].resource.period.end',
      'Bundle.entry[2].resource.birthDate', 'Bundle.entry[2].resource.gender',
    ]);
    expect(JSON.stringify(reading)).not.toContain('18/07/1952');
  });

  it('refuses an unsupported event, a missing focus and a subject outside the Bundle', () => {
    const transfer = sample();
    edit(transfer, 'entry.0.resource.eventCoding.code', 'notification-transfer');
    expect(readNotification(transfer, { facility }).errors.map((e) => e.expression)).toEqual(['Bundle.entry[0].resource.eventCoding.code']);
    const noFocus = sample();
    edit(noFocus, 'entry.0.resource.focus', [{ reference: 'Encounter/elsewhere' }]);
    expect(readNotification(noFocus, { facility }).errors.map((e) => e.expression)).toEqual(['Bundle.entry[0].resource.focus']);
    const noSubject = sample();
    edit(noSubject, 'entry.1.resource.subject', { reference: 'Patient/elsewhere' });
    expect(readNotification(noSubject, { facility }).errors.map((e) => e.expression)).toEqual(['Bundle.entry[1].resource.subject']);
    expect(readNotification({ resourceType: 'Patient' }, { facility }).errors.map((e) => e.expression)).toEqual(['Bundle']);
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const reading = readNotification(value, { facility });
      return reading.event === undefined ? reading.errors.length > 0 : reading.errors.length === 0;
    }), { numRuns: 500 });
  });

  it('never throws on the sample with any element replaced by arbitrary JSON', () => {
    const paths: (string | number)[][] = [];
    const walk = (node: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
    };
    walk(sample(), []);
    fc.assert(fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue(), (path, value) => {
      const bundle = sample();
      edit(bundle, path, value);
      const reading = readNotification(bundle, { facility });
      if (reading.event !== undefined) adtToTransaction(reading.event, context());
      return reading.event === undefined ? reading.errors.length > 0 : reading.errors.length === 0;
    }), { numRuns: 1000 });
  });
});

describe('responseMessage', () => {
  it('answers with a message whose header carries the request Bundle id and ok, the same for the same stored message', () => {
    const input = { requestBundleId: 'chex-disch-000187', eventCoding: { system: 's', code: 'notification-discharge' }, messageId: 'm1', timestamp: GOLDEN_NOW, endpoint: 'https://p.example/fhir/$process-message' };
    const answer = responseMessage(input);
    expect(answer.type).toBe('message');
    expect(answer.entry?.[0]?.resource).toMatchObject({ resourceType: 'MessageHeader', response: { identifier: 'chex-disch-000187', code: 'ok' }, eventCoding: { code: 'notification-discharge' } });
    expect(responseMessage(input)).toEqual(answer);
    expect(responseMessage({ ...input, messageId: 'm2' }).id).not.toBe(answer.id);
  });
});
