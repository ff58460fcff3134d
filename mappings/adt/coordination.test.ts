/**
 * Discharge coordination (Task, plan activity, A13 undo, coordinating organization) and A40
 * merge builders: pure functions over the current resources.
 */
import { readFileSync } from 'node:fs';
import { OperationOutcomeError } from '@medplum/core';
import type { Bundle, CarePlan, CareTeam, Encounter, Patient, PractitionerRole, Resource, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM, sourceIdentifierSystem } from '../../profiles/canonical.js';
import { CaseDocumentSchema } from '../case/schema.js';
import { caseToTransaction } from '../case/to-fhir/index.js';
import { cancelReassessment, reassessmentActivity, withReassessment } from './resources/care-plan-activity.js';
import { cancelDischarge, coordinatingOrganization, referencesNeedingRoles } from './resources/coordination.js';
import { mergeUpdates, repointSubject } from './resources/merge.js';
import { dischargeTask, dischargeTaskUpsert, taskEntry } from './resources/task.js';

const CLIENT = 'chu-exemple';
const VISIT = 'V25000101^urn:oid:1.2.250.1.999.1.2';
const NOW = '2025-01-18T15:00:00+01:00';

const task = (over: Partial<Task> = {}): Task => ({
  ...dischargeTask({
    encounterRef: { reference: 'Encounter/e1' },
    patientRef: { reference: 'Patient/p1' },
    ownerOrgRef: { reference: 'Organization/dac' },
    carePlanRef: { reference: 'CarePlan/pps' },
    tenant: 'doubs',
    clientId: CLIENT,
    visitKey: VISIT,
    now: NOW,
  }),
  ...over,
});

const plan = (activity: CarePlan['activity'] = []): CarePlan => ({
  resourceType: 'CarePlan', id: 'pps', status: 'active', intent: 'plan', subject: { reference: 'Patient/p1' }, activity,
});

describe('dischargeTask', () => {
  it('is the sortie d’hospitalisation Task of SPEC §3', () => {
    expect(task()).toMatchObject({
      status: 'requested',
      intent: 'order',
      code: { coding: [{ system: FR_SYSTEM.treR254TypeEvenement, code: 'SOR' }] },
      focus: { reference: 'Encounter/e1' },
      for: { reference: 'Patient/p1' },
      owner: { reference: 'Organization/dac' },
      basedOn: [{ reference: 'CarePlan/pps' }],
      identifier: [{ system: sourceIdentifierSystem(CLIENT, 'discharge-task'), value: VISIT }],
      meta: { tag: [{ system: CODE_SYSTEM.tenant, code: 'doubs' }, { system: CODE_SYSTEM.owner, code: CLIENT }] },
    });
  });

  it('is written by conditional create on (client, stay): a replay matches it', () => {
    const entry = taskEntry(task(), CLIENT);
    expect(entry.request).toEqual({ method: 'POST', url: 'Task', ifNoneExist: expect.stringContaining(`discharge-task|V25000101`) as unknown });
    expect(taskEntry(task(), CLIENT)).toEqual(entry);
  });

  it('is created once, left alone while open or done, reopened after a cancelled discharge', () => {
    const fresh = task();
    expect(dischargeTaskUpsert(fresh, undefined)).toBe(fresh);
    expect(dischargeTaskUpsert(fresh, task({ id: 't1', status: 'in-progress' }))).toBeUndefined();
    expect(dischargeTaskUpsert(fresh, task({ id: 't1', status: 'completed' }))).toBeUndefined();
    const reopened = dischargeTaskUpsert(fresh, task({ id: 't1', status: 'cancelled', meta: { versionId: '3' } }));
    expect(reopened).toMatchObject({ id: 't1', status: 'requested', meta: { versionId: '3' } });
  });
});

describe('reassessment activity', () => {
  const activity = reassessmentActivity({ clientId: CLIENT, visitKey: VISIT, performerRef: { reference: 'Organization/dac' } });

  it('is a not-started evaluation with the hospital client’s origin derived from the stay', () => {
    expect(activity.detail).toMatchObject({ status: 'not-started', code: { coding: [{ system: CODE_SYSTEM.actionKind, code: 'evaluation' }] } });
    expect(activity.extension).toEqual([{ url: EXTENSION.origin, extension: [{ url: 'client', valueString: CLIENT }, { url: 'id', valueString: `sortie/${VISIT}` }] }]);
  });

  it('is added once, kept on replay, reset after a cancellation', () => {
    const other = { detail: { status: 'in-progress' as const, description: 'Kiné' } };
    const once = withReassessment(plan([other]), activity, CLIENT, VISIT)!;
    expect(once.activity).toEqual([other, activity]);
    expect(withReassessment(once, activity, CLIENT, VISIT)).toBeUndefined();
    const cancelled = cancelReassessment(once, CLIENT, VISIT, [])!;
    expect(withReassessment(cancelled, activity, CLIENT, VISIT)?.activity?.[1]?.detail?.status).toBe('not-started');
  });
});

describe('cancelDischarge (A13)', () => {
  it('cancels the Task and the stay’s reassessment activity, and nothing else', () => {
    const other = { detail: { status: 'in-progress' as const, description: 'Kiné' } };
    const current = plan([other, reassessmentActivity({ clientId: CLIENT, visitKey: VISIT })]);
    const result = cancelDischarge(task({ id: 't1' }), current, VISIT, { clientId: CLIENT, now: NOW });
    expect(result.task).toMatchObject({ id: 't1', status: 'cancelled', lastModified: NOW });
    expect(result.carePlan?.activity?.map((a) => a.detail?.status)).toEqual(['in-progress', 'cancelled']);
    expect(result.issues).toEqual([]);
  });

  it('changes nothing on a replay, and leaves finished work as it is with an issue', () => {
    const cancelled = cancelDischarge(task(), plan([reassessmentActivity({ clientId: CLIENT, visitKey: VISIT })]), VISIT);
    expect(cancelDischarge(cancelled.task, cancelled.carePlan, VISIT)).toEqual({ issues: [] });
    const done = cancelDischarge(task({ status: 'completed' }), undefined, VISIT);
    expect(done.task).toBeUndefined();
    expect(done.issues).toEqual(['Task: discharge cancelled but the Task is completed; left as it is']);
  });
});

/** The case mapper's bundle as stored: `urn:uuid:` references read `Type/<uuid>`. */
function storedCase(): Resource[] {
  const doc = CaseDocumentSchema.parse(JSON.parse(readFileSync(new URL('../case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')));
  const { bundle } = caseToTransaction(doc, { clientId: 'dac-doubs', tenant: 'doubs', caseId: 'DOS-1', now: NOW });
  const ids = new Map((bundle.entry ?? []).map((e) => [e.fullUrl!, `${e.resource!.resourceType}/${e.fullUrl!.slice('urn:uuid:'.length)}`]));
  const text = JSON.stringify(bundle).replace(/urn:uuid:[0-9a-f-]{36}/g, (u) => ids.get(u) ?? u);
  return ((JSON.parse(text) as Bundle).entry ?? []).map((e) => ({ ...e.resource!, id: e.fullUrl!.slice('urn:uuid:'.length) }));
}

describe('coordinatingOrganization', () => {
  const stored = storedCase();
  const careTeam = stored.find((r) => r.resourceType === 'CareTeam') as CareTeam;
  const carePlan = stored.find((r) => r.resourceType === 'CarePlan') as CarePlan;
  const roles = stored.filter((r) => r.resourceType === 'PractitionerRole') as PractitionerRole[];
  const dac = roles[0]!.organization!.reference;

  it('finds the organization of the coordinateur the case mapping writes (its PractitionerRole)', () => {
    expect(dac).toMatch(/^Organization\//);
    expect(coordinatingOrganization(careTeam, carePlan, roles)).toEqual({ reference: dac });
  });

  it('falls back on the team’s managingOrganization, then on the plan author’s organization', () => {
    expect(coordinatingOrganization(careTeam, carePlan)).toEqual({ reference: dac });
    const noCoordinator: CareTeam = { ...careTeam, participant: [], managingOrganization: undefined };
    expect(coordinatingOrganization(noCoordinator, carePlan, roles)).toEqual({ reference: dac }); // PRO-12, the author, works at the DAC
    expect(coordinatingOrganization(undefined, { ...carePlan, author: { reference: 'Organization/ehpad' } })).toEqual({ reference: 'Organization/ehpad' });
    expect(coordinatingOrganization(noCoordinator, carePlan)).toBeUndefined();
  });

  it('prefers the coordinateur’s onBehalfOf or Organization member', () => {
    const team: CareTeam = {
      resourceType: 'CareTeam',
      participant: [{ role: [{ coding: [{ system: FR_SYSTEM.treR85RolePriseCharge, code: '330' }] }], member: { reference: 'Organization/dac-jura' } }],
      managingOrganization: [{ reference: 'Organization/other' }],
    };
    expect(coordinatingOrganization(team)).toEqual({ reference: 'Organization/dac-jura' });
  });

  it('names only the references whose roles can decide, and those roles decide as all of them would', () => {
    const noCoordinator: CareTeam = { ...careTeam, participant: [], managingOrganization: undefined };
    const coordinatorRole = careTeam.participant?.find((p) => p.member?.reference?.startsWith('PractitionerRole/'))?.member?.reference;
    const cases: [CareTeam | undefined, CarePlan | undefined, string[]][] = [
      [careTeam, carePlan, [coordinatorRole!]], // the managingOrganization decides after the coordinateur's role
      [noCoordinator, carePlan, [carePlan.author!.reference!]],
      [noCoordinator, { ...carePlan, author: { reference: 'Organization/ehpad' } }, []],
      [undefined, undefined, []],
    ];
    for (const [team, plan, expected] of cases) {
      const references = referencesNeedingRoles(team, plan);
      expect(references).toEqual(expected);
      const needed = roles.filter((r) => references.includes(`PractitionerRole/${r.id ?? ''}`) || references.includes(r.practitioner?.reference ?? ''));
      expect(coordinatingOrganization(team, plan, needed)).toEqual(coordinatingOrganization(team, plan, roles));
    }
  });
});

describe('A40 merge', () => {
  const prior: Patient = { resourceType: 'Patient', id: 'old', active: true };
  const survivor: Patient = { resourceType: 'Patient', id: 'new' };

  it('deactivates the prior with a replaced-by link, and links the survivor back', () => {
    const merged = mergeUpdates(prior, survivor);
    expect(merged.prior).toEqual({ resourceType: 'Patient', id: 'old', active: false, link: [{ other: { reference: 'Patient/new' }, type: 'replaced-by' }] });
    expect(merged.survivor).toEqual({ resourceType: 'Patient', id: 'new', link: [{ other: { reference: 'Patient/old' }, type: 'replaces' }] });
    expect(mergeUpdates(merged.prior, merged.survivor)).toEqual(merged); // a replayed A40 adds nothing
  });

  it('refuses Patients that are not stored, or the same Patient twice', () => {
    expect(() => mergeUpdates({ resourceType: 'Patient' }, survivor)).toThrow(OperationOutcomeError);
    expect(() => mergeUpdates(survivor, survivor)).toThrow(OperationOutcomeError);
  });

  it('re-points stays and tasks from the prior to the survivor', () => {
    const encounter: Encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'IMP' }, subject: { reference: 'Patient/old', display: 'x' } };
    expect(repointSubject(encounter, 'Patient/old', 'Patient/new').subject).toEqual({ reference: 'Patient/new', display: 'x' });
    const t = task({ for: { reference: 'Patient/old' }, focus: { reference: 'Encounter/e1' } });
    const moved = repointSubject(t, 'Patient/old', 'Patient/new');
    expect(moved.for).toEqual({ reference: 'Patient/new' });
    expect(moved.focus).toEqual({ reference: 'Encounter/e1' });
    expect(repointSubject(encounter, 'Patient/other', 'Patient/new')).toBe(encounter);
  });
});
