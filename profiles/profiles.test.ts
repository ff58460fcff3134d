import { OperationOutcomeError } from '@medplum/core';
import type { CarePlan, CareTeam, Extension, Organization, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM, HL7_SYSTEM } from './canonical.js';
import { validateAgainstProfiles } from './index.js';

/*
 * Each profile accepts a minimal resource and rejects the faults that matter, each named by
 * the path and the rule that caught it. Minimal resources are built here, by hand, so these
 * tests do not depend on the mappers (the conformance test covers those).
 */

/** The error issues of validating `resource` (empty when it is accepted). */
function errors(resource: Resource): { path: string; text: string }[] {
  try {
    validateAgainstProfiles(resource);
    return [];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) {
      throw err;
    }
    return (err.outcome.issue ?? [])
      .filter((i) => i.severity === 'error')
      .map((i) => ({ path: i.expression?.[0] ?? '', text: i.details?.text ?? '' }));
  }
}

/** Asserts a rejection on `path` whose message matches `text`. */
function expectRejected(resource: Resource, path: string, text: RegExp): void {
  const found = errors(resource);
  expect(found, JSON.stringify(found)).toContainEqual({ path, text: expect.stringMatching(text) });
}

const origin = (id: string): Extension => ({
  url: EXTENSION.origin,
  extension: [
    { url: 'client', valueString: 'dac-doubs' },
    { url: 'case', valueString: 'DOS-1' },
    { url: 'id', valueString: id },
  ],
});

const ins: NonNullable<Patient['identifier']>[number] = {
  use: 'official',
  type: { coding: [{ system: FR_SYSTEM.frCoreIdentifierType, code: 'INS-NIR' }] },
  system: FR_SYSTEM.insNir,
  value: '279035121518989',
};

const patient: Patient = {
  resourceType: 'Patient',
  identifier: [ins, { system: 'https://fhir.passerelle.fr/sid/dac-doubs/patient', value: 'USR-981' }],
  name: [{ use: 'usual', family: 'DUPONT' }],
};

const carePlan: CarePlan = {
  resourceType: 'CarePlan',
  identifier: [{ system: 'https://fhir.passerelle.fr/sid/dac-doubs/case', value: 'DOS-1' }],
  status: 'active',
  intent: 'plan',
  category: [{ coding: [{ system: CODE_SYSTEM.carePlanCategory, code: 'pps' }] }],
  subject: { reference: 'Patient/p1' },
  activity: [
    {
      extension: [origin('A1')],
      detail: { code: { coding: [{ system: CODE_SYSTEM.actionKind, code: 'soin' }] }, status: 'in-progress' },
    },
  ],
};

const careTeam: CareTeam = {
  resourceType: 'CareTeam',
  identifier: [{ system: 'https://fhir.passerelle.fr/sid/dac-doubs/case', value: 'DOS-1' }],
  status: 'active',
  category: [{ coding: [{ system: HL7_SYSTEM.loinc, code: 'LA28865-6' }] }],
  subject: { reference: 'Patient/p1' },
  participant: [
    {
      extension: [origin('medecin-traitant|rpps:10003456786')],
      role: [
        {
          coding: [
            { system: CODE_SYSTEM.teamRole, code: 'medecin-traitant' },
            { system: FR_SYSTEM.treR259ParticipationFunction, code: 'PCP' },
          ],
        },
      ],
      member: { reference: 'Practitioner/pr1' },
    },
  ],
};

const supportRequest: ServiceRequest = {
  resourceType: 'ServiceRequest',
  extension: [
    { url: EXTENSION.supportRequestStatus, valueCodeableConcept: { coding: [{ system: CODE_SYSTEM.supportRequestStatus, code: 'accepted' }] } },
  ],
  identifier: [{ system: 'https://fhir.passerelle.fr/sid/dac-doubs/case', value: 'DOS-1' }],
  status: 'active',
  intent: 'order',
  code: { coding: [{ system: CODE_SYSTEM.requestType, code: 'demande-appui' }] },
  subject: { reference: 'Patient/p1' },
  authoredOn: '2024-03-01',
  reasonCode: [{ coding: [{ system: CODE_SYSTEM.supportReason, code: 'sante' }] }],
};

const frCoreType = (code: string) => ({ coding: [{ system: FR_SYSTEM.frCoreIdentifierType, code }] });
const organization: Organization = {
  resourceType: 'Organization',
  identifier: [
    { type: frCoreType('FINEG'), system: FR_SYSTEM.finess, value: '250012341' },
    { use: 'official', type: frCoreType('IDNST'), system: FR_SYSTEM.idNatStruct, value: '1250012341' },
    { type: frCoreType('SIRET'), system: FR_SYSTEM.siret, value: '12345678900015' },
  ],
};

/** A deep copy of `base` changed by `edit`, so every case starts from the valid resource. */
function variant<T extends Resource>(base: T, edit: (r: T) => void): T {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

describe('every profile accepts its minimal resource', () => {
  it.each([
    ['Patient', patient],
    ['CarePlan', carePlan],
    ['CareTeam', careTeam],
    ['ServiceRequest', supportRequest],
    ['Organization', organization],
  ] as const)('%s', (_type, resource) => {
    expect(errors(resource)).toEqual([]);
  });
});

describe('PPS CarePlan', () => {
  it('rejects a plan without subject', () => {
    expectRejected(variant(carePlan, (r) => delete (r as Partial<CarePlan>).subject), 'CarePlan.subject', /Missing required/);
  });

  it('rejects a plan whose category is not PPS', () => {
    const wrong = variant(carePlan, (r) => {
      r.category = [{ coding: [{ system: 'http://snomed.info/sct', code: '734163000' }] }];
    });
    expectRejected(wrong, 'CarePlan.category', /slice 'pps'.*found 0/);
  });

  it('rejects a plan without category', () => {
    expectRejected(variant(carePlan, (r) => delete r.category), 'CarePlan.category', /Missing required/);
  });

  it('rejects an intent other than plan', () => {
    expectRejected(variant(carePlan, (r) => (r.intent = 'order')), 'CarePlan.intent', /did not match/);
  });

  it('rejects a plan without business identifier', () => {
    expectRejected(variant(carePlan, (r) => delete r.identifier), 'CarePlan.identifier', /Missing required/);
  });

  it('rejects an activity without origin', () => {
    const noOrigin = variant(carePlan, (r) => delete r.activity?.[0]?.extension);
    expectRejected(noOrigin, 'CarePlan.activity[0]', /psl-pps-1/);
  });

  it('rejects an activity whose origin lacks the element id', () => {
    const partial = variant(carePlan, (r) => {
      r.activity![0]!.extension![0]!.extension = [{ url: 'client', valueString: 'dac-doubs' }];
    });
    expectRejected(partial, 'CarePlan.activity[0].extension[0].extension', /slice 'id'.*found 0/);
  });

  it('rejects an action kind outside the closed list', () => {
    const unknown = variant(carePlan, (r) => {
      r.activity![0]!.detail!.code = { coding: [{ system: CODE_SYSTEM.actionKind, code: 'teleportation' }] };
    });
    expectRejected(unknown, 'CarePlan.activity[0]', /psl-pps-2/);
  });

  it('rejects an activity that only references another resource', () => {
    const byReference = variant(carePlan, (r) => {
      r.activity = [{ extension: [origin('A1')], reference: { reference: 'Task/t1' } }];
    });
    expectRejected(byReference, 'CarePlan.activity[0]', /psl-pps-2/);
  });
});

describe('coordination CareTeam', () => {
  it('rejects a team without subject', () => {
    expectRejected(variant(careTeam, (r) => delete r.subject), 'CareTeam.subject', /Missing required/);
  });

  it('rejects a team without status', () => {
    expectRejected(variant(careTeam, (r) => delete r.status), 'CareTeam.status', /Missing required/);
  });

  it('rejects a team that is not a coordination team', () => {
    expectRejected(variant(careTeam, (r) => delete r.category), 'CareTeam.category', /Missing required/);
  });

  it('rejects a participant without member', () => {
    expectRejected(variant(careTeam, (r) => delete r.participant![0]!.member), 'CareTeam.participant[0]', /psl-team-1/);
  });

  it('rejects a role outside the closed list', () => {
    const unknown = variant(careTeam, (r) => {
      r.participant![0]!.role![0]!.coding![0]!.code = 'chaman';
    });
    expectRejected(unknown, 'CareTeam.participant[0]', /psl-team-2/);
  });

  it('rejects a role without its ANS Cercle de soins code', () => {
    const noAns = variant(careTeam, (r) => {
      r.participant![0]!.role = [{ coding: [{ system: CODE_SYSTEM.teamRole, code: 'medecin-traitant' }] }];
    });
    expectRejected(noAns, 'CareTeam.participant[0]', /psl-team-3/);
  });
});

describe('support request ServiceRequest', () => {
  it('rejects a request without reason', () => {
    expectRejected(variant(supportRequest, (r) => delete r.reasonCode), 'ServiceRequest.reasonCode', /Missing required/);
  });

  it('rejects a reason outside the closed list', () => {
    const unknown = variant(supportRequest, (r) => {
      r.reasonCode = [{ coding: [{ system: CODE_SYSTEM.supportReason, code: 'ennui' }] }];
    });
    expectRejected(unknown, 'ServiceRequest.reasonCode[0]', /psl-sr-1/);
  });

  it('rejects a request that is not a demande d’appui', () => {
    const other = variant(supportRequest, (r) => {
      r.code = { coding: [{ system: 'http://snomed.info/sct', code: '3457005' }] };
    });
    expectRejected(other, 'ServiceRequest.code', /did not match/);
  });

  it('rejects a request without date', () => {
    expectRejected(variant(supportRequest, (r) => delete r.authoredOn), 'ServiceRequest.authoredOn', /Missing required/);
  });

  it('rejects a request without business status', () => {
    expectRejected(variant(supportRequest, (r) => delete r.extension), 'ServiceRequest.extension', /Missing required|slice 'businessStatus'/);
  });

  it('rejects a business status outside the closed list', () => {
    const unknown = variant(supportRequest, (r) => {
      r.extension![0]!.valueCodeableConcept = { coding: [{ system: CODE_SYSTEM.supportRequestStatus, code: 'perdue' }] };
    });
    expectRejected(unknown, 'ServiceRequest.extension[0]', /psl-srstatus-1/);
  });
});

describe('Organization', () => {
  it('rejects a FINESS with a wrong key', () => {
    const bad = variant(organization, (r) => (r.identifier![0]!.value = '250012342'));
    expectRejected(bad, 'Organization.identifier[0]', /psl-org-1/);
  });

  it('rejects a FINESS without its FR Core type', () => {
    const untyped = variant(organization, (r) => delete r.identifier![0]!.type);
    expectRejected(untyped, 'Organization.identifier[0]', /psl-org-1/);
  });

  it('rejects an idNatSt that is not the official identifier', () => {
    const usual = variant(organization, (r) => (r.identifier![1]!.use = 'usual'));
    expectRejected(usual, 'Organization.identifier[1]', /psl-org-2/);
  });

  it('rejects a SIRET with a wrong key, and accepts a La Poste SIRET outside Luhn', () => {
    expectRejected(variant(organization, (r) => (r.identifier![2]!.value = '12345678900016')), 'Organization.identifier[2]', /psl-org-3/);
    // 35600000000001: digit sum 15, a multiple of 5, but not a valid Luhn number.
    expect(errors(variant(organization, (r) => (r.identifier![2]!.value = '35600000000001')))).toEqual([]);
  });

  it('rejects an identifier without system', () => {
    expectRejected(variant(organization, (r) => delete r.identifier![0]!.system), 'Organization.identifier[0].system', /Missing required/);
  });

  it('rejects two idNatSt', () => {
    const twice = variant(organization, (r) => r.identifier!.push({ ...r.identifier![1]! }));
    expectRejected(twice, 'Organization.identifier', /slice 'idNatSt'.*found 2/);
  });
});

describe('Patient', () => {
  it('rejects an INS-NIR on a non-official slot', () => {
    const usual = variant(patient, (r) => (r.identifier![0]!.use = 'usual'));
    expectRejected(usual, 'Patient.identifier[0]', /psl-pat-1/);
  });

  it('rejects an INS-NIR without use', () => {
    expectRejected(variant(patient, (r) => delete r.identifier![0]!.use), 'Patient.identifier[0]', /psl-pat-1/);
  });

  it('rejects an INS-NIR with a wrong key', () => {
    expectRejected(variant(patient, (r) => (r.identifier![0]!.value = '279035121518988')), 'Patient.identifier[0]', /psl-pat-1/);
  });

  it('accepts a Corsican INS and checks its key', () => {
    // 2A reads as 19 for the key: 97 − (1690319123456 mod 97) = 9.
    const corsican = variant(patient, (r) => (r.identifier![0]!.value = '169032A12345609'));
    expect(errors(corsican)).toEqual([]);
    const wrongKey = variant(patient, (r) => (r.identifier![0]!.value = '169032A12345610'));
    expectRejected(wrongKey, 'Patient.identifier[0]', /psl-pat-1/);
  });

  it('rejects an INS-NIA presented as official', () => {
    const nia = variant(patient, (r) => {
      r.identifier![0] = { ...ins, system: FR_SYSTEM.insNia, type: frCoreType('INS-NIA') };
    });
    expectRejected(nia, 'Patient.identifier[0]', /psl-pat-2/);
  });

  it('rejects an identifier typed INS-NIR outside the INS-NIR namespace', () => {
    expectRejected(variant(patient, (r) => (r.identifier![0]!.system = FR_SYSTEM.insNirTest)), 'Patient.identifier[0]', /psl-pat-1/);
  });

  it('rejects two INS-NIR', () => {
    expectRejected(variant(patient, (r) => r.identifier!.push({ ...ins })), 'Patient.identifier', /slice 'INS-NIR'.*found 2/);
  });

  it('rejects an INS kept as identifier for an identity marked not qualified', () => {
    const contradictory = variant(patient, (r) => {
      r.extension = [
        {
          url: EXTENSION.unqualifiedIns,
          extension: [
            { url: 'value', valueString: '279035121518989' },
            { url: 'kind', valueCode: 'NIR' },
            { url: 'identityStatus', valueCode: 'provisional' },
          ],
        },
      ];
    });
    expectRejected(contradictory, 'Patient', /psl-pat-5/);
  });

  it('rejects an unqualified-ins extension claiming a qualified identity', () => {
    const claim = variant(patient, (r) => {
      r.identifier = [r.identifier![1]!];
      r.extension = [
        {
          url: EXTENSION.unqualifiedIns,
          extension: [
            { url: 'value', valueString: '279035121518989' },
            { url: 'kind', valueCode: 'NIR' },
            { url: 'identityStatus', valueCode: 'qualified' },
          ],
        },
      ];
    });
    expectRejected(claim, 'Patient.extension[0]', /psl-uins-1/);
  });

  it('rejects a patient without identifier, and a name without family', () => {
    expectRejected(variant(patient, (r) => delete r.identifier), 'Patient.identifier', /Missing required/);
    expectRejected(variant(patient, (r) => (r.name = [{ use: 'usual', given: ['Jeanne'] }])), 'Patient.name[0].family', /Missing required/);
  });
});
