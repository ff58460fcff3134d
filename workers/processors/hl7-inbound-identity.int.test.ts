/**
 * Identity resolution of the `hl7-inbound` worker against the embedded store (its own process):
 * the IPP and INS searched together and told apart again, the traits read only when no key
 * matched, each decision of the table in `mappings/adt/identity.ts` reached from stored Patients.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Identifier, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { facilityNamespaceFor, type AdtMappingContext } from '../../mappings/adt/index.js';
import { insIdentifier, sortPatientIdentifiers } from '../../mappings/adt/resources/identifiers.js';
import type { AdtEvent } from '../../mappings/hl7/adt-types.js';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { insKey } from '../../mappings/identifiers/ins.js';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { useFhirStoreProcess } from '../../test/helpers/store-fixture.js';
import { resolveIdentity } from './hl7-inbound-identity.js';

const FIXTURE = readFileSync(new URL('../../mappings/hl7/__fixtures__/adt-a01-pam-fr.hl7', import.meta.url), 'utf8');

const fhirStore = useFhirStoreProcess('hl7-inbound-identity');

let serial = 0;

/** The fixture's A01 for a fresh person (IPP, qualified INS) in a fresh tenant, with what the worker would search. */
function fixtureFor() {
  serial++;
  const ipp = `ID${Date.now() % 1e8}${serial}`;
  const body = `1${String(serial).padStart(4, '0')}99${String(Date.now() % 1e6).padStart(6, '0')}`;
  const ins = `${body}${String(insKey(body)).padStart(2, '0')}`;
  const raw = FIXTURE.split('880011').join(ipp).split('152072505612380').join(ins);
  const event = assessHl7(Buffer.from(raw, 'utf8')).adt?.event as AdtEvent;
  const tenant = `t${randomUUID().slice(0, 8)}`;
  const ctx: AdtMappingContext = {
    clientId: 'chu-exemple', tenant, facilityNamespace: facilityNamespaceFor('chu-exemple', event.sendingFacility),
    now: '2025-01-10T09:15:00Z', messageId: `msg-${serial}`,
  };
  const sorted = sortPatientIdentifiers(event.patient!.identifiers, ctx, []);
  const keys = { ipp: sorted.ipps[0]!, ins: insIdentifier(sorted.ins!) };
  const stored = async (identifiers: Identifier[], extra: Partial<Patient> = {}) => fhirStore.fhir.create<Patient>({
    resourceType: 'Patient', meta: { tag: [{ system: CODE_SYSTEM.tenant, code: tenant }] }, identifier: identifiers, ...extra,
  });
  const sameTraits: Partial<Patient> = { name: [{ family: event.patient!.names[0]!.family, given: [event.patient!.names[0]!.given!] }], birthDate: event.patient!.birthDate };
  return { event, ctx, keys, stored, sameTraits };
}

describe('resolveIdentity', () => {
  it('uses the Patient holding the IPP, and keeps it as the current Patient', async () => {
    const { event, ctx, keys, stored } = fixtureFor();
    const p = await stored([keys.ipp, keys.ins]);
    const resolved = await resolveIdentity(fhirStore.fhir, event, ctx);
    expect(resolved?.match).toEqual({ action: 'use', patientId: p.id });
    expect(resolved?.currentPatient?.id).toBe(p.id);
  });

  it('tells the IPP holder from another holder of the INS found by the same search', async () => {
    const { event, ctx, keys, stored } = fixtureFor();
    const byIpp = await stored([keys.ipp]);
    const byIns = await stored([keys.ins]);
    const resolved = await resolveIdentity(fhirStore.fhir, event, ctx);
    expect(resolved?.match).toEqual({
      action: 'use-and-reconcile', patientId: byIpp.id, reason: 'ipp-ins-conflict', candidates: [byIpp.id, byIns.id].sort(), withholdIns: true,
    });
  });

  it('uses the holder of the qualified INS when no Patient has the IPP, whatever the traits say', async () => {
    const { event, ctx, keys, stored, sameTraits } = fixtureFor();
    const holder = await stored([keys.ins]);
    await stored([{ system: 'urn:oid:1.2.3', value: 'other' }], sameTraits);
    expect((await resolveIdentity(fhirStore.fhir, event, ctx))?.match).toEqual({ action: 'use', patientId: holder.id });
  });

  it('reads the traits when no key matched: a namesake is a possible duplicate, nobody is a creation', async () => {
    const first = fixtureFor();
    expect((await resolveIdentity(fhirStore.fhir, first.event, first.ctx))?.match).toEqual({ action: 'create' });
    const namesake = await first.stored([{ system: 'urn:oid:1.2.3', value: 'other' }], first.sameTraits);
    expect((await resolveIdentity(fhirStore.fhir, first.event, first.ctx))?.match).toEqual({
      action: 'create-and-reconcile', reason: 'same-traits', candidates: [namesake.id], withholdIns: false,
    });
  });

  it('never sees another tenant’s Patients', async () => {
    const { event, ctx, keys } = fixtureFor();
    await fhirStore.fhir.create<Patient>({ resourceType: 'Patient', meta: { tag: [{ system: CODE_SYSTEM.tenant, code: 'elsewhere' }] }, identifier: [keys.ipp, keys.ins] });
    expect((await resolveIdentity(fhirStore.fhir, event, ctx))?.match).toEqual({ action: 'create' });
  });
});
