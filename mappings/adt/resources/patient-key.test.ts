/**
 * `hasPatientKey`, the edge's AE rule for PID-3 (SPEC §3: "no usable identifier"), says yes
 * exactly when the mapper finds a key to write the Patient on: a message answered AA is one the
 * worker can write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdtPatient, Hl7Identifier } from '../../hl7/adt-types.js';
import { eventOf, fixtureBytes, goldenContext } from '../__golden__/golden-context.js';
import { hasPatientKey, patientResource } from './patient.js';

/** Any context: it only names the identifier systems, not whether there is a key. */
const CTX = goldenContext(eventOf(fixtureBytes('adt-a01-pam-fr.hl7')));

const INS_NIR_OID = '1.2.250.1.213.1.4.8';
/** A NIR with a valid key, and the same with a wrong one. */
const VALID_INS = '152072505612380';
const BAD_INS = '152072505612381';

const identifier: fc.Arbitrary<Hl7Identifier> = fc.oneof(
  fc.constant<Hl7Identifier>({ value: '880011', typeCode: 'PI', assigningAuthority: { namespaceId: 'CH', universalId: '', universalIdType: '' } }),
  fc.constant<Hl7Identifier>({ value: '880012' }),
  fc.constant<Hl7Identifier>({ value: '123456', typeCode: 'NH' }),
  fc.constant<Hl7Identifier>({ value: 'A77', typeCode: 'AN' }),
  ...[VALID_INS, BAD_INS].flatMap((value) => [
    fc.constant<Hl7Identifier>({ value, typeCode: 'INS' }),
    fc.constant<Hl7Identifier>({ value, typeCode: 'INS-NIR' }),
    fc.constant<Hl7Identifier>({ value, assigningAuthority: { namespaceId: 'ASIP-SANTE-INS-NIR', universalId: INS_NIR_OID, universalIdType: 'ISO' } }),
  ]),
);

const patient: fc.Arbitrary<AdtPatient> = fc.record({
  identifiers: fc.array(identifier, { maxLength: 4 }),
  identityReliability: fc.subarray(['VALI', 'PROV', 'VIDE', 'DOUTE', 'FICTI']),
}).map((p) => ({ ...p, names: [], addresses: [], telecoms: [] }));

describe('hasPatientKey', () => {
  it('is true exactly when the mapper finds a key for the Patient', () => {
    fc.assert(
      fc.property(patient, (p) => {
        const { key } = patientResource(p, [], { ctx: CTX, issues: [] });
        expect(hasPatientKey(p)).toBe(key !== undefined);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['an IPP', { identifiers: [{ value: '880011', typeCode: 'PI' }], identityReliability: [] }, true],
    ['a qualified INS with a valid key', { identifiers: [{ value: VALID_INS, typeCode: 'INS' }], identityReliability: ['VALI'] }, true],
    ['an unqualified INS', { identifiers: [{ value: VALID_INS, typeCode: 'INS' }], identityReliability: ['PROV'] }, false],
    ['a qualified INS with a bad key', { identifiers: [{ value: BAD_INS, typeCode: 'INS' }], identityReliability: ['VALI'] }, false],
    ['a number of another type', { identifiers: [{ value: '123456', typeCode: 'NH' }], identityReliability: ['VALI'] }, false],
  ])('says %s is %s', (_, partial, expected) => {
    expect(hasPatientKey({ names: [], addresses: [], telecoms: [], ...partial } as AdtPatient)).toBe(expected);
  });
});
