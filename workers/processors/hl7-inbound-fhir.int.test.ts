/**
 * The round-trip savers of the `hl7-inbound` worker against the embedded store, spawned as its
 * own process: several searches in one batch (`searchBatch`), and a conditional create with a
 * version-aware update in one transaction (`createWithUpdate`), including a concurrent writer.
 */
import { randomUUID } from 'node:crypto';
import { OperationOutcomeError, type WithId } from '@medplum/core';
import type { Annotation, CarePlan, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { useFhirStoreProcess } from '../../test/helpers/store-fixture.js';
import { searchBatch, statusOf } from '../fhir-client/index.js';
import { createWithUpdate, type AlongsideEntries } from './hl7-inbound-fhir.js';

/** A system unique to this run, so searches only see what this file wrote. */
const SYSTEM = `urn:uuid:${randomUUID()}`;

const fhirStore = useFhirStoreProcess('hl7-inbound-fhir');

const task = (value: string): Task => ({ resourceType: 'Task', status: 'requested', intent: 'order', identifier: [{ system: SYSTEM, value }] });
const plan = (value: string): CarePlan => ({ resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: 'Patient/p1' }, identifier: [{ system: SYSTEM, value }] });
const withNote = (text: string) => (current: WithId<CarePlan>): CarePlan | undefined =>
  (current.note ?? []).some((n) => n.text === text) ? undefined : { ...current, note: [...(current.note ?? []), { text }] };

describe('searchBatch', () => {
  it('answers each search of the batch with its own matches, in order', async () => {
    const [a, b] = await Promise.all([fhirStore.fhir.create(task('batch-a')), fhirStore.fhir.create(task('batch-b'))]);
    const [first, second, none] = await searchBatch(fhirStore.fhir, [
      { type: 'Task', params: { identifier: `${SYSTEM}|batch-a` } },
      { type: 'Task', params: { identifier: `${SYSTEM}|batch-b` } },
      { type: 'CarePlan', params: { identifier: `${SYSTEM}|batch-none` } },
    ] as const);
    expect(first.map((t) => t.id)).toEqual([a.id]);
    expect(second.map((t) => t.id)).toEqual([b.id]);
    expect(none).toEqual([]);
  });

  it('reads every page of a search whose answer does not fit in one page, unless told the first is enough', async () => {
    await Promise.all(['page-1', 'page-2', 'page-3'].map((v) => fhirStore.fhir.create({ ...task(v), identifier: [{ system: SYSTEM, value: v }, { system: SYSTEM, value: 'paged' }] })));
    const [all, first] = await searchBatch(fhirStore.fhir, [
      { type: 'Task', params: { identifier: `${SYSTEM}|paged`, _count: 1 } },
      { type: 'Task', params: { identifier: `${SYSTEM}|paged`, _count: 1 }, firstPage: true },
    ] as const);
    expect(all).toHaveLength(3);
    expect(first).toHaveLength(1);
  });

  it('throws the error of a failed search with its status, as the search alone would', async () => {
    const err = await searchBatch(fhirStore.fhir, [
      { type: 'Task', params: { identifier: `${SYSTEM}|x` } },
      { type: 'Task', params: { 'not-a-parameter': 'x' } },
    ] as const).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OperationOutcomeError);
    expect(statusOf(err)).toBe(400);
  });
});

describe('createWithUpdate', () => {
  it('creates the Task and updates the plan together; repeated, it finds the Task and changes nothing', async () => {
    const stored = await fhirStore.fhir.create(plan('cwu-1'));
    const create = { resource: task('cwu-task-1'), ifNoneExist: { identifier: `${SYSTEM}|cwu-task-1` } };
    const first = await createWithUpdate(fhirStore.fhir, create, 'CarePlan', stored, withNote('reassess'));
    expect(first.created).toBe(true);
    expect(first.createdRef).toMatch(/^Task\//);
    expect(first.updated).toBe(true);
    expect((await fhirStore.fhir.read('CarePlan', stored.id)).note).toEqual([{ text: 'reassess' }]);
    expect((await fhirStore.fhir.read('CarePlan', stored.id)).meta?.versionId).not.toBe(stored.meta?.versionId);

    const latest = await fhirStore.fhir.read('CarePlan', stored.id);
    const again = await createWithUpdate(fhirStore.fhir, create, 'CarePlan', latest, withNote('reassess'));
    expect(again).toEqual({ createdRef: first.createdRef, created: false, updated: false, alongsideWritten: false });
    expect((await fhirStore.fhir.read('CarePlan', stored.id)).meta?.versionId).toBe(latest.meta?.versionId);
    expect(await fhirStore.fhir.searchAll('Task', { identifier: `${SYSTEM}|cwu-task-1` })).toHaveLength(1);
  });

  it('keeps a concurrent writer’s change: a stale plan is read again and the change applied on top', async () => {
    const stale = await fhirStore.fhir.create(plan('cwu-2'));
    await fhirStore.fhir.update({ ...stale, description: 'edited meanwhile' }, { ifMatch: stale.meta!.versionId! });
    const create = { resource: task('cwu-task-2'), ifNoneExist: { identifier: `${SYSTEM}|cwu-task-2` } };
    const written = await createWithUpdate(fhirStore.fhir, create, 'CarePlan', stale, withNote('reassess'));
    expect(written.created).toBe(true);
    const stored = await fhirStore.fhir.read('CarePlan', stale.id);
    expect(stored.description).toBe('edited meanwhile');
    expect(stored.note).toEqual([{ text: 'reassess' }]);
    expect(await fhirStore.fhir.searchAll('Task', { identifier: `${SYSTEM}|cwu-task-2` })).toHaveLength(1);
  });

  it('writes the entries alongside in the same transaction, the created resource’s placeholder resolved; not when the create goes alone', async () => {
    const stored = await fhirStore.fhir.create(plan('cwu-4'));
    const create = { resource: task('cwu-task-4'), ifNoneExist: { identifier: `${SYSTEM}|cwu-task-4` } };
    const note: Annotation = { text: 'written with the Task and the plan' };
    const alongside: AlongsideEntries = ({ created, updated }) => [{
      resource: { ...task('cwu-alongside-4'), focus: { reference: created }, basedOn: [{ reference: updated }], note: [note] },
      request: { method: 'POST', url: 'Task', ifNoneExist: `identifier=${encodeURIComponent(`${SYSTEM}|cwu-alongside-4`)}` },
    }];
    const written = await createWithUpdate(fhirStore.fhir, create, 'CarePlan', stored, withNote('reassess'), alongside);
    expect(written).toMatchObject({ created: true, updated: true, alongsideWritten: true });
    const [companion, ...more] = await fhirStore.fhir.searchAll('Task', { identifier: `${SYSTEM}|cwu-alongside-4` });
    expect(more).toEqual([]);
    expect(companion).toMatchObject({ focus: { reference: written.createdRef }, basedOn: [{ reference: `CarePlan/${stored.id}` }], note: [note] });

    // The plan has the note already: the create is sent alone, and the caller writes the rest itself.
    const latest = await fhirStore.fhir.read('CarePlan', stored.id);
    const again = await createWithUpdate(fhirStore.fhir, create, 'CarePlan', latest, withNote('reassess'), alongside);
    expect(again).toEqual({ createdRef: written.createdRef, created: false, updated: false, alongsideWritten: false });
    expect(await fhirStore.fhir.searchAll('Task', { identifier: `${SYSTEM}|cwu-alongside-4` })).toHaveLength(1);
  });

  it('writes nothing when the update fails for good: the transaction is all or nothing', async () => {
    const stored = await fhirStore.fhir.create(plan('cwu-3'));
    const invalid = (current: WithId<CarePlan>) => ({ ...current, status: 'not-a-status' as CarePlan['status'] });
    const create = { resource: task('cwu-task-3'), ifNoneExist: { identifier: `${SYSTEM}|cwu-task-3` } };
    await expect(createWithUpdate(fhirStore.fhir, create, 'CarePlan', stored, invalid)).rejects.toBeInstanceOf(OperationOutcomeError);
    expect(await fhirStore.fhir.searchAll('Task', { identifier: `${SYSTEM}|cwu-task-3` })).toEqual([]);
    expect((await fhirStore.fhir.read('CarePlan', stored.id)).meta?.versionId).toBe(stored.meta?.versionId);
  });
});
