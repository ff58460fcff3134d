/**
 * Patient — the usager. Identity rules (identitovigilance, SPEC §3–4):
 * - a qualified INS is the official identifier (system and type per kind) and the key of the
 *   conditional update, so the case meets the Patient a hospital created with the same INS;
 * - an INS of an identity that is not qualified is never an identifier (it must not match
 *   anyone): it is kept in the `unqualified-ins` extension, and the Patient is keyed on the
 *   client's own id (`sourceIdentifierSystem(clientId, 'patient')`).
 * Names follow FR Core: `usual` = nom utilisé, `official` = nom de naissance.
 *
 * Known limit: a conditional update replaces the whole resource, so identifiers another
 * source added (a hospital IPP) are not kept by this mapper alone; the writing worker must
 * merge them (as it merges plan elements of other origins, SPEC §5).
 */
import type { BundleEntry, Extension, HumanName, Identifier, Patient } from '@medplum/fhirtypes';
import { EXTENSION, FR_SYSTEM, PROFILE } from '../../../profiles/canonical.js';
import { INS_KINDS } from '../code-lists.js';
import type { CaseDocument } from '../schema.js';
import { conditionalUpdate, ref, resourceMeta, sourceIdentifier, type MappingState } from './context.js';
import { frIdentifierType } from './identifiers.js';
import type { PartyIndex } from './parties.js';
import type { CaseUrls } from './urls.js';

/** The conditional-update entry of the case's Patient. */
export function patientEntry(doc: CaseDocument, state: MappingState, urls: CaseUrls, parties: PartyIndex): BundleEntry {
  const p = doc.patient;
  const own: Identifier = {
    ...sourceIdentifier(state.ctx, 'patient', p.id),
    type: { coding: [{ system: FR_SYSTEM.v2IdentifierType, code: 'PI', display: 'Patient internal identifier' }] },
  };
  const identifier: Identifier[] = [];
  const extension: Extension[] = [];
  let key: Identifier = own;
  if (p.ins) {
    const kind = INS_KINDS[p.ins.kind];
    if (p.ins.identityStatus === 'qualified') {
      const ins: Identifier = { use: kind.use, type: frIdentifierType(kind.type, kind.typeDisplay), system: kind.system, value: p.ins.value };
      identifier.push(ins);
      key = ins;
    } else {
      extension.push({
        url: EXTENSION.unqualifiedIns,
        extension: [
          { url: 'value', valueString: p.ins.value },
          { url: 'kind', valueCode: p.ins.kind },
          { url: 'identityStatus', valueCode: p.ins.identityStatus },
        ],
      });
      state.issues.push(`patient.ins: identité ${p.ins.identityStatus}, non qualifiée : l'INS est conservé en extension, ni identifiant ni clé de rapprochement`);
    }
  }
  identifier.push(own);

  const name: HumanName[] = [{ use: 'usual', family: p.familyName, ...(p.givenNames ? { given: p.givenNames } : {}) }];
  if (p.birthFamilyName !== undefined) {
    name.push({ use: 'official', family: p.birthFamilyName, ...(p.givenNames ? { given: p.givenNames } : {}) });
  }

  const resource: Patient = {
    resourceType: 'Patient',
    meta: resourceMeta(state.ctx, PROFILE.patient),
    ...(extension.length > 0 ? { extension } : {}),
    identifier,
    name,
    ...(p.phone !== undefined ? { telecom: [{ system: 'phone', value: p.phone }] } : {}),
    ...(p.sex !== undefined ? { gender: p.sex } : {}),
    ...(p.birthDate !== undefined ? { birthDate: p.birthDate } : {}),
    ...(p.address
      ? {
        address: [{
          use: 'home',
          ...(p.address.lines ? { line: p.address.lines } : {}),
          ...(p.address.postalCode !== undefined ? { postalCode: p.address.postalCode } : {}),
          ...(p.address.city !== undefined ? { city: p.address.city } : {}),
          ...(p.address.country !== undefined ? { country: p.address.country } : {}),
        }],
      }
      : {}),
    ...(p.generalPractitioner ? { generalPractitioner: [ref(parties.practitioner(p.generalPractitioner).fullUrl)] } : {}),
  };
  return conditionalUpdate(resource, urls.patient, key);
}
