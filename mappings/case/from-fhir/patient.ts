/** Patient → the `patient` part of a case document (see to-fhir/patient.ts for the rules). */
import type { Patient } from '@medplum/fhirtypes';
import { EXTENSION, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { IDENTITY_STATUSES, INS_KINDS, SEXES } from '../code-lists.js';
import type { CasePatient } from '../schema.js';
import { compact, identifierValue, isCode } from './common.js';
import { practitionerIdentity } from './parties.js';
import type { Resolver } from './resolver.js';

/** Reads a Patient as the client `clientId` knows it. */
export function patientFromFhir(patient: Patient, resolver: Resolver, clientId: string, issues: string[]): CasePatient {
  let id = identifierValue(patient.identifier, sourceIdentifierSystem(clientId, 'patient'));
  if (id === undefined) {
    issues.push(`patient.id: Patient/${patient.id ?? '?'} ne porte pas d'identifiant de ${clientId} ; l'id du serveur est utilisé`);
    id = patient.id ?? '';
  }

  let ins: CasePatient['ins'];
  for (const kind of ['NIR', 'NIA'] as const) {
    const value = identifierValue(patient.identifier, INS_KINDS[kind].system);
    if (value !== undefined && ins === undefined) ins = { value, kind, identityStatus: 'qualified' };
  }
  const unqualified = patient.extension?.find((e) => e.url === EXTENSION.unqualifiedIns);
  if (!ins && unqualified) {
    const sub = (url: string) => unqualified.extension?.find((e) => e.url === url);
    const value = sub('value')?.valueString;
    const kind = sub('kind')?.valueCode;
    const status = sub('identityStatus')?.valueCode;
    if (value !== undefined && isCode(INS_KINDS, kind) && isCode(IDENTITY_STATUSES, status)) ins = { value, kind, identityStatus: status };
  }

  const usual = patient.name?.find((n) => n.use === 'usual');
  const official = patient.name?.find((n) => n.use === 'official');
  const main = usual ?? official ?? patient.name?.[0];
  const address = patient.address?.[0];
  const gp = resolver.resolve(patient.generalPractitioner?.[0], 'Practitioner');
  const gender = patient.gender;
  return compact({
    id,
    ins,
    familyName: main?.family ?? '',
    birthFamilyName: usual ? official?.family : undefined,
    givenNames: main?.given && main.given.length > 0 ? main.given : undefined,
    birthDate: patient.birthDate,
    sex: isCode(SEXES, gender) ? gender : undefined,
    address: address
      ? compact({
        lines: address.line && address.line.length > 0 ? address.line : undefined,
        postalCode: address.postalCode,
        city: address.city,
        country: address.country,
      })
      : undefined,
    phone: patient.telecom?.find((t) => t.system === 'phone')?.value,
    generalPractitioner: gp ? practitionerIdentity(gp, clientId) : undefined,
  }) as CasePatient;
}
