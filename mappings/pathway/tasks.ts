/**
 * Tasks → the open work items around the person: who must act (owner), on what (focus), and
 * whether it is the discharge task (`TRE_R254-TypeEvenement#SOR`), which the view highlights:
 * a hospital discharge is where pathways most often break.
 */
import type { Reference, Task } from '@medplum/fhirtypes';
import { FR_SYSTEM } from '../../profiles/canonical.js';
import { compact } from '../case/from-fhir/common.js';
import type { Resolver } from '../case/from-fhir/resolver.js';
import { OPEN_TASK_STATUSES, REQUEST_PRIORITY_DISPLAY, TASK_STATUS_DISPLAY, codedFrom, codedFromCoding } from './labels.js';
import { resourceOwner, type ClientNameLookup } from './origin.js';
import { partyView } from './parties.js';
import type { TaskView } from './view.js';

/** The discharge event of the ANS Notification d'évènements vocabulary. */
export const DISCHARGE_TASK_CODE = { system: FR_SYSTEM.treR254TypeEvenement, code: 'SOR' } as const;

/** Whether a Task is the discharge task (*sortie d'hospitalisation*). */
export function isDischargeTask(task: Task): boolean {
  return task.code?.coding?.some((c) => c.system === DISCHARGE_TASK_CODE.system && c.code === DISCHARGE_TASK_CODE.code) ?? false;
}

/** `2024-05-09T15:30:00+02:00` → `09/05/2024`: the date as the stay's own record gives it, in French order. */
function frenchDate(value: string | undefined): string | undefined {
  const match = value !== undefined ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
  return match ? `${match[3]}/${match[2]}/${match[1]}` : value;
}

/** What a task is about, in words: a stay by its dates, a plan by its title. */
function focusOf(reference: Reference | undefined, resolver: Resolver): TaskView['focus'] {
  const ref = reference?.reference;
  if (!reference || ref === undefined) return undefined;
  const encounter = resolver.resolve(reference, 'Encounter');
  if (encounter) {
    const start = frenchDate(encounter.period?.start);
    const end = frenchDate(encounter.period?.end);
    const dates = start && end ? ` du ${start} au ${end}` : start ? ` depuis le ${start}` : end ? ` terminé le ${end}` : '';
    return { reference: ref, display: `Séjour hospitalier${dates}` };
  }
  const plan = resolver.resolve(reference, 'CarePlan');
  if (plan) return { reference: ref, display: plan.title ?? 'Plan personnalisé' };
  if (resolver.resolve(reference, 'ServiceRequest')) return { reference: ref, display: "Demande d'appui" };
  const patient = resolver.resolve(reference, 'Patient');
  if (patient) return { reference: ref, display: 'Dossier de la personne' };
  return { reference: ref, display: reference.display ?? ref };
}

function taskView(task: Task & { id: string }, resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[]): TaskView {
  return compact({
    id: task.id,
    status: codedFrom(TASK_STATUS_DISPLAY, task.status),
    code: codedFromCoding(task.code?.coding?.[0]) ?? (task.code?.text !== undefined ? { code: 'text', display: task.code.text } : undefined),
    description: task.description,
    discharge: isDischargeTask(task),
    priority: task.priority !== undefined ? codedFrom(REQUEST_PRIORITY_DISPLAY, task.priority) : undefined,
    authoredOn: task.authoredOn,
    owner: partyView(task.owner, resolver, issues, `Task/${task.id}.owner`),
    focus: focusOf(task.focus, resolver),
    origin: resourceOwner(task, clientName),
  });
}

/** Open tasks: discharge tasks first, then the most recent. */
export function openTasksView(
  tasks: (Task & { id: string })[], resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[],
): TaskView[] {
  return tasks
    .filter((t) => OPEN_TASK_STATUSES.has(t.status))
    .map((t) => taskView(t, resolver, clientName, issues))
    .sort((a, b) => Number(b.discharge) - Number(a.discharge) || (b.authoredOn ?? '').localeCompare(a.authoredOn ?? ''));
}
