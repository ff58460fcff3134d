/**
 * The HL7 v2 messages and coordination cases of the MLLP benchmark, built from the project's own
 * fixtures (`mappings/hl7/__fixtures__/adt-a0{1,3}-pam-fr.hl7`, `case-dupont.json`) and made
 * distinct: each message gets its own control id (MSH-10), each person their own IPP (PID-3),
 * qualified INS (PID-3 + PID-32 VALI) and visit number (PV1-19). MSH-4 becomes the facility the
 * demo client `chu-besancon` declares, so the demo clients file accepts them.
 *
 * @example
 *   const person = benchPerson(1, 42);
 *   const [a01, a03] = [adtMessage('a01', person, 'B1-1'), adtMessage('a03', person, 'B1-2')];
 */
import { readFileSync } from 'node:fs';
import type { Identifier } from '@medplum/fhirtypes';
import { visitKeyOf } from '../../mappings/adt/index.js';
import { dischargeTaskIdentifier } from '../../mappings/adt/resources/task.js';
import { insKey } from '../../mappings/identifiers/ins.js';

/** The demo hospital client (gateway/demo-clients.yaml) and the facility it declares. */
export const HOSPITAL = { clientId: 'chu-besancon', facility: 'CHU_BESANCON', key: 'demo-hospital-key' };
/** The demo DAC client of the same tenant, which writes the cases. */
export const DAC = { clientId: 'dac-doubs', key: 'demo-dac-key' };

/** PV1-19's assigning authority in the fixtures (an ISO OID, so it is the visit's system). */
const VISIT_SYSTEM = 'urn:oid:1.2.250.1.999.1.2';

const FIXTURES = new URL('../../mappings/hl7/__fixtures__/', import.meta.url);
const TEMPLATES = {
  a01: readFileSync(new URL('adt-a01-pam-fr.hl7', FIXTURES), 'utf8'),
  a03: readFileSync(new URL('adt-a03-pam-fr.hl7', FIXTURES), 'utf8'),
};
const CONTROL_IDS = { a01: 'CHEX-000101', a03: 'CHEX-000187' };
const CASE_TEMPLATE = readFileSync(new URL('../../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8');

/** One benchmark person: IPP and qualified INS (male, like the fixture's PID-8). */
export interface BenchPerson {
  ipp: string;
  ins: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A person unique per (series < 10,000, n < 1,000,000). The INS is a valid NIR (department 99,
 * born abroad; sex digit 1 as PID-8 says M).
 */
export function benchPerson(series: number, n: number): BenchPerson {
  const body = `1${pad(series % 10_000, 4)}99${pad(n % 1_000_000, 6)}`;
  return { ipp: `B${pad(series, 4)}${pad(n, 6)}`, ins: `${body}${pad(insKey(body), 2)}` };
}

/**
 * The A01 or A03 fixture for `person` and `visit`, with control id `controlId`, sent by
 * `CHU_BESANCON`. Returned as UTF-8 bytes (MSH-18 says UNICODE UTF-8).
 */
export function adtMessage(kind: 'a01' | 'a03', person: BenchPerson, visit: string, controlId: string): Buffer {
  const text = TEMPLATES[kind]
    .replace('|SIH_EXEMPLE|CH_EXEMPLE|', `|SIH_EXEMPLE|${HOSPITAL.facility}|`)
    .replace(`|${CONTROL_IDS[kind]}|`, `|${controlId}|`)
    .split('880011').join(person.ipp)
    .split('V25000101').join(visit)
    .split('152072505612380').join(person.ins);
  return Buffer.from(text, 'utf8');
}

/** The identifier of the discharge Task an A03 of `visit` raises (see hl7-inbound-effects). */
export function dischargeTaskId(visit: string): Identifier {
  const visitIdentifier: Identifier = { system: VISIT_SYSTEM, value: visit };
  return dischargeTaskIdentifier(HOSPITAL.clientId, visitKeyOf(visitIdentifier));
}

/**
 * The `case-dupont.json` coordination case (active plan, coordinating organization) for
 * `person`: the DAC's own ids (patient, request, plan) are made unique with `n`, and the INS is
 * the person's, qualified, so the hospital's messages find the plan by INS.
 */
export function benchCase(person: BenchPerson, n: number): Record<string, unknown> {
  const doc = JSON.parse(CASE_TEMPLATE) as {
    patient: { id: string; ins: { value: string } };
    supportRequest: { id: string };
    plan: { id: string };
  };
  doc.patient.id = `USR-B${n}`;
  doc.patient.ins.value = person.ins;
  doc.supportRequest.id = `DEM-B${n}`;
  doc.plan.id = `PPS-B${n}`;
  return doc as unknown as Record<string, unknown>;
}
