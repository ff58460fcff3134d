/**
 * What a `PUT /fhir/CarePlan/{id}` may change (SPEC §4/§5: one shared plan, many
 * contributors). Activities are matched by their origin (client, element id), not by position:
 * - the caller's own activities (origin client = caller) may be added, changed or removed;
 * - another contributor's activity (or one without origin, which is nobody's) keeps its
 *   content: only its status fields (`detail.status`, `detail.statusReason`, `progress`) may
 *   change, and it may not be removed;
 * - an added activity without origin is stamped with the caller's origin and an element id
 *   derived from its content; one claiming another client's origin is refused;
 * - everything outside `activity` follows the generic rule (`write-policy.ts`).
 * Every refusal names its path. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import type { CarePlan, CarePlanActivity, Extension } from '@medplum/fhirtypes';
import { EXTENSION } from '../../profiles/canonical.js';
import { ownerOf } from '../../mappings/merge/contributions.js';
import { readOrigin } from '../../mappings/case/from-fhir/common.js';
import { canonical, forbiddenChanges } from './write-policy.js';

/** A refused change: the path in the submitted (or, for a removal, the stored) plan, and why. */
export interface RefusedChange {
  readonly path: string;
  readonly reason: string;
}

/** The outcome of the CarePlan policy: the plan to store (added activities stamped) or refusals. */
export interface CarePlanWrite {
  readonly plan: CarePlan;
  readonly refused: readonly RefusedChange[];
}

/** Paths of another contributor's activity a client may change (SPEC §4: "a plan activity's status"). */
export const OTHERS_ACTIVITY_PATHS = ['CarePlan.activity.detail.status', 'CarePlan.activity.detail.statusReason', 'CarePlan.activity.progress'] as const;

/** Prefix of element ids the facade derives for activities added without an origin. */
export const STAMPED_ID_PREFIX = 'fhir-';

type Json = Record<string, unknown>;

function originKey(activity: CarePlanActivity): string | undefined {
  const origin = readOrigin(activity.extension);
  return origin ? `${origin.client}\n${origin.id}` : undefined;
}

/** The activity without its status fields: what must stay equal on an activity the caller does not own. */
function contentOf(activity: CarePlanActivity): string {
  const { progress: _p, detail, ...rest } = activity;
  if (!detail) return canonical(rest);
  const { status: _s, _status, statusReason: _r, ...detailRest } = detail as typeof detail & { _status?: unknown };
  return canonical({ ...rest, detail: detailRest });
}

/** Deterministic element id of an added activity: a digest of its content (status fields aside). */
export function stampedElementId(activity: CarePlanActivity): string {
  return `${STAMPED_ID_PREFIX}${createHash('sha256').update(contentOf(activity), 'utf8').digest('hex').slice(0, 16)}`;
}

function originExtension(clientId: string, elementId: string): Extension {
  return { url: EXTENSION.origin, extension: [{ url: 'client', valueString: clientId }, { url: 'id', valueString: elementId }] };
}

/** The activity with the caller's origin; a malformed origin extension (no client or id) is replaced. */
function stamp(activity: CarePlanActivity, clientId: string, taken: Set<string>): CarePlanActivity {
  const base = stampedElementId(activity);
  let elementId = base;
  for (let n = 2; taken.has(`${clientId}\n${elementId}`); n++) elementId = `${base}-${n}`;
  taken.add(`${clientId}\n${elementId}`);
  const others = (activity.extension ?? []).filter((e) => e.url !== EXTENSION.origin);
  return { ...activity, extension: [...others, originExtension(clientId, elementId)] };
}

/**
 * Pairs each submitted activity with the stored one it stands for: same origin, or — for
 * activities without origin — same content apart from status fields (first unpaired match),
 * else the unpaired activity without origin at the same position.
 * @returns for each submitted index, the stored index or undefined (an addition).
 */
function pair(stored: readonly CarePlanActivity[], submitted: readonly CarePlanActivity[]): (number | undefined)[] {
  const byKey = new Map<string, number>();
  stored.forEach((a, i) => {
    const key = originKey(a);
    if (key !== undefined && !byKey.has(key)) byKey.set(key, i);
  });
  const used = new Set<number>();
  const matches = submitted.map((a) => {
    const key = originKey(a);
    let match: number | undefined;
    if (key !== undefined) {
      match = byKey.get(key);
    } else {
      const content = contentOf(a);
      match = stored.findIndex((s, i) => !used.has(i) && originKey(s) === undefined && contentOf(s) === content);
      if (match < 0) match = undefined;
    }
    if (match === undefined || used.has(match)) return undefined;
    used.add(match);
    return match;
  });
  // An activity without origin whose content changed is still the one at its position, so the
  // refusal names the changed element (activity[0].detail.description), not a removal.
  submitted.forEach((a, i) => {
    const s = stored[i];
    if (matches[i] === undefined && originKey(a) === undefined && s !== undefined && originKey(s) === undefined && !used.has(i)) {
      used.add(i);
      matches[i] = i;
    }
  });
  return matches;
}

/**
 * Applies the contributor rule to a submitted plan.
 * @param stored the current plan (as read, same version as the caller's If-Match)
 * @param submitted the caller's body (resourceType and id already checked)
 * @example
 *   const { plan, refused } = carePlanWrite(stored, body, 'ehpad-tilleuls');
 *   if (refused.length > 0) throw new OperationOutcomeError(refusedChangesOutcome(refused));
 */
export function carePlanWrite(stored: CarePlan, submitted: CarePlan, clientId: string): CarePlanWrite {
  const refused: RefusedChange[] = [];
  const { activity: storedActivities = [], ...storedRest } = stored;
  const { activity: submittedActivities = [], ...submittedRest } = submitted;
  if (!Array.isArray(submittedActivities)) {
    return { plan: submitted, refused: [{ path: 'CarePlan.activity', reason: 'CarePlan.activity must be a list' }] };
  }

  for (const path of forbiddenChanges(storedRest as Json, submittedRest as Json, [])) {
    refused.push({ path, reason: `${path} cannot be changed through /fhir: only the plan's activities may` });
  }

  const matches = pair(storedActivities, submittedActivities);
  const seen = new Map<string, number>();
  const taken = new Set([...storedActivities, ...submittedActivities].map(originKey).filter((k): k is string => k !== undefined));
  const activity = submittedActivities.map((a, i) => {
    const path = `CarePlan.activity[${i}]`;
    const key = originKey(a);
    if (key !== undefined) {
      const first = seen.get(key);
      if (first !== undefined) refused.push({ path, reason: `${path} has the same origin as CarePlan.activity[${first}]: each activity has its own` });
      else seen.set(key, i);
    }
    const storedIndex = matches[i];
    if (storedIndex === undefined) {
      // An addition: the caller's own, or stamped as the caller's.
      const owner = ownerOf(a);
      if (owner === undefined) return stamp(a, clientId, taken);
      if (owner !== clientId) refused.push({ path: `${path}.extension`, reason: `${path} claims the origin of client ${owner}: a client adds activities only under its own origin` });
      return a;
    }
    const before = storedActivities[storedIndex]!;
    if (ownerOf(before) !== clientId) {
      // Compared as one-activity plans, so the generic rule names paths like CarePlan.activity[0].detail.code.
      const changed = forbiddenChanges({ resourceType: 'CarePlan', activity: [before] }, { resourceType: 'CarePlan', activity: [a] }, OTHERS_ACTIVITY_PATHS);
      for (const inner of changed) {
        const at = `${path}${inner.slice('CarePlan.activity[0]'.length)}`;
        refused.push({ path: at, reason: `${at} belongs to another contributor's activity: only its detail.status, detail.statusReason and progress may change` });
      }
    }
    return a;
  });

  const kept = new Set(matches.filter((m): m is number => m !== undefined));
  storedActivities.forEach((a, i) => {
    if (kept.has(i) || ownerOf(a) === clientId) return;
    const owner = ownerOf(a);
    refused.push({
      path: `CarePlan.activity[${i}]`,
      reason: `CarePlan.activity[${i}] (stored) belongs to ${owner === undefined ? 'no contributor' : `client ${owner}`} and cannot be removed through /fhir`,
    });
  });

  return { plan: { ...submittedRest, ...(activity.length > 0 ? { activity } : {}) } as CarePlan, refused };
}
