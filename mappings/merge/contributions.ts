/**
 * One shared plan, many contributors (SPEC §5). Every plan element carries its origin (the
 * client that wrote it, with that client's own id). A client's write replaces only the
 * elements it owns: the others' are kept as they are. Pure: the I/O (read, If-Match write,
 * retry on conflict) lives in the workers.
 */
import type { CarePlan, CarePlanActivity, CareTeam, CareTeamParticipant, Extension, Reference } from '@medplum/fhirtypes';
import { readOrigin } from '../case/from-fhir/common.js';

/** Who owns an element: its origin's client, or `undefined` for an element without origin. */
export function ownerOf(element: { extension?: Extension[] }): string | undefined {
  return readOrigin(element.extension)?.client;
}

/** Elements some other contributor owns (an element without origin is nobody's to erase). */
function othersElements<T extends { extension?: Extension[] }>(elements: readonly T[] | undefined, clientId: string): T[] {
  return (elements ?? []).filter((element) => ownerOf(element) !== clientId);
}

function uniqueReferences<T extends Reference>(refs: readonly (T | undefined)[]): T[] | undefined {
  const seen = new Map<string, T>();
  for (const ref of refs) if (ref?.reference && !seen.has(ref.reference)) seen.set(ref.reference, ref);
  return seen.size > 0 ? [...seen.values()] : undefined;
}

/**
 * The plan after `clientId` writes `incoming`: the client's own elements come from `incoming`,
 * in its order, then every other contributor's elements as they were. Plan-level fields
 * (title, period, status…) are the writer's. Goals referenced by kept activities stay linked.
 */
export function mergeCarePlan(existing: CarePlan, incoming: CarePlan, clientId: string): CarePlan {
  const keptActivities: CarePlanActivity[] = othersElements(existing.activity, clientId);
  const keptGoalRefs = new Set(keptActivities.flatMap((a) => a.detail?.goal?.map((g) => g.reference) ?? []));
  const activity = [...(incoming.activity ?? []), ...keptActivities];
  const goal = uniqueReferences([...(incoming.goal ?? []), ...(existing.goal ?? []).filter((g) => keptGoalRefs.has(g.reference))]);
  const { activity: _a, goal: _g, ...rest } = incoming;
  return {
    ...rest,
    ...(existing.id ? { id: existing.id } : {}),
    ...(goal ? { goal } : {}),
    ...(activity.length > 0 ? { activity } : {}),
  };
}

/** The same rule for a care team's participants. */
export function mergeCareTeam(existing: CareTeam, incoming: CareTeam, clientId: string): CareTeam {
  const participant: CareTeamParticipant[] = [...(incoming.participant ?? []), ...othersElements(existing.participant, clientId)];
  const { participant: _p, ...rest } = incoming;
  return { ...rest, ...(existing.id ? { id: existing.id } : {}), ...(participant.length > 0 ? { participant } : {}) };
}

/**
 * A contributor's own activities replace its previous ones in `plan` (used by writers that add
 * elements to a plan they do not own: a hospital's discharge follow-up, an EHPAD's action).
 */
export function withOwnActivities(plan: CarePlan, clientId: string, own: readonly CarePlanActivity[]): CarePlan {
  const activity = [...othersElements(plan.activity, clientId), ...own];
  const { activity: _a, ...rest } = plan;
  return { ...rest, ...(activity.length > 0 ? { activity } : {}) };
}
