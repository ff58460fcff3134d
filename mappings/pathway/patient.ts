/**
 * Patient → the person as the pathway shows it: name, birth date, sex and identity status.
 *
 * Identity status (RNIV): an INS held as an identifier exists only for a qualified identity
 * (SPEC §3–4); otherwise the `unqualified-ins` extension carries the status it was received
 * with; with neither, nothing tells the status and it reads `unknown`.
 */
import type { Patient } from '@medplum/fhirtypes';
import { EXTENSION, FR_SYSTEM } from '../../profiles/canonical.js';
import { IDENTITY_STATUSES, SEXES } from '../case/code-lists.js';
import { compact, isCode } from '../case/from-fhir/common.js';
import { codedFromList } from './labels.js';
import type { Coded, PatientView } from './view.js';

const INS_SYSTEMS: ReadonlySet<string> = new Set([FR_SYSTEM.insNir, FR_SYSTEM.insNia, FR_SYSTEM.insNirTest, FR_SYSTEM.insNirDemo]);
const UNKNOWN_IDENTITY: Coded = { code: 'unknown', display: "Statut de l'identité non renseigné" };

function identityStatus(patient: Patient): Coded {
  if (patient.identifier?.some((i) => i.system !== undefined && INS_SYSTEMS.has(i.system))) {
    return codedFromList(IDENTITY_STATUSES, 'qualified');
  }
  const unqualified = patient.extension?.find((e) => e.url === EXTENSION.unqualifiedIns);
  const status = unqualified?.extension?.find((e) => e.url === 'identityStatus')?.valueCode;
  return isCode(IDENTITY_STATUSES, status) ? codedFromList(IDENTITY_STATUSES, status) : UNKNOWN_IDENTITY;
}

/** The person of the pathway. `usual` is the name used (nom utilisé), `official` the birth name (FR Core). */
export function patientView(patient: Patient & { id: string }): PatientView {
  const usual = patient.name?.find((n) => n.use === 'usual');
  const official = patient.name?.find((n) => n.use === 'official');
  const main = usual ?? official ?? patient.name?.[0];
  const givenNames = main?.given ?? [];
  const familyName = main?.family;
  const displayName = [...givenNames, familyName ?? ''].join(' ').trim() || main?.text || 'Nom non renseigné';
  const replacedBy = patient.link?.find((l) => l.type === 'replaced-by')?.other.reference;
  return compact({
    id: patient.id,
    displayName,
    familyName,
    birthFamilyName: usual && official?.family !== usual.family ? official?.family : undefined,
    givenNames,
    birthDate: patient.birthDate,
    sex: isCode(SEXES, patient.gender) ? codedFromList(SEXES, patient.gender) : undefined,
    identityStatus: identityStatus(patient),
    active: patient.active !== false,
    replacedBy,
  });
}
