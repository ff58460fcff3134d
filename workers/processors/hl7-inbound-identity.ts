/**
 * Identity resolution of the `hl7-inbound` worker (SPEC §3, identitovigilance): the searches
 * `decidePatientMatch` needs, all restricted to the message's tenant.
 * - by IPP: PID-3 identifiers of type PI, in the facility's namespace (the mapper's own rule);
 * - by INS: only when PID-32 says the identity is qualified (VALI) and the key is valid;
 * - by traits (family name, given name, birth date): only to detect a possible duplicate, never
 *   to select a Patient (the decision table in `mappings/adt/identity.ts`).
 *
 * Cost: the IPP and INS searches are one request (`identifier=a,b` is an OR), split back by
 * which identifier each Patient carries; the traits search is made only when neither key found
 * anyone, the one case where `decidePatientMatch` reads it. Most messages are about a known
 * person, so most cost one search, not three (the traits search is also the heaviest: a common
 * name and birth date can match many Patients).
 */
import type { Patient } from '@medplum/fhirtypes';
import type { AdtEvent, Hl7Name } from '../../mappings/hl7/adt-types.js';
import { decidePatientMatch, identityQualified, type AdtMappingContext, type PatientMatch } from '../../mappings/adt/index.js';
import { insIdentifier, sortPatientIdentifiers } from '../../mappings/adt/resources/identifiers.js';
import type { FhirClient } from '../fhir-client/index.js';
import { tenantTag, token } from './hl7-inbound-fhir.js';

/** The decision and the stored Patient it lands on (what the message does not carry is kept). */
export interface ResolvedIdentity {
  match: PatientMatch;
  currentPatient?: Patient;
}

/**
 * Searches the tenant for the message's person and decides which Patient it is.
 * Undefined for events without a PID (nothing to resolve) and for merges (A40 is keyed on the
 * identifiers it names; the merge itself is the identity decision).
 */
export async function resolveIdentity(fhir: FhirClient, event: AdtEvent, ctx: AdtMappingContext): Promise<ResolvedIdentity | undefined> {
  const patient = event.patient;
  if (patient === undefined || event.trigger === 'A40') return undefined;
  const _tag = tenantTag(ctx.tenant);
  const sorted = sortPatientIdentifiers(patient.identifiers, ctx, []);
  const qualified = identityQualified(patient);
  const ins = qualified && sorted.ins?.keyValid === true ? insIdentifier(sorted.ins) : undefined;
  const traits = traitsOf(patient.names, patient.birthDate);

  const { byIpp, byIns } = await searchByKeys(fhir, sorted.ipps, ins, _tag);
  // decidePatientMatch reads the traits only when no key matched: otherwise the search is wasted.
  const byTraits = traits === undefined || byIpp.length > 0 || byIns.length > 0
    ? []
    : (await fhir.searchAll('Patient', { family: traits.family, birthdate: traits.birthDate, _tag })).filter((p) => sameTraits(p, traits));
  const match = decidePatientMatch({ byIpp, byIns, byTraits, identityQualified: qualified });
  if (match.action !== 'use' && match.action !== 'use-and-reconcile') return { match };
  // The chosen id may be a merge survivor that none of the searches returned: read it.
  const found = [...byIpp, ...byIns].find((p) => p.id === match.patientId && p.active !== false);
  return { match, currentPatient: found ?? (await fhir.read('Patient', match.patientId)) };
}

type Key = { system?: string | undefined; value?: string | undefined };

/**
 * The Patients holding one of the IPPs, and those holding the INS, in one search. A value with a
 * comma (the OR separator) falls back to one search per key, as before.
 */
async function searchByKeys(fhir: FhirClient, ipps: readonly Key[], ins: Key | undefined, _tag: string): Promise<{ byIpp: Patient[]; byIns: Patient[] }> {
  const keys = [...ipps, ...(ins === undefined ? [] : [ins])];
  if (keys.length === 0) return { byIpp: [], byIns: [] };
  if (keys.some((key) => token(key).includes(','))) {
    const [byIpp, byIns] = await Promise.all([
      Promise.all(ipps.map((ipp) => fhir.searchAll('Patient', { identifier: token(ipp), _tag }))).then((lists) => lists.flat()),
      ins === undefined ? Promise.resolve([]) : fhir.searchAll('Patient', { identifier: token(ins), _tag }),
    ]);
    return { byIpp, byIns };
  }
  const found = await fhir.searchAll('Patient', { identifier: keys.map(token).join(','), _tag });
  return {
    byIpp: found.filter((patient) => ipps.some((ipp) => holds(patient, ipp))),
    byIns: ins === undefined ? [] : found.filter((patient) => holds(patient, ins)),
  };
}

/**
 * Whether the Patient carries the identifier, compared as leniently as a token search may be
 * (our store ignores case; HAPI does not): a Patient the server returned is never dropped.
 */
function holds(patient: Patient, key: Key): boolean {
  const system = (key.system ?? '').toLowerCase();
  const value = (key.value ?? '').toLowerCase();
  return (patient.identifier ?? []).some((i) => (i.system ?? '').toLowerCase() === system && (i.value ?? '').toLowerCase() === value);
}

interface Traits {
  family: string;
  given: string | undefined;
  birthDate: string;
}

/** The birth name (L) if sent, else the first name with a family name; with the birth date. */
function traitsOf(names: readonly Hl7Name[], birthDate: string | undefined): Traits | undefined {
  const name = names.find((n) => n.typeCode === 'L' && n.family !== undefined) ?? names.find((n) => n.family !== undefined);
  if (name?.family === undefined || birthDate === undefined) return undefined;
  return { family: name.family, given: name.given, birthDate };
}

/**
 * FHIR string search matches prefixes (`PERRIN` finds `PERRINET`): keep the Patients whose
 * family name is the same once case and accents are set aside, and who share the first given
 * name when the message sends one.
 */
function sameTraits(patient: Patient, traits: Traits): boolean {
  if (patient.birthDate !== traits.birthDate) return false;
  const family = fold(traits.family);
  const given = traits.given === undefined ? undefined : fold(traits.given);
  return (patient.name ?? []).some((n) =>
    n.family !== undefined && fold(n.family) === family && (given === undefined || (n.given ?? []).some((g) => fold(g) === given)));
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z]+/g, ' ').trim();
}
