import type { CarePlan, CarePlanActivity } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXTENSION } from '../../profiles/canonical.js';
import { mergeCarePlan, mergeCareTeam, ownerOf, withOwnActivities } from './contributions.js';

function activity(client: string, id: string, status: 'not-started' | 'in-progress' | 'completed' = 'not-started'): CarePlanActivity {
  return {
    extension: [{ url: EXTENSION.origin, extension: [{ url: 'client', valueString: client }, { url: 'id', valueString: id }] }],
    detail: { status, description: `${client} ${id}` },
  };
}

const basePlan: CarePlan = { resourceType: 'CarePlan', id: 'p1', status: 'active', intent: 'plan', subject: { reference: 'Patient/1' } };

describe('mergeCarePlan', () => {
  it('keeps the activities of other contributors when the DAC rewrites its own', () => {
    const existing: CarePlan = { ...basePlan, activity: [activity('dac', 'A1'), activity('chu', 'SORTIE'), activity('ehpad', 'E1')] };
    const incoming: CarePlan = { ...basePlan, id: undefined, title: 'PPS v2', activity: [activity('dac', 'A2')] };
    const merged = mergeCarePlan(existing, incoming, 'dac');
    expect(merged.id).toBe('p1');
    expect(merged.title).toBe('PPS v2');
    expect(merged.activity?.map((a) => a.detail?.description)).toEqual(['dac A2', 'chu SORTIE', 'ehpad E1']);
  });

  it('drops an action the writer removed from its own case file', () => {
    const existing: CarePlan = { ...basePlan, activity: [activity('dac', 'A1'), activity('dac', 'A2')] };
    const merged = mergeCarePlan(existing, { ...basePlan, activity: [activity('dac', 'A1')] }, 'dac');
    expect(merged.activity?.map((a) => a.detail?.description)).toEqual(['dac A1']);
  });

  it('keeps activities without origin: nobody owns them, so nobody erases them', () => {
    const existing: CarePlan = { ...basePlan, activity: [{ detail: { status: 'scheduled', description: 'manual' } }] };
    const merged = mergeCarePlan(existing, { ...basePlan, activity: [] }, 'dac');
    expect(merged.activity?.map((a) => a.detail?.description)).toEqual(['manual']);
  });

  it('keeps the goals that kept activities point to', () => {
    const chu = { ...activity('chu', 'X'), detail: { status: 'not-started' as const, goal: [{ reference: 'Goal/chu-goal' }] } };
    const existing: CarePlan = { ...basePlan, goal: [{ reference: 'Goal/old-dac' }, { reference: 'Goal/chu-goal' }], activity: [chu] };
    const merged = mergeCarePlan(existing, { ...basePlan, goal: [{ reference: 'urn:uuid:g1' }] }, 'dac');
    expect(merged.goal?.map((g) => g.reference)).toEqual(['urn:uuid:g1', 'Goal/chu-goal']);
  });

  it('is idempotent: writing the same contribution twice gives the same plan', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('dac', 'chu', 'ehpad'), fc.string({ minLength: 1, maxLength: 4 }))), fc.array(fc.string({ minLength: 1, maxLength: 4 })), (existingActs, ownIds) => {
        const existing: CarePlan = { ...basePlan, activity: existingActs.map(([c, id]) => activity(c, id)) };
        const incoming: CarePlan = { ...basePlan, activity: ownIds.map((id) => activity('dac', id)) };
        const once = mergeCarePlan(existing, incoming, 'dac');
        expect(mergeCarePlan(once, incoming, 'dac')).toEqual(once);
      }),
    );
  });
});

describe('mergeCareTeam', () => {
  it('keeps other contributors’ participants', () => {
    const participant = (client: string, id: string) => ({ extension: activity(client, id).extension, member: { reference: `Practitioner/${id}` } });
    const merged = mergeCareTeam(
      { resourceType: 'CareTeam', id: 't1', participant: [participant('dac', 'a'), participant('ehpad', 'b')] },
      { resourceType: 'CareTeam', participant: [participant('dac', 'c')] },
      'dac',
    );
    expect(merged.participant?.map((p) => p.member?.reference)).toEqual(['Practitioner/c', 'Practitioner/b']);
    expect(merged.id).toBe('t1');
  });
});

/**
 * The write protocol of every contributor: read, merge, compare-and-set on the version, retry
 * on conflict. With any interleaving of three clients' rounds, the final plan holds exactly
 * each client's last contribution.
 */
describe('concurrent contributors', () => {
  it('never lose an update: the final plan is the merge of everyone’s last write', async () => {
    const clients = ['dac', 'chu', 'ehpad'] as const;
    const round = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.tuple(fc.array(round, { minLength: 1, maxLength: 5 }), fc.array(round, { minLength: 1, maxLength: 5 }), fc.array(round, { minLength: 1, maxLength: 5 })), async (s, rounds) => {
        let stored = { version: 1, plan: { ...basePlan } as CarePlan };
        const read = s.scheduleFunction(async () => structuredClone(stored));
        const compareAndSet = s.scheduleFunction(async (version: number, plan: CarePlan) => {
          if (stored.version !== version) return false; // 412 Precondition Failed
          stored = { version: version + 1, plan };
          return true;
        });
        const contribute = async (client: string, ids: string[]) => {
          for (;;) {
            const current = await read();
            const next = withOwnActivities(current.plan, client, ids.map((id) => activity(client, id)));
            if (await compareAndSet(current.version, next)) return;
          }
        };
        const runs = clients.map(async (client, i) => {
          for (const ids of rounds[i]!) await contribute(client, ids);
        });
        await s.waitFor(Promise.all(runs));
        clients.forEach((client, i) => {
          const last = rounds[i]![rounds[i]!.length - 1]!;
          const own = (stored.plan.activity ?? []).filter((a) => ownerOf(a) === client).map((a) => a.detail?.description);
          expect(own).toEqual(last.map((id) => `${client} ${id}`));
        });
      }),
      { numRuns: 200 },
    );
  });
});
