import { readFileSync } from 'node:fs';
import type { Bundle, BundleEntry, CarePlan, Encounter, Organization, Patient, Resource, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM, HL7_SYSTEM } from '../../profiles/canonical.js';
import { dischargeTask, reassessmentActivity } from '../adt/index.js';
import { DUPONT_FIXTURE, DUPONT_GOLDEN } from '../case/__golden__/golden-context.js';
import { CaseDocumentSchema, type CaseDocument } from '../case/schema.js';
import { caseToTransaction } from '../case/to-fhir/index.js';
import { buildPathway } from './build.js';
import { missingReferences } from './references.js';
import { PathwayViewSchema, type PathwayView } from './view.js';

const NAMES: Record<string, string> = {
  'dac-doubs': 'DAC du Doubs',
  'chu-besancon': 'CHU de Besançon',
  'ehpad-tilleuls': 'EHPAD Les Tilleuls',
};
const clientName = (id: string) => NAMES[id];

/**
 * What a FHIR server holds after a transaction: every resource with an id (`<prefix>-<n>`),
 * every `urn:uuid:` reference rewritten to `Type/id`. `alias` maps fullUrls onto resources that
 * already exist (a conditional update that matched), e.g. the Patient another client created.
 */
function asStored(entries: BundleEntry[], prefix: string, alias: Record<string, string> = {}): Resource[] {
  const ids = new Map<string, string>(Object.entries(alias));
  entries.forEach((e, i) => {
    if (!ids.has(e.fullUrl!)) ids.set(e.fullUrl!, `${e.resource!.resourceType}/${prefix}-${i}`);
  });
  const kept = entries.filter((e) => !(e.fullUrl! in alias));
  const text = JSON.stringify(kept.map((e) => ({ ...e.resource!, id: ids.get(e.fullUrl!)!.split('/')[1] })))
    .replace(/"urn:uuid:[0-9a-f-]{36}"/g, (m) => JSON.stringify(ids.get(JSON.parse(m) as string) ?? JSON.parse(m)));
  return JSON.parse(text) as Resource[];
}

const golden = JSON.parse(readFileSync(DUPONT_GOLDEN, 'utf8')) as Bundle;
const dupontDoc = (): CaseDocument => CaseDocumentSchema.parse(JSON.parse(readFileSync(DUPONT_FIXTURE, 'utf8')));

/** The golden Dupont bundle as stored by a server. */
function goldenStored(): { resources: Resource[]; patient: Patient & { id: string }; plan: CarePlan; dacOrg: Organization } {
  const resources = asStored(golden.entry ?? [], 'dac');
  const patient = resources.find((r): r is Patient & { id: string } => r.resourceType === 'Patient')!;
  const plan = resources.find((r): r is CarePlan => r.resourceType === 'CarePlan')!;
  const dacOrg = resources.find((r): r is Organization => r.resourceType === 'Organization'
    && r.identifier?.some((i) => i.value === '250012341') === true)!;
  return { resources, patient, plan, dacOrg };
}

function meta(owner: string) {
  return { tag: [{ system: CODE_SYSTEM.tenant, code: 'doubs' }, { system: CODE_SYSTEM.owner, code: owner }] };
}

/** The golden case plus what other contributors wrote around the same person. */
function sharedPathway(): { resources: Resource[]; patientId: string } {
  const { resources, patient, plan, dacOrg } = goldenStored();

  // The EHPAD's own case for the same person (its Patient matched the DAC's on the qualified INS).
  const ehpadDoc = dupontDoc();
  ehpadDoc.team = { members: [{ role: 'infirmier', practitioner: { rpps: '10101010105', familyName: 'PETIT', givenName: 'Claire' } }] };
  ehpadDoc.supportRequest = undefined;
  ehpadDoc.plan = {
    id: 'PLAN-T1', status: 'active', title: 'Projet de soins EHPAD', period: { start: '2024-04-01' }, problems: [], goals: [],
    actions: [{ id: 'T1', label: 'Accueil de jour le mardi', kind: 'hebergement', status: 'scheduled', schedule: 'mardi' }],
  };
  const ehpadBundle = caseToTransaction(ehpadDoc, { clientId: 'ehpad-tilleuls', tenant: 'doubs', caseId: 'E-1', now: '2024-04-01T08:00:00.000Z' }).bundle;
  const ehpadPatientUrl = ehpadBundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.fullUrl!;
  // Its conditional creates of directory entries matched those the DAC created (same RPPS / FINESS:
  // the first writer's names stay, so the nurse it names PETIT still reads by RPPS).
  const alias: Record<string, string> = { [ehpadPatientUrl]: `Patient/${patient.id}` };
  for (const entry of ehpadBundle.entry!) {
    const r = entry.resource!;
    if (r.resourceType !== 'Practitioner' && r.resourceType !== 'Organization') continue;
    const same = resources.find((d) => d.resourceType === r.resourceType
      && (d as { identifier?: { system?: string; value?: string }[] }).identifier?.some((i) => r.identifier?.some((j) => j.system === i.system && j.value === i.value)));
    if (same) alias[entry.fullUrl!] = `${same.resourceType}/${same.id}`;
  }
  const ehpad = asStored(ehpadBundle.entry!, 'ehpad', alias);

  // The hospital's discharge (SPEC §3): the plan activity it adds to the DAC's plan, the stay, the task.
  // Written with the HL7 worker's own builders, so the view reads what that worker writes.
  plan.activity!.push(reassessmentActivity({
    clientId: 'chu-besancon', visitKey: 'V555', dischargeDateTime: '2024-05-09T15:30:00+02:00', performerRef: { reference: `Organization/${dacOrg.id}` },
  }));
  const hospital: Organization = { resourceType: 'Organization', id: 'chu', meta: meta('chu-besancon'), name: 'CHU Jean Minjoz', identifier: [{ system: FR_SYSTEM.finess, value: '250000015' }] };
  const stay: Encounter = {
    resourceType: 'Encounter', id: 'stay-1', meta: meta('chu-besancon'), status: 'finished',
    class: { system: HL7_SYSTEM.v3ActCode, code: 'IMP', display: 'inpatient encounter' },
    subject: { reference: `Patient/${patient.id}` },
    period: { start: '2024-05-02T10:00:00+02:00', end: '2024-05-09T15:30:00+02:00' },
    serviceProvider: { reference: 'Organization/chu' },
    hospitalization: {
      dischargeDisposition: { coding: [{ system: CODE_SYSTEM.exitMode, code: '8', display: 'Retour au domicile' }] },
      destination: { identifier: { system: FR_SYSTEM.finess, value: '250098761' } },
    },
  };
  const olderStay: Encounter = { ...stay, id: 'stay-0', period: { start: '2023-11-02', end: '2023-11-04' }, hospitalization: undefined };
  const cancelledStay: Encounter = { ...stay, id: 'stay-x', status: 'cancelled', period: { start: '2024-06-01' } };
  const discharge: Task = {
    id: 'task-sor',
    ...dischargeTask({
      encounterRef: { reference: 'Encounter/stay-1' }, patientRef: { reference: `Patient/${patient.id}` },
      ownerOrgRef: { reference: `Organization/${dacOrg.id}` }, carePlanRef: { reference: `CarePlan/${plan.id}` },
      requesterRef: { reference: 'Organization/chu' }, tenant: 'doubs', clientId: 'chu-besancon', visitKey: 'V555',
      now: '2024-05-09T15:31:00+02:00', dischargeDateTime: '2024-05-09T15:30:00+02:00',
    }),
  };
  const reconciliation: Task = {
    resourceType: 'Task', id: 'task-rec', meta: meta('chu-besancon'), status: 'in-progress', intent: 'order',
    code: { coding: [{ system: CODE_SYSTEM.taskCode, code: 'identity-reconciliation', display: "Rapprochement d'identités à vérifier" }] },
    for: { reference: `Patient/${patient.id}` }, authoredOn: '2024-05-10T09:00:00+02:00',
  };
  const doneTask: Task = { ...discharge, id: 'task-done', status: 'completed', authoredOn: '2024-01-01' };

  // Noise the builder must leave out: another person's plan, a revoked plan of this person.
  const stranger: Patient = { resourceType: 'Patient', id: 'other', meta: meta('dac-doubs'), name: [{ family: 'AUTRE' }] };
  const strangersPlan: CarePlan = { ...plan, id: 'plan-other', subject: { reference: 'Patient/other' }, title: 'Plan de quelqu’un d’autre' };
  const revoked: CarePlan = { ...plan, id: 'plan-revoked', status: 'revoked', title: 'Ancien PPS' };

  return {
    patientId: patient.id,
    resources: [...resources, ...ehpad, hospital, stay, olderStay, cancelledStay, discharge, reconciliation, doneTask, stranger, strangersPlan, revoked],
  };
}

describe('buildPathway on the golden Dupont case', () => {
  const { resources, patient } = goldenStored();
  const view = buildPathway(resources, { patientId: patient.id, clientName });

  it('produces exactly the published schema (no field left over, none missing)', () => {
    expect(PathwayViewSchema.parse(view)).toStrictEqual(view);
  });

  it('shows the person by the name used, with birth name, birth date and a qualified identity', () => {
    expect(view.patient).toEqual({
      id: patient.id,
      displayName: 'Jeanne Marie DUPONT',
      familyName: 'DUPONT',
      birthFamilyName: 'MARTIN',
      givenNames: ['Jeanne', 'Marie'],
      birthDate: '1938-05-12',
      sex: { code: 'female', display: 'Féminin' },
      identityStatus: { code: 'qualified', display: 'Identité qualifiée' },
      active: true,
    });
  });

  it('reads the plan in the case vocabulary, with its owner, problems and goals', () => {
    expect(view.plans).toHaveLength(1);
    const plan = view.plans[0]!;
    expect(plan).toMatchObject({
      planId: 'PPS-42',
      title: 'PPS de Mme DUPONT',
      status: { code: 'active', display: 'En cours' },
      period: { start: '2024-03-10', end: '2024-09-10' },
      reviewOn: '2024-06-10',
      author: { display: 'NOËL', practitioner: { name: 'NOËL' } },
      owner: { client: 'dac-doubs', clientName: 'DAC du Doubs', caseId: 'DOS-2024-0042' },
    });
    expect(plan.problems).toEqual([{
      id: 'P1', label: 'Chutes à répétition', domain: { code: 'sante', display: 'Santé (soins)' },
      origin: { client: 'dac-doubs', clientName: 'DAC du Doubs', caseId: 'DOS-2024-0042', elementId: 'P1' },
    }]);
    expect(plan.goals).toEqual([{
      id: 'G1', label: 'Maintien à domicile en sécurité', status: { code: 'active', display: 'En cours' }, problems: ['Chutes à répétition'],
      origin: { client: 'dac-doubs', clientName: 'DAC du Doubs', caseId: 'DOS-2024-0042', elementId: 'G1' },
    }]);
  });

  it('reads every activity with kind, status, responsible, schedule, goals and origin', () => {
    expect(view.plans[0]!.activities).toEqual([
      {
        id: 'A1', label: 'Kinésithérapie 2 fois par semaine',
        kind: { code: 'soin', display: 'Soin' }, status: { code: 'in-progress', display: 'En cours' },
        responsible: { reference: expect.stringMatching(/^Practitioner\//), display: 'RPPS 10202020201', practitioner: { rpps: '10202020201' } },
        schedule: '2/semaine', goals: ['Maintien à domicile en sécurité'],
        origin: { client: 'dac-doubs', clientName: 'DAC du Doubs', caseId: 'DOS-2024-0042', elementId: 'A1' },
      },
      {
        id: 'A2', label: 'Portage des repas',
        kind: { code: 'aide', display: 'Aide à la vie quotidienne' }, status: { code: 'scheduled', display: 'Planifiée' },
        responsible: { reference: expect.stringMatching(/^Organization\//), display: 'SIRET 12345678900015', organization: { siret: '12345678900015' } },
        goals: [],
        origin: { client: 'dac-doubs', clientName: 'DAC du Doubs', caseId: 'DOS-2024-0042', elementId: 'A2' },
      },
    ]);
  });

  it('reads the cercle de soins with French roles, names, structures and origin', () => {
    const brief = view.team.map((m) => ({ role: m.role.display, kind: m.kind, name: m.name, organization: m.organization, relationship: m.relationship?.display }));
    expect(brief).toEqual([
      { role: 'Médecin traitant', kind: 'professional', name: 'Luc BERNARD', organization: undefined, relationship: undefined },
      { role: 'Infirmier ou infirmière', kind: 'professional', name: 'RPPS 10101010105', organization: undefined, relationship: undefined },
      { role: 'Coordinateur de parcours (gestionnaire de cas)', kind: 'professional', name: 'NOËL', organization: 'FINESS 250012341', relationship: undefined },
      { role: 'Référent EHPAD', kind: 'professional', name: undefined, organization: 'EHPAD Les Tilleuls', relationship: undefined },
      { role: 'Aidant', kind: 'person', name: 'Anne DUPONT', organization: undefined, relationship: 'Fille' },
    ]);
    expect(view.team[0]!.origin).toEqual({ client: 'dac-doubs', clientName: 'DAC du Doubs', caseId: 'DOS-2024-0042', elementId: 'medecin-traitant~rpps:10003456786' });
  });

  it('reads the support request with its business status, reasons, requester and consent', () => {
    expect(view.supportRequests).toEqual([{
      id: expect.any(String) as string,
      requestId: 'DEM-77',
      status: { code: 'accepted', display: 'Acceptée' },
      priority: { code: 'routine', display: 'Normale' },
      reasons: [{ code: 'sante', display: 'Problèmes de santé' }, { code: 'social', display: 'Difficultés sociales' }],
      requestedOn: '2024-03-01',
      requester: { reference: expect.stringMatching(/^Practitioner\//), display: 'Luc BERNARD', practitioner: { name: 'Luc BERNARD', rpps: '10003456786' } },
      consent: { given: true, date: '2024-03-01' },
      owner: { client: 'dac-doubs', clientName: 'DAC du Doubs', caseId: 'DOS-2024-0042' },
    }]);
  });

  it('has no stays, no open tasks and nothing it could not read', () => {
    expect(view.stays).toEqual([]);
    expect(view.openTasks).toEqual([]);
    expect(view.issues).toEqual([]);
  });
});

describe('buildPathway with several contributors', () => {
  const { resources, patientId } = sharedPathway();
  const view: PathwayView = buildPathway(resources, { patientId, clientName });

  it('still produces exactly the published schema', () => {
    expect(PathwayViewSchema.parse(view)).toStrictEqual(view);
  });

  it("shows each contributor's plan, and on the DAC's plan the activity the hospital added, by whom", () => {
    expect(view.plans.map((p) => [p.title, p.owner?.clientName])).toEqual([
      ['Projet de soins EHPAD', 'EHPAD Les Tilleuls'], // the most recent first
      ['PPS de Mme DUPONT', 'DAC du Doubs'],
    ]);
    const dac = view.plans[1]!;
    expect(dac.activities.map((a) => [a.label, a.status.display, a.origin?.client, a.origin?.clientName])).toEqual([
      ['Kinésithérapie 2 fois par semaine', 'En cours', 'dac-doubs', 'DAC du Doubs'],
      ['Portage des repas', 'Planifiée', 'dac-doubs', 'DAC du Doubs'],
      ["Réévaluation du PPS après la sortie d'hospitalisation", 'Non commencée', 'chu-besancon', 'CHU de Besançon'],
    ]);
    expect(dac.activities[2]).toMatchObject({
      kind: { code: 'evaluation', display: 'Évaluation' },
      responsible: { display: 'FINESS 250012341' },
      scheduledPeriod: { start: '2024-05-09T15:30:00+02:00' },
    });
    expect(view.plans[0]!.activities).toEqual([expect.objectContaining({
      label: 'Accueil de jour le mardi', kind: { code: 'hebergement', display: 'Hébergement (temporaire ou permanent)' },
      schedule: 'mardi', origin: { client: 'ehpad-tilleuls', clientName: 'EHPAD Les Tilleuls', caseId: 'E-1', elementId: 'T1' },
    })]);
  });

  it("leaves out another person's plan and a revoked plan", () => {
    expect(view.plans.map((p) => p.title)).not.toContain('Plan de quelqu’un d’autre');
    expect(view.plans.map((p) => p.title)).not.toContain('Ancien PPS');
  });

  it('merges the teams of every contributor, each member with who added it', () => {
    const nurses = view.team.filter((m) => m.role.code === 'infirmier');
    expect(nurses.map((m) => [m.name, m.origin?.client])).toEqual([
      ['RPPS 10101010105', 'dac-doubs'],
      ['RPPS 10101010105', 'ehpad-tilleuls'],
    ]);
    expect(view.team[0]!.role.code).toBe('medecin-traitant');
  });

  it('lists the stays newest first with the discharge disposition and destination, without the cancelled one', () => {
    expect(view.stays).toEqual([
      {
        id: 'stay-1',
        status: { code: 'finished', display: 'Terminé' },
        class: { code: 'IMP', display: 'Hospitalisation complète' },
        period: { start: '2024-05-02T10:00:00+02:00', end: '2024-05-09T15:30:00+02:00' },
        serviceProvider: { reference: 'Organization/chu', display: 'CHU Jean Minjoz', organization: { name: 'CHU Jean Minjoz', finess: '250000015' } },
        dischargeDisposition: { code: '8', display: 'Retour au domicile' },
        destination: { display: 'FINESS 250098761' },
        owner: { client: 'chu-besancon', clientName: 'CHU de Besançon' },
      },
      expect.objectContaining({ id: 'stay-0', period: { start: '2023-11-02', end: '2023-11-04' } }),
    ]);
    expect(view.stays[1]).not.toHaveProperty('dischargeDisposition');
  });

  it('lists the open tasks, the discharge task first and flagged, with owner and focus', () => {
    expect(view.openTasks.map((t) => t.id)).toEqual(['task-sor', 'task-rec']);
    expect(view.openTasks[0]).toEqual({
      id: 'task-sor',
      status: { code: 'requested', display: 'Demandée' },
      code: { code: 'SOR', display: "Sortie d'un patient de l'établissement de santé" },
      description: "Sortie d'hospitalisation : réévaluer le plan personnalisé (PPS) et organiser le retour",
      discharge: true,
      priority: { code: 'routine', display: 'Normale' },
      authoredOn: '2024-05-09T15:31:00+02:00',
      owner: { reference: expect.stringMatching(/^Organization\//), display: 'FINESS 250012341', organization: { finess: '250012341' } },
      focus: { reference: 'Encounter/stay-1', display: 'Séjour hospitalier du 02/05/2024 au 09/05/2024' },
      origin: { client: 'chu-besancon', clientName: 'CHU de Besançon' },
    });
    expect(view.openTasks[1]).toMatchObject({ discharge: false, status: { code: 'in-progress', display: 'En cours' } });
  });

  it('reads unknown client ids as ids, without a name', () => {
    const anonymous = buildPathway(resources, { patientId });
    expect(anonymous.plans[1]!.activities[2]!.origin).toEqual({ client: 'chu-besancon', elementId: 'sortie/V555' });
  });
});

describe('buildPathway on partial input', () => {
  it('names a reference it cannot resolve instead of failing', () => {
    const { resources, patient, plan } = goldenStored();
    plan.activity![0]!.detail!.performer = [{ reference: 'Practitioner/gone' }];
    const view = buildPathway(resources, { patientId: patient.id });
    expect(view.plans[0]!.activities[0]).not.toHaveProperty('responsible');
    expect(view.issues).toEqual([expect.stringContaining('activity[0].performer: référence introuvable (Practitioner/gone)')]);
  });

  it('answers for a patient it was not given, saying so', () => {
    const view = buildPathway([], { patientId: 'nobody' });
    expect(view.patient).toMatchObject({ id: 'nobody', active: false });
    expect(view.plans).toEqual([]);
    expect(view.issues).toEqual(['Patient/nobody introuvable']);
  });

  it('reads an identity that is not qualified with the status it was received with', () => {
    const { patient } = goldenStored();
    const unqualified: Patient = {
      ...patient,
      identifier: patient.identifier!.filter((i) => i.system !== FR_SYSTEM.insNir),
      extension: [{ url: EXTENSION.unqualifiedIns, extension: [{ url: 'value', valueString: '279035121518989' }, { url: 'kind', valueCode: 'NIR' }, { url: 'identityStatus', valueCode: 'validated' }] }],
    };
    expect(buildPathway([unqualified], { patientId: patient.id }).patient.identityStatus).toEqual({ code: 'validated', display: 'Identité validée' });
    const bare: Patient = { ...unqualified, extension: undefined };
    expect(buildPathway([bare], { patientId: patient.id }).patient.identityStatus.code).toBe('unknown');
  });

  it('points at the surviving record of a merged person', () => {
    const { patient } = goldenStored();
    const merged: Patient = { ...patient, active: false, link: [{ type: 'replaced-by', other: { reference: 'Patient/survivor' } }] };
    expect(buildPathway([merged], { patientId: patient.id }).patient).toMatchObject({ active: false, replacedBy: 'Patient/survivor' });
  });
});

describe('missingReferences', () => {
  it('names the directory entries and close persons a pathway points at but lacks', () => {
    const { resources } = goldenStored();
    const firstRound = resources.filter((r) => ['Patient', 'CarePlan', 'CareTeam', 'ServiceRequest', 'Goal', 'Condition'].includes(r.resourceType));
    const missing = missingReferences(firstRound);
    expect([...missing.keys()].sort()).toEqual(['Organization', 'Practitioner', 'PractitionerRole', 'RelatedPerson']);
    expect(missing.get('Practitioner')?.size).toBe(4); // GP, nurse, PRO-12 (plan author), physiotherapist
    // Once fetched, nothing is missing (the role's practitioner and organization are present too).
    expect(missingReferences(resources).size).toBe(0);
  });

  it('reads absolute and versioned references, ignores contained and logical ones', () => {
    const plan: CarePlan = {
      resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: 'Patient/p' },
      author: { reference: 'https://fhir.example.org/fhir/Practitioner/abs' },
      contributor: [{ reference: 'Organization/o1/_history/3' }, { reference: '#contained' }, { identifier: { system: FR_SYSTEM.rpps, value: '1' } }],
    };
    expect(missingReferences([plan])).toEqual(new Map([['Practitioner', new Set(['abs'])], ['Organization', new Set(['o1'])]]));
  });
});
