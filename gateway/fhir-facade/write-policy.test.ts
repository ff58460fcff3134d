import type { CarePlan, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { RESOURCES } from './resource-table.js';
import { forbiddenChanges, forbiddenChangesOutcome } from './write-policy.js';

const TASK_PATHS = RESOURCES.Task.updatable!;
const PLAN_PATHS = RESOURCES.CarePlan.updatable!;

const task: Task = {
  resourceType: 'Task', id: 't1', meta: { versionId: '3', tag: [{ system: 'urn:tenant', code: 'doubs' }] },
  status: 'requested', intent: 'order', description: 'Organiser le passage infirmier', for: { reference: 'Patient/p1' },
};

const plan: CarePlan = {
  resourceType: 'CarePlan', id: 'c1', status: 'active', intent: 'plan', subject: { reference: 'Patient/p1' },
  activity: [
    { detail: { status: 'in-progress', description: 'Passage infirmier', code: { text: 'soins' } } },
    { detail: { status: 'not-started', description: 'Portage des repas' } },
  ],
};

function json<T>(value: T): Record<string, unknown> {
  return structuredClone(value) as unknown as Record<string, unknown>;
}

describe('forbiddenChanges', () => {
  it('accepts a Task whose status, business status, notes and output change', () => {
    const next = { ...json(task), status: 'completed', businessStatus: { text: 'fait' }, note: [{ text: 'ok' }], output: [{ type: { text: 'x' }, valueString: 'y' }] };
    expect(forbiddenChanges(json(task), next, TASK_PATHS)).toEqual([]);
  });

  it('names each other Task element that changed', () => {
    const next = { ...json(task), status: 'completed', description: 'autre chose', for: { reference: 'Patient/p2' }, priority: 'urgent' };
    expect(forbiddenChanges(json(task), next, TASK_PATHS)).toEqual(['Task.description', 'Task.for.reference', 'Task.priority']);
  });

  it('accepts a plan activity\'s status, reason and progress', () => {
    const next = json(plan) as unknown as CarePlan;
    next.activity![1]!.detail!.status = 'completed';
    next.activity![1]!.detail!.statusReason = { text: 'terminé' };
    next.activity![0]!.progress = [{ text: 'bien passé' }];
    expect(forbiddenChanges(json(plan), json(next), PLAN_PATHS)).toEqual([]);
  });

  it('names the path of a changed activity element, with its index', () => {
    const next = json(plan) as unknown as CarePlan;
    next.activity![1]!.detail!.description = 'Portage des repas le midi';
    next.activity![0]!.detail!.code = { text: 'aide' };
    expect(forbiddenChanges(json(plan), json(next), PLAN_PATHS)).toEqual([
      'CarePlan.activity[0].detail.code.text',
      'CarePlan.activity[1].detail.description',
    ]);
  });

  it('generic rule (Task; CarePlan outside activities, see write-careplan.test.ts): refuses a changed list length or plan status', () => {
    const fewer = { ...json(plan), activity: [plan.activity![0]] };
    expect(forbiddenChanges(json(plan), fewer, PLAN_PATHS)).toEqual(['CarePlan.activity']);
    expect(forbiddenChanges(json(plan), { ...json(plan), status: 'completed' }, PLAN_PATHS)).toEqual(['CarePlan.status']);
  });

  it('treats a primitive\'s extension (_status) as part of the element', () => {
    const next = { ...json(task), _status: { extension: [{ url: 'urn:x', valueString: 'y' }] } };
    expect(forbiddenChanges(json(task), next, TASK_PATHS)).toEqual([]);
    const nextPlan = { ...json(plan), _status: { extension: [{ url: 'urn:x', valueString: 'y' }] } };
    expect(forbiddenChanges(json(plan), nextPlan, PLAN_PATHS)).toEqual(['CarePlan.status']);
  });

  it('ignores key order and the server\'s meta, but not a changed tag', () => {
    const reordered = Object.fromEntries(Object.entries(json(task)).reverse());
    expect(forbiddenChanges(json(task), reordered, TASK_PATHS)).toEqual([]);
    const withoutMeta = json(task);
    delete withoutMeta['meta'];
    expect(forbiddenChanges(json(task), withoutMeta, TASK_PATHS)).toEqual([]);
    expect(forbiddenChanges(json(task), { ...json(task), meta: { versionId: '2', tag: task.meta!.tag } }, TASK_PATHS)).toEqual([]);
    expect(forbiddenChanges(json(task), { ...json(task), meta: { tag: [{ system: 'urn:tenant', code: 'jura' }] } }, TASK_PATHS)).toEqual(['Task.meta.tag']);
  });
});

describe('forbiddenChangesOutcome', () => {
  it('is a 403 outcome with one issue per path, saying what may change', () => {
    const outcome = forbiddenChangesOutcome('Task', ['Task.description'], TASK_PATHS);
    expect(outcome.id).toBe('forbidden');
    expect(outcome.issue).toEqual([expect.objectContaining({ code: 'forbidden', expression: ['Task.description'] })]);
    expect(outcome.issue[0]?.details?.text).toContain('status, statusReason, businessStatus');
  });
});
