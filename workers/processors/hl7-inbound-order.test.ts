import { describe, expect, it } from 'vitest';
import type { AdtEvent, Hl7Identifier } from '../../mappings/hl7/adt-types.js';
import { readFileSync } from 'node:fs';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { sampleNotification } from '../../mappings/notification/__fixtures__/sample.js';
import { notificationFacility, readNotification } from '../../mappings/notification/index.js';
import { personTokens } from './hl7-inbound-order.js';

const authority = { namespaceId: 'CH_EXEMPLE', universalId: '1.2.250.1.999.1.1', universalIdType: 'ISO' };
const ipp = (value: string): Hl7Identifier => ({ value, assigningAuthority: authority, typeCode: 'PI' });
const ins: Hl7Identifier = { value: '152072505612380', typeCode: 'INS' };

function event(identifiers: Hl7Identifier[], merges: Hl7Identifier[][] = []): AdtEvent {
  const patient = { identifiers, names: [], addresses: [], telecoms: [], identityReliability: [] };
  return {
    trigger: merges.length > 0 ? 'A40' : 'A01', supported: true, messageType: 'ADT', controlId: 'C1',
    sendingApplication: { namespaceId: '', universalId: '', universalIdType: '' }, sendingFacility: authority,
    patient, generalPractitioners: [], merges: merges.map((prior) => ({ survivor: patient, priorIdentifiers: prior })),
  };
}

describe('personTokens', () => {
  it('gives the same person the same token, whatever else the message carries', () => {
    expect(personTokens('CH_EXEMPLE', event([ipp('880011'), ins]))).toEqual(personTokens('CH_EXEMPLE', event([ipp('880011')])));
  });

  it('tells persons and facilities apart, and never shows the identifier', () => {
    const [a] = personTokens('CH_EXEMPLE', event([ipp('880011')]));
    expect(personTokens('CH_EXEMPLE', event([ipp('880012')]))).not.toContain(a);
    expect(personTokens('CH_AUTRE', event([ipp('880011')]))).not.toContain(a);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
  });

  it('names both persons of a merge, and falls back on the INS only without any other identifier', () => {
    expect(personTokens('CH_EXEMPLE', event([ipp('880011')], [[ipp('880099')]]))).toHaveLength(2);
    expect(personTokens('CH_EXEMPLE', event([ins]))).toHaveLength(1);
    expect(personTokens('CH_EXEMPLE', event([]))).toEqual([]);
  });

  it('gives one person the same token whether the hospital sends HL7 or a FHIR notification', () => {
    const a03 = assessHl7(readFileSync(new URL('../../mappings/hl7/__fixtures__/adt-a03-pam-fr.hl7', import.meta.url)));
    const notification = readNotification(sampleNotification(), { facility: notificationFacility('chex', ['CH_EXEMPLE']) });
    const fromHl7 = personTokens('CH_EXEMPLE', a03.adt!.event);
    expect(fromHl7).toHaveLength(1);
    expect(personTokens('CH_EXEMPLE', notification.event!)).toEqual(fromHl7);
  });
});
