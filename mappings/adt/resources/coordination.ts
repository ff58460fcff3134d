/**
 * Discharge coordination helpers the worker calls after the ADT write, once it has read the
 * person's current plan and team: who coordinates, and how an A13 undoes an A03.
 *
 * The coordinating organization (SPEC §3) is "the organization of the team's `coordinateur`,
 * else the plan owner's". The case mappers (`mappings/case/to-fhir/care-team.ts`) encode the
 * coordinateur as a CareTeam.participant whose role has our `team-role#coordinateur` coding
 * (plus ANS `TRE_R85#330`), whose member is a PractitionerRole (person at an organization) or
 * an Organization, and they set CareTeam.managingOrganization to the coordinator's
 * organization. The plan's owner is its author (a Practitioner in the case mapping).
 */
import type { CarePlan, CareTeam, CareTeamParticipant, Organization, PractitionerRole, Reference, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, FR_SYSTEM } from '../../../profiles/canonical.js';
import { cancelReassessment } from './care-plan-activity.js';
import { cancelDischargeTask } from './task.js';

/** ANS TRE_R85 code of the *coordonnateur de parcours*, carried next to our team-role code. */
const R85_COORDINATOR = '330';

/** True when a participant holds the coordinateur role (our code, or the ANS function code). */
export function isCoordinator(participant: CareTeamParticipant): boolean {
  return (participant.role ?? []).some((role) => (role.coding ?? []).some((c) =>
    (c.system === CODE_SYSTEM.teamRole && c.code === 'coordinateur') || (c.system === FR_SYSTEM.treR85RolePriseCharge && c.code === R85_COORDINATOR)));
}

function isOrganizationRef(r: Reference | undefined): r is Reference<Organization> {
  return r?.reference?.startsWith('Organization/') === true || (r?.type === 'Organization' && r.identifier !== undefined);
}

/** The organization of a PractitionerRole (by `PractitionerRole/<id>`) or of a practitioner's role. */
function organizationOf(member: Reference | undefined, roles: readonly PractitionerRole[]): Reference<Organization> | undefined {
  const reference = member?.reference;
  if (reference === undefined) return undefined;
  const byRole = reference.startsWith('PractitionerRole/') ? roles.find((r) => `PractitionerRole/${r.id ?? ''}` === reference) : undefined;
  // A practitioner: the first of their roles with an organization, in id order (deterministic).
  const byPractitioner = reference.startsWith('Practitioner/')
    ? [...roles].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? '')).find((r) => r.practitioner?.reference === reference && r.organization !== undefined)
    : undefined;
  const organization = (byRole ?? byPractitioner)?.organization;
  return organization !== undefined ? { ...organization } : undefined;
}

/**
 * The organization coordinating the person's plan, in this order:
 * 1. the team's coordinateur: its `onBehalfOf`, its member when it is an Organization, or the
 *    organization of its member PractitionerRole (from `roles`);
 * 2. the team's managingOrganization (the case mapping puts the coordinator's organization there);
 * 3. the plan's author: an Organization, or the organization of the author's PractitionerRole.
 * Undefined when none is known (the discharge Task is then unowned, to be dispatched by hand).
 *
 * @param roles PractitionerRoles the worker read alongside (`_include`), to resolve a person to their organization
 * @example coordinatingOrganization(careTeam, carePlan, roles) // { reference: 'Organization/dac' }
 */
export function coordinatingOrganization(careTeam?: CareTeam, carePlan?: CarePlan, roles: readonly PractitionerRole[] = []): Reference<Organization> | undefined {
  for (const participant of careTeam?.participant ?? []) {
    if (!isCoordinator(participant)) continue;
    if (isOrganizationRef(participant.onBehalfOf)) return { ...participant.onBehalfOf };
    if (isOrganizationRef(participant.member)) return { ...participant.member } as Reference<Organization>;
    const viaRole = organizationOf(participant.member, roles);
    if (viaRole !== undefined) return viaRole;
  }
  const managing = careTeam?.managingOrganization?.find((r) => isOrganizationRef(r));
  if (managing !== undefined) return { ...managing };
  const author = carePlan?.author;
  if (isOrganizationRef(author)) return { ...author } as Reference<Organization>;
  return organizationOf(author, roles);
}

/**
 * The member or author references whose PractitionerRoles {@link coordinatingOrganization} may
 * read, in its order, up to the first step that decides without roles (an Organization
 * reference, a managingOrganization): the worker reads the roles of these only, often none.
 * @example referencesNeedingRoles(careTeam, carePlan) // ['PractitionerRole/12']
 */
export function referencesNeedingRoles(careTeam?: CareTeam, carePlan?: CarePlan): string[] {
  const references: string[] = [];
  const throughRoles = (member: Reference | undefined): void => {
    const reference = member?.reference;
    if (reference?.startsWith('PractitionerRole/') === true || reference?.startsWith('Practitioner/') === true) references.push(reference);
  };
  for (const participant of careTeam?.participant ?? []) {
    if (!isCoordinator(participant)) continue;
    if (isOrganizationRef(participant.onBehalfOf) || isOrganizationRef(participant.member)) return references;
    throughRoles(participant.member);
  }
  if (careTeam?.managingOrganization?.some((r) => isOrganizationRef(r)) === true) return references;
  if (isOrganizationRef(carePlan?.author)) return references;
  throughRoles(carePlan?.author);
  return references;
}

/** What an A13 changes: the Task and the plan to write back (version-aware), each only if it changes. */
export interface DischargeCancellation {
  task?: Task;
  carePlan?: CarePlan;
  issues: string[];
}

/**
 * Undoes the coordination of a discharge (A13): the discharge Task cancelled and the plan's
 * reassessment activity of the stay cancelled. Pure: takes the current resources, returns the
 * updated ones (absent when nothing changes, e.g. a replayed A13).
 * @param options.clientId the hospital client, origin of the activity (any client when omitted:
 *   the element id already names the stay in its namespace)
 * @param options.now sets Task.lastModified
 * @example const { task, carePlan } = cancelDischarge(currentTask, currentPlan, effect.visitKey, { clientId, now })
 */
export function cancelDischarge(
  task: Task | undefined,
  carePlan: CarePlan | undefined,
  visitKey: string,
  options: { clientId?: string; now?: string } = {},
): DischargeCancellation {
  const issues: string[] = [];
  const cancelledTask = task !== undefined ? cancelDischargeTask(task, issues, options.now) : undefined;
  const plan = carePlan !== undefined ? cancelReassessment(carePlan, options.clientId, visitKey, issues) : undefined;
  return { ...(cancelledTask !== undefined ? { task: cancelledTask } : {}), ...(plan !== undefined ? { carePlan: plan } : {}), issues };
}
