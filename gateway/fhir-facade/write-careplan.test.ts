import type { CarePlan, CarePlanActivity } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { readOrigin } from '../../mappings/case/from-fhir/common.js';
import { EXTENSION } from '../../profiles/canonical.js';
import { carePlanWrite, STAMPED_ID_PREFIX, stampedElementId } from './write-careplan.js';

const EHPAD = 'ehpad-tilleuls';
const DAC = 'dac-doubs';

function activity(client: string | undefined, id: string, description: string, status: 'not-started' | 'in-progress' | 'completed' = 'not-started'): CarePlanActivity {
  return {
    ...(client ? { extension: [{ url: EXTENSION.origin, extension: [{ url: 'client', valueString: client }, { url: 'id', valueString: id }] }] } : {}),
    detail: { status, description },
  };
}

const stored: CarePlan = {
  resourceType: 'CarePlan', id: 'c1', meta: { versionId: '4' }, status: 'active', intent: 'plan', subject: { reference: 'Patient/p1' },
  activity: [activity(DAC, 'A1', 'Passage infirmier', 'in-progress'), activity('chu-besancon', 'sortie/V1', 'Réévaluation'), activity(EHPAD, 'E1', 'Animation')],
};

function copy(): CarePlan {
  return structuredClone(stored);
}

const paths = (plan: CarePlan, client = EHPAD) => carePlanWrite(stored, plan, client).refused.map((r) => r.path);

describe('carePlanWrite', () => {
  it('accepts the plan unchanged and status changes on anyone\'s activity', () => {
    const next = copy();
    next.activity![0]!.detail!.status = 'completed';
    next.activity![1]!.detail!.statusReason = { text: 'fait' };
    next.activity![1]!.progress = [{ text: 'RDV pris' }];
    const { plan, refused } = carePlanWrite(stored, next, EHPAD);
    expect(refused).toEqual([]);
    expect(plan.activity?.[0]?.detail?.status).toBe('completed');
  });

  it('adds an activity without origin, stamped with the caller and a content-derived id', () => {
    const next = copy();
    const added = activity(undefined, '', 'Atelier mémoire');
    next.activity!.push(added);
    const { plan, refused } = carePlanWrite(stored, next, EHPAD);
    expect(refused).toEqual([]);
    expect(plan.activity).toHaveLength(4);
    const origin = readOrigin(plan.activity![3]!.extension);
    expect(origin).toEqual({ client: EHPAD, case: undefined, id: stampedElementId(added) });
    expect(origin?.id.startsWith(STAMPED_ID_PREFIX)).toBe(true);
    // Deterministic: the same body gives the same id; a different content another.
    expect(readOrigin(carePlanWrite(stored, next, EHPAD).plan.activity![3]!.extension)?.id).toBe(origin?.id);
    expect(stampedElementId(activity(undefined, '', 'Atelier cuisine'))).not.toBe(origin?.id);
  });

  it('gives two identical additions distinct ids', () => {
    const next = copy();
    next.activity!.push(activity(undefined, '', 'Atelier'), activity(undefined, '', 'Atelier'));
    const { plan, refused } = carePlanWrite(stored, next, EHPAD);
    expect(refused).toEqual([]);
    const ids = plan.activity!.slice(3).map((a) => readOrigin(a.extension)?.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('lets the caller change and remove its own activities, and keep its own origin on new ones', () => {
    const next = copy();
    next.activity![2]!.detail!.description = 'Animation musicale';
    next.activity!.push(activity(EHPAD, 'E2', 'Kiné'));
    expect(paths(next)).toEqual([]);
    const removed = copy();
    removed.activity = removed.activity!.slice(0, 2);
    expect(paths(removed)).toEqual([]);
  });

  it('refuses changing another contributor\'s activity content, naming the path', () => {
    const next = copy();
    next.activity![0]!.detail!.description = 'Autre chose';
    next.activity![0]!.detail!.status = 'completed';
    expect(paths(next)).toEqual(['CarePlan.activity[0].detail.description']);
    // Matched by origin, not position: reordering is no change, the path is where the client put it.
    const reordered = copy();
    reordered.activity = [reordered.activity![2]!, reordered.activity![1]!, reordered.activity![0]!];
    reordered.activity[2]!.detail!.description = 'Autre chose';
    expect(paths(reordered)).toEqual(['CarePlan.activity[2].detail.description']);
  });

  it('refuses removing another contributor\'s activity, naming the stored path', () => {
    const next = copy();
    next.activity = [next.activity![0]!, next.activity![2]!];
    const { refused } = carePlanWrite(stored, next, EHPAD);
    expect(refused.map((r) => r.path)).toEqual(['CarePlan.activity[1]']);
    expect(refused[0]?.reason).toContain('chu-besancon');
  });

  it('refuses an added activity claiming another client\'s origin, or a duplicated origin', () => {
    const next = copy();
    next.activity!.push(activity(DAC, 'A9', 'Sous le nom du DAC'));
    expect(paths(next)).toEqual(['CarePlan.activity[3].extension']);
    const dup = copy();
    dup.activity!.push(activity(EHPAD, 'E1', 'Animation'));
    expect(paths(dup)).toEqual(['CarePlan.activity[3]']);
  });

  it('keeps the generic rule outside activities', () => {
    expect(paths({ ...copy(), status: 'completed', title: 'x' })).toEqual(['CarePlan.status', 'CarePlan.title']);
  });

  it('treats activities without origin as nobody\'s: status only, no removal', () => {
    const legacy: CarePlan = { ...copy(), activity: [activity(undefined, '', 'Ancien'), activity(undefined, '', 'Autre ancien')] };
    const changed = structuredClone(legacy);
    changed.activity![0]!.detail!.status = 'completed';
    expect(carePlanWrite(legacy, changed, EHPAD).refused).toEqual([]);
    expect(readOrigin(carePlanWrite(legacy, changed, EHPAD).plan.activity![0]!.extension)).toBeUndefined();
    changed.activity![1]!.detail!.description = 'Modifié';
    expect(carePlanWrite(legacy, changed, EHPAD).refused.map((r) => r.path)).toEqual(['CarePlan.activity[1].detail.description']);
    expect(carePlanWrite(legacy, { ...legacy, activity: [legacy.activity![1]!] }, EHPAD).refused.map((r) => r.path)).toEqual(['CarePlan.activity[0]']);
  });
});
