/**
 * Unit tests per trigger event: what each root writes, the effect it reports and the issues
 * it raises, on the sample messages and on variants of them.
 */
import type { BundleEntry, Encounter, Patient, Resource, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM, HL7_SYSTEM, sourceIdentifierSystem } from '../../profiles/canonical.js';
import type { AdtEvent } from '../hl7/adt-types.js';
import { eventOf, fixtureBytes, goldenContext } from './__golden__/golden-context.js';
import type { AdtMappingOptions } from './events/types.js';
import { adtToTransaction, type AdtTransaction } from './transaction.js';

/** The event of a sample message, optionally changed. */
function event(fixture: string, change: (e: AdtEvent) => void = () => {}): AdtEvent {
  const e = eventOf(fixtureBytes(fixture));
  change(e);
  return e;
}

function map(e: AdtEvent, options: AdtMappingOptions = {}): AdtTransaction {
  return adtToTransaction(e, goldenContext(e), options);
}

function entry(t: AdtTransaction, type: string): BundleEntry | undefined {
  return t.bundle.entry?.find((x) => x.resource?.resourceType === type);
}

function resource<T extends Resource>(t: AdtTransaction, type: T['resourceType']): T {
  const found = entry(t, type)?.resource;
  if (found === undefined) throw new Error(`no ${type} in the bundle`);
  return found as T;
}

const A01 = 'adt-a01-pam-fr.hl7';
const A03 = 'adt-a03-pam-fr.hl7';

describe('A01 admission', () => {
  const t = map(event(A01));
  const patient = resource<Patient>(t, 'Patient');
  const encounter = resource<Encounter>(t, 'Encounter');

  it('writes the Patient by conditional update on the IPP in the hospital OID', () => {
    expect(entry(t, 'Patient')?.request).toEqual({ method: 'PUT', url: 'Patient?identifier=urn:oid:1.2.250.1.999.1.1|880011&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs' });
  });

  it('records the INS of a qualified identity (PID-32 VALI) as the official INS-NIR identifier', () => {
    expect(patient.identifier?.[0]).toMatchObject({ use: 'official', system: FR_SYSTEM.insNir, value: '152072505612380' });
    expect(patient.extension).toBeUndefined();
  });

  it('maps the birth name to official (every birth first name) and the used name to usual', () => {
    expect(patient.name).toEqual([
      { use: 'official', family: 'PERRIN', given: ['Marcel', 'Jean'] },
      { use: 'usual', family: 'PERRIN', given: ['Marcel'], prefix: ['M.'] },
    ]);
  });

  it('opens the stay in progress, inpatient, from PV1-44, at its current location', () => {
    expect(encounter).toMatchObject({
      status: 'in-progress',
      class: { system: HL7_SYSTEM.v3ActCode, code: 'IMP' },
      period: { start: '2025-01-10T09:00:00+01:00' },
      location: [{ status: 'active', location: { display: 'MED, chambre 2101, lit 1' } }],
    });
    expect(encounter.period?.end).toBeUndefined();
    expect(encounter.hospitalization).toBeUndefined();
    expect(entry(t, 'Encounter')?.request?.url).toBe('Encounter?identifier=urn:oid:1.2.250.1.999.1.2|V25000101&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs');
  });

  it('points the stay at the Patient and the sending facility entries', () => {
    expect(encounter.subject?.reference).toBe(entry(t, 'Patient')?.fullUrl);
    expect(encounter.serviceProvider?.reference).toBe(entry(t, 'Organization')?.fullUrl);
  });

  it('keeps the ZBE-1 movement as a secondary identifier', () => {
    expect(encounter.identifier?.[1]).toMatchObject({ use: 'secondary', value: 'MVT-101-01', system: sourceIdentifierSystem('chu-exemple', 'movement/CH_EXEMPLE') });
  });

  it('reports the admission effect with the keys the worker needs', () => {
    expect(t.effects).toMatchObject({
      kind: 'admitted',
      visitKey: 'V25000101^urn:oid:1.2.250.1.999.1.2',
      patient: { fullUrl: entry(t, 'Patient')?.fullUrl, identifier: { value: '880011' } },
      encounter: { fullUrl: entry(t, 'Encounter')?.fullUrl, identifier: { value: 'V25000101' } },
    });
  });

  it('takes the admission time from ZBE-2 when PV1-44 is empty, and says so', () => {
    const r = map(event(A01, (e) => { delete e.visit!.admitDateTime; }));
    expect(resource<Encounter>(r, 'Encounter').period).toEqual({ start: '2025-01-10T09:00:00+01:00' });
    expect(r.issues).toContain('PV1-44: missing; admission time taken from ZBE-2');
  });
});

describe('identity rules on PID-3 / PID-32', () => {
  it('keeps the INS of an unqualified identity out of the identifiers, in the unqualified-ins extension', () => {
    const t = map(event(A01, (e) => { e.patient!.identityReliability = ['PROV']; }));
    const patient = resource<Patient>(t, 'Patient');
    expect(patient.identifier?.map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.999.1.1']);
    expect(patient.extension).toEqual([{
      url: EXTENSION.unqualifiedIns,
      extension: [{ url: 'value', valueString: '152072505612380' }, { url: 'kind', valueCode: 'NIR' }, { url: 'identityStatus', valueCode: 'provisional' }],
    }]);
    expect(t.issues.some((i) => i.startsWith('PID-32: identity not qualified (PROV)'))).toBe(true);
  });

  it('drops an INS whose key is wrong, even for a qualified identity', () => {
    const t = map(event(A01, (e) => { e.patient!.identifiers[1]!.value = '152072505612381'; }));
    expect(resource<Patient>(t, 'Patient').identifier?.map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.999.1.1']);
    expect(t.issues).toContain('PID-3: INS with an invalid key; not recorded');
  });

  it('recognises an INS by its OID even without a type, and an INS-NIA as temporary', () => {
    const t = map(event(A01, (e) => {
      const ins = e.patient!.identifiers[1]!;
      delete ins.typeCode;
      ins.assigningAuthority = { namespaceId: 'ASIP-SANTE-INS-NIA', universalId: '1.2.250.1.213.1.4.9', universalIdType: 'ISO' };
    }));
    expect(resource<Patient>(t, 'Patient').identifier?.[0]).toMatchObject({ use: 'temp', system: FR_SYSTEM.insNia });
  });

  it('derives the IPP namespace from PID-3.4 when it has no OID, else from MSH-4', () => {
    const named = map(event(A01, (e) => { e.patient!.identifiers[0]!.assigningAuthority = { namespaceId: 'GHT_NORD', universalId: '', universalIdType: '' }; }));
    expect(resource<Patient>(named, 'Patient').identifier?.[1]?.system).toBe(sourceIdentifierSystem('chu-exemple', 'ipp/GHT_NORD'));
    const bare = map(event(A01, (e) => { delete e.patient!.identifiers[0]!.assigningAuthority; }));
    expect(entry(bare, 'Patient')?.request?.url).toBe(`Patient?identifier=${sourceIdentifierSystem('chu-exemple', 'ipp/CH_EXEMPLE')}|880011&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs`);
  });

  it('keys the Patient on the qualified INS when PID-3 has no IPP', () => {
    const t = map(event(A01, (e) => { e.patient!.identifiers.shift(); }));
    expect(entry(t, 'Patient')?.request?.url).toBe(`Patient?identifier=${FR_SYSTEM.insNir}|152072505612380&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs`);
  });

  it('writes neither Patient nor stay when there is no IPP and the INS is not qualified', () => {
    const t = map(event(A01, (e) => { e.patient!.identifiers.shift(); e.patient!.identityReliability = ['PROV']; }));
    expect(t.bundle.entry).toEqual([]);
    expect(t.effects).toEqual({ kind: 'none' });
    expect(t.issues).toContain('PID-3: no usable patient identifier (no IPP, no qualified INS); no Patient written');
  });

  it.each([['M', 'male'], ['F', 'female'], ['U', 'unknown'], ['O', 'other'], ['A', 'other'], ['N', 'other']])('maps PID-8 %s to %s', (sex, gender) => {
    expect(resource<Patient>(map(event(A01, (e) => { e.patient!.sex = sex; })), 'Patient').gender).toBe(gender);
  });

  it('reports a PID-8 value outside table 0001', () => {
    const t = map(event(A01, (e) => { e.patient!.sex = 'X'; }));
    expect(resource<Patient>(t, 'Patient').gender).toBeUndefined();
    expect(t.issues).toContain('PID-8: sex X not mapped');
  });

  it('maps death (PID-29 / PID-30), e-mail, mobile phone and birth place', () => {
    const t = map(event(A01, (e) => {
      e.patient!.deathDateTime = '2025-01-12T03:00:00+01:00';
      e.patient!.deathIndicator = 'Y';
      e.patient!.telecoms.push({ value: 'm.perrin@example.fr', useCode: 'NET', equipmentType: 'Internet' }, { value: '0600000001', useCode: 'PRN', equipmentType: 'CP' });
      e.patient!.addresses.push({ city: 'Morteau', postalCode: '25500', country: 'FRA', typeCode: 'BDL' });
    }));
    const patient = resource<Patient>(t, 'Patient');
    expect(patient.deceasedDateTime).toBe('2025-01-12T03:00:00+01:00');
    expect(patient.telecom?.slice(1)).toEqual([{ system: 'email', value: 'm.perrin@example.fr' }, { system: 'phone', value: '0600000001', use: 'mobile' }]);
    expect(patient.address).toHaveLength(1);
    expect(patient.extension).toEqual([{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Morteau', postalCode: '25500', country: 'FRA' } }]);
  });
});

describe('A04 registration', () => {
  it('opens an ambulatory stay and reports an admission', () => {
    const t = map(event('adt-a04-issues.hl7'));
    expect(resource<Encounter>(t, 'Encounter')).toMatchObject({ status: 'in-progress', class: { code: 'AMB' } });
    expect(t.effects.kind).toBe('admitted');
  });

  it('keeps a patient class without ActCode as the v2 code, and UNK when PV1-2 is empty', () => {
    const b = map(event('adt-a04-issues.hl7', (e) => { e.visit!.patientClass = 'B'; }));
    expect(resource<Encounter>(b, 'Encounter').class).toEqual({ system: HL7_SYSTEM.v2PatientClass, code: 'B', display: 'Obstetrics' });
    const none = map(event('adt-a04-issues.hl7', (e) => { delete e.visit!.patientClass; }));
    expect(resource<Encounter>(none, 'Encounter').class).toMatchObject({ system: HL7_SYSTEM.v3NullFlavor, code: 'UNK' });
    expect(none.issues).toContain('PV1-2: patient class missing; Encounter.class = UNK');
  });
});

describe('A03 discharge', () => {
  const t = map(event(A03));
  const encounter = resource<Encounter>(t, 'Encounter');

  it('finishes the stay with its period, exit mode and FINESS destination', () => {
    expect(encounter.status).toBe('finished');
    expect(encounter.period).toEqual({ start: '2025-01-10T09:00:00+01:00', end: '2025-01-18T14:00:00+01:00' });
    expect(encounter.hospitalization?.dischargeDisposition).toEqual({ coding: [{ system: CODE_SYSTEM.exitMode, code: '8', display: 'Retour au domicile' }] });
    expect(encounter.hospitalization?.destination).toMatchObject({ type: 'Location', identifier: { system: FR_SYSTEM.finess, value: '250009990' } });
    expect(encounter.location?.[0]?.status).toBe('completed');
  });

  it('reports the discharge effect with the discharge time', () => {
    expect(t.effects).toMatchObject({ kind: 'discharged', visitKey: 'V25000101^urn:oid:1.2.250.1.999.1.2', dischargeDateTime: '2025-01-18T14:00:00+01:00' });
  });

  it('writes the same Patient and stay entries as the A01 of that stay (same fullUrls, same keys)', () => {
    const admission = map(event(A01));
    for (const type of ['Organization', 'Patient', 'Encounter']) {
      expect(entry(t, type)?.fullUrl).toBe(entry(admission, type)?.fullUrl);
      expect(entry(t, type)?.request).toEqual(entry(admission, type)?.request);
    }
  });

  it('uses the ZFM-2 exit mode when PV1-36 is empty', () => {
    const zfm = map(event('adt-a03-v231-zfm.hl7'));
    expect(resource<Encounter>(zfm, 'Encounter').hospitalization).toEqual({
      destination: { type: 'Location', identifier: expect.objectContaining({ system: FR_SYSTEM.finess, value: '250000015' }) as unknown, display: 'FINESS 250000015' },
      dischargeDisposition: { coding: [{ system: CODE_SYSTEM.exitMode, code: '7', display: 'Transfert définitif' }] },
    });
  });

  it('keeps a destination that is not a FINESS as a display, and a PV1-36 outside the PMSI modes as text', () => {
    const r = map(event(A03, (e) => { e.visit!.dischargeDisposition = 'R'; e.visit!.dischargedTo = { location: 'EHPAD Les Tilleuls' }; }));
    expect(resource<Encounter>(r, 'Encounter').hospitalization).toEqual({ destination: { display: 'EHPAD Les Tilleuls' }, dischargeDisposition: { text: 'R' } });
    expect(r.issues).toContain('PV1-36: R is not a PMSI exit mode (0, 6, 7, 8, 9); kept as text');
  });

  it('reads a 9-digit PV1-37 with a wrong Luhn key as a name, not a FINESS', () => {
    const r = map(event(A03, (e) => { e.visit!.dischargedTo = { location: '250009991' }; }));
    expect(resource<Encounter>(r, 'Encounter').hospitalization?.destination).toEqual({ display: '250009991' });
  });

  it('takes the discharge time from ZBE-2 when PV1-45 is empty, and drops an end before the start', () => {
    const fallback = map(event(A03, (e) => { delete e.visit!.dischargeDateTime; }));
    expect(resource<Encounter>(fallback, 'Encounter').period?.end).toBe('2025-01-18T14:00:00+01:00');
    expect(fallback.issues).toContain('PV1-45: missing; discharge time taken from ZBE-2');
    const reversed = map(event(A03, (e) => { e.visit!.dischargeDateTime = '2025-01-01T10:00:00+01:00'; }));
    expect(resource<Encounter>(reversed, 'Encounter').period).toEqual({ start: '2025-01-10T09:00:00+01:00' });
    expect(reversed.issues).toContain('PV1-45: discharge before admission (PV1-44); period.end dropped');
  });

  it('maps a ZBE-4 CANCEL of an A03 as a cancelled discharge (A13)', () => {
    const r = map(event(A03, (e) => { e.movement!.action = 'CANCEL'; e.movement!.originalTrigger = 'A03'; }));
    expect(resource<Encounter>(r, 'Encounter').status).toBe('in-progress');
    expect(r.effects.kind).toBe('discharge-cancelled');
    expect(r.issues).toContain('ZBE-4: CANCEL of A03 in an A03; mapped as A13 (discharge cancelled)');
  });
});

describe('A08 update', () => {
  it('updates the Patient and the stay as PV1 describes it, without effect', () => {
    const t = map(event('adt-a08-latin1.hl7'));
    expect(resource<Patient>(t, 'Patient').name?.[0]).toEqual({ use: 'official', family: 'BÉRANGER', given: ['Françoise', 'Hélène'], prefix: ['Mme'] });
    expect(resource<Encounter>(t, 'Encounter').status).toBe('in-progress');
    expect(t.effects).toEqual({ kind: 'none' });
  });

  it('finishes the stay when PV1-45 is valued', () => {
    const t = map(event('adt-a08-latin1.hl7', (e) => { e.visit!.dischargeDateTime = '2025-07-12T12:00:00+02:00'; }));
    expect(resource<Encounter>(t, 'Encounter')).toMatchObject({ status: 'finished', period: { end: '2025-07-12T12:00:00+02:00' } });
    expect(t.effects.kind).toBe('none');
  });

  it('updates the Patient only when there is no stay', () => {
    const t = map(event('adt-a08-latin1.hl7', (e) => { delete e.visit; }));
    expect(t.bundle.entry?.map((x) => x.resource?.resourceType)).toEqual(['Organization', 'Patient', 'Provenance']);
    expect(t.issues).toContain('PV1: absent; Patient updated only');
  });
});

describe('A11 cancelled admission', () => {
  const a11 = (change: (e: AdtEvent) => void = () => {}) => event(A01, (e) => { e.trigger = 'A11'; e.movement!.action = 'CANCEL'; e.movement!.originalTrigger = 'A01'; change(e); });

  it('writes the stay cancelled, without location, and no effect', () => {
    const t = map(a11());
    expect(resource<Encounter>(t, 'Encounter')).toMatchObject({ status: 'cancelled', period: { start: '2025-01-10T09:00:00+01:00' } });
    expect(resource<Encounter>(t, 'Encounter').location).toBeUndefined();
    expect(t.effects).toEqual({ kind: 'none' });
  });

  it('reads a ZBE-4 CANCEL of an admission in another event as an A11', () => {
    const t = map(event(A01, (e) => { e.movement!.action = 'CANCEL'; }));
    expect(resource<Encounter>(t, 'Encounter').status).toBe('cancelled');
    expect(t.issues).toContain('ZBE-4: CANCEL of A01 in an A01; mapped as A11 (admission cancelled)');
  });

  it('says when ZBE-6 names something else than an admission', () => {
    expect(map(a11((e) => { e.movement!.originalTrigger = 'A03'; })).issues).toContain('ZBE-6: A11 cancels A03, not an admission; read as the cancel of the admission');
  });
});

describe('A13 cancelled discharge', () => {
  it('puts the stay back in progress, without end nor discharge details, and reports the cancellation', () => {
    const t = map(event('adt-a13-pam-fr.hl7'));
    const encounter = resource<Encounter>(t, 'Encounter');
    expect(encounter.status).toBe('in-progress');
    expect(encounter.period).toEqual({ start: '2025-01-10T09:00:00+01:00' });
    expect(encounter.hospitalization).toBeUndefined();
    expect(t.effects).toMatchObject({ kind: 'discharge-cancelled', visitKey: 'V25000101^urn:oid:1.2.250.1.999.1.2' });
  });

  it('ignores discharge fields an A13 still carries, and says so', () => {
    const t = map(event('adt-a13-pam-fr.hl7', (e) => { e.visit!.dischargeDisposition = '8'; e.visit!.dischargeDateTime = '2025-01-18T14:00:00+01:00'; }));
    expect(resource<Encounter>(t, 'Encounter').hospitalization).toBeUndefined();
    expect(resource<Encounter>(t, 'Encounter').period?.end).toBeUndefined();
    expect(t.issues).toEqual(expect.arrayContaining(['PV1-36: ignored, the stay is in-progress', 'PV1-45: ignored, the stay is in-progress']));
  });
});

describe('A40 merge', () => {
  it('writes the survivor and reports the pair to merge', () => {
    const t = map(event('adt-a40-merge.hl7'));
    expect(entry(t, 'Patient')?.request?.url).toBe('Patient?identifier=urn:oid:1.2.250.1.999.1.1|880011&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs');
    expect(t.effects).toMatchObject({
      kind: 'merged',
      survivor: { system: 'urn:oid:1.2.250.1.999.1.1', value: '880011' },
      prior: [{ system: 'urn:oid:1.2.250.1.999.1.1', value: '880099' }],
    });
    expect(t.effects.kind === 'merged' && t.effects.pairs).toHaveLength(1);
  });

  it('merges nothing when MRG-1 names the survivor itself', () => {
    const t = map(event('adt-a40-merge.hl7', (e) => { e.merges[0]!.priorIdentifiers[0]!.value = '880011'; }));
    expect(t.effects).toEqual({ kind: 'none' });
    expect(t.issues).toContain("MRG-1: the prior identifier is the survivor's; pair not merged");
  });
});

describe('identity decision applied to the write', () => {
  it('writes to the chosen Patient by conditional update on _id', () => {
    const t = map(event(A01), { match: { action: 'use', patientId: 'p-42' } });
    expect(entry(t, 'Patient')?.request).toEqual({ method: 'PUT', url: 'Patient?_id=p-42&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs' });
    expect(resource<Patient>(t, 'Patient').id).toBe('p-42');
  });

  it('withholds a disputed INS and raises a reconciliation Task that carries it', () => {
    const t = map(event(A01), { match: { action: 'use-and-reconcile', patientId: 'p-1', reason: 'ipp-ins-conflict', candidates: ['p-1', 'p-2'], withholdIns: true } });
    expect(resource<Patient>(t, 'Patient').identifier?.map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.999.1.1']);
    const task = resource<Task>(t, 'Task');
    expect(task).toMatchObject({ status: 'requested', code: { coding: [{ system: CODE_SYSTEM.taskCode, code: 'identity-reconciliation' }] }, for: { reference: entry(t, 'Patient')?.fullUrl } });
    expect(task.input?.map((i) => i.valueReference?.reference ?? i.valueIdentifier?.value)).toEqual(['Patient/p-1', 'Patient/p-2', '152072505612380']);
    expect(entry(t, 'Task')?.request).toMatchObject({ method: 'POST', ifNoneExist: expect.stringMatching(/^identifier=.+identity-reconciliation\|ipp-ins-conflict\//) as unknown });
  });

  it('keeps what the message does not carry from the current Patient (other identifiers, merge links)', () => {
    const current: Patient = {
      resourceType: 'Patient',
      id: 'p-1',
      active: false,
      identifier: [{ system: sourceIdentifierSystem('dac-doubs', 'patient'), value: 'USR-1' }, { system: 'urn:oid:1.2.250.1.999.1.1', value: 'old' }],
      link: [{ type: 'replaced-by', other: { reference: 'Patient/p-9' } }],
      extension: [{ url: EXTENSION.unqualifiedIns, extension: [] }],
    };
    const patient = resource<Patient>(map(event(A01), { currentPatient: current }), 'Patient');
    expect(patient.identifier?.map((i) => i.value)).toEqual(['152072505612380', '880011', 'USR-1']);
    expect(patient).toMatchObject({ id: 'p-1', active: false, link: current.link });
    expect(patient.extension).toBeUndefined(); // a qualified INS supersedes the unqualified-ins extension
  });
});

describe('unsupported input', () => {
  it('writes nothing for an event SPEC §3 does not support', () => {
    const t = map(event(A01, (e) => { e.supported = false; e.trigger = 'A02'; }));
    expect(t).toEqual({ bundle: { resourceType: 'Bundle', type: 'transaction', entry: [] }, issues: ['ADT^A02: event not supported; nothing written'], effects: { kind: 'none' } });
  });
});
