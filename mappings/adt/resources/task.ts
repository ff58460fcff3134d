/**
 * The Tasks an ADT message raises, as pure builders:
 * - the *sortie d'hospitalisation* Task (SPEC §3): code `TRE_R254-TypeEvenement#SOR`, focus the
 *   Encounter, for the Patient, owner the plan's coordinating organization, basedOn the plan;
 *   identified by (client, stay) so it is written once per stay, whatever the replays;
 * - the identity reconciliation Task (SPEC §3: an ambiguous match is accepted, not merged):
 *   our `task-code#identity-reconciliation`, with the candidate Patients and, when withheld,
 *   the qualified INS as inputs.
 * Writes: conditional create on the identifier; a discharge Task cancelled by an A13 is
 * reopened by a later A03 ({@link dischargeTaskUpsert}).
 */
import type { BundleEntry, CarePlan, Encounter, Identifier, Organization, Patient, Reference, Task, TaskInput } from '@medplum/fhirtypes';
import { CODE_SYSTEM, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { shortHash, stableStringify } from '../../case/hash.js';
import { DISCHARGE_EVENT, RECONCILIATION_REASONS, TASK_CODES, TASK_INPUT_TYPES, ourCoding, type ReconciliationReason } from '../code-maps.js';
import { conditionalCreate, fullUrlFor, identifierQuery, resourceMeta } from '../context.js';

/** Inputs of {@link dischargeTask}: references are to stored resources (`Type/id`). */
export interface DischargeTaskInput {
  encounterRef: Reference<Encounter>;
  patientRef: Reference<Patient>;
  /** The coordinating organization (see `coordinatingOrganization`); the Task is unowned without it. */
  ownerOrgRef?: Reference<Organization> | undefined;
  carePlanRef?: Reference<CarePlan> | undefined;
  /** The hospital (the Encounter's serviceProvider), as requester. */
  requesterRef?: Reference<Organization> | undefined;
  tenant: string;
  /** The hospital's client id: owner tag and namespace of the Task identifier. */
  clientId: string;
  /** `visitKeyOf(encounter identifier)`, from the `discharged` effect. */
  visitKey: string;
  /** ISO instant of the write (authoredOn). */
  now: string;
  /** When the person left (Encounter.period.end): start of the Task's execution period. */
  dischargeDateTime?: string | undefined;
}

/** The identifier of the discharge Task of a stay. */
export function dischargeTaskIdentifier(clientId: string, visitKey: string): Identifier {
  return { system: sourceIdentifierSystem(clientId, 'discharge-task'), value: visitKey };
}

/**
 * The *sortie d'hospitalisation* Task of a stay.
 * @example dischargeTask({ encounterRef: { reference: 'Encounter/1' }, patientRef: { reference: 'Patient/2' },
 *   ownerOrgRef: { reference: 'Organization/3' }, tenant: 'doubs', clientId: 'chu', visitKey, now })
 */
export function dischargeTask(input: DischargeTaskInput): Task {
  return {
    resourceType: 'Task',
    meta: resourceMeta(input),
    identifier: [dischargeTaskIdentifier(input.clientId, input.visitKey)],
    ...(input.carePlanRef !== undefined ? { basedOn: [{ ...input.carePlanRef }] } : {}),
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ ...DISCHARGE_EVENT }], text: "Sortie d'hospitalisation" },
    description: "Sortie d'hospitalisation : réévaluer le plan personnalisé (PPS) et organiser le retour",
    focus: { ...input.encounterRef },
    for: { ...input.patientRef },
    ...(input.dischargeDateTime !== undefined ? { executionPeriod: { start: input.dischargeDateTime } } : {}),
    authoredOn: input.now,
    ...(input.requesterRef !== undefined ? { requester: { ...input.requesterRef } } : {}),
    ...(input.ownerOrgRef !== undefined ? { owner: { ...input.ownerOrgRef } } : {}),
  };
}

/** Conditional create of a Task keyed on its first identifier (a replay matches it and writes nothing). */
export function taskEntry(task: Task, clientId: string): BundleEntry {
  const key = task.identifier?.[0] ?? {};
  return conditionalCreate(task, fullUrlFor(clientId, 'Task', `${key.system ?? ''}|${key.value ?? ''}`), identifierQuery(key));
}

/**
 * What to write for a discharge, given the current Task of the stay (if any):
 * - none yet → `fresh` (write it with {@link taskEntry});
 * - cancelled (an A13 undid an earlier A03) or entered in error → the current Task reopened: `fresh` content with
 *   the current id, to update with If-Match;
 * - anything else (open, in progress, done) → undefined: a replayed A03 must not reset the work
 *   a coordinator has done.
 */
export function dischargeTaskUpsert(fresh: Task, current: Task | undefined): Task | undefined {
  if (current === undefined) return fresh;
  if (current.status !== 'cancelled' && current.status !== 'entered-in-error') return undefined;
  return { ...fresh, ...(current.id !== undefined ? { id: current.id } : {}), ...(current.meta?.versionId !== undefined ? { meta: { ...fresh.meta, versionId: current.meta.versionId } } : {}) };
}

/** Statuses an A13 may cancel: the coordination work has not been finished. */
const CANCELLABLE = new Set<Task['status']>(['draft', 'requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold']);

/**
 * The discharge Task cancelled (A13), or undefined when there is nothing to cancel (already
 * cancelled, or finished: the issue says so).
 */
export function cancelDischargeTask(task: Task, issues: string[], now?: string): Task | undefined {
  if (task.status === 'cancelled') return undefined;
  if (!CANCELLABLE.has(task.status)) {
    issues.push(`Task${task.id !== undefined ? ` ${task.id}` : ''}: discharge cancelled but the Task is ${task.status}; left as it is`);
    return undefined;
  }
  // R4 inv-1: lastModified >= authoredOn; a clock behind the Task's authoring time sets none.
  const lastModified = now !== undefined && (task.authoredOn === undefined || Date.parse(now) >= Date.parse(task.authoredOn)) ? now : undefined;
  return {
    ...task,
    status: 'cancelled',
    statusReason: { text: "Sortie annulée par l'établissement (A13)" },
    ...(lastModified !== undefined ? { lastModified } : {}),
  };
}

/** Inputs of {@link reconciliationTask}. */
export interface ReconciliationTaskInput {
  clientId: string;
  tenant: string;
  /** The Patient written by the message (a bundle fullUrl or `Patient/id`). */
  patientRef: Reference<Patient>;
  reason: ReconciliationReason;
  /** FHIR ids of the other Patients it may be. */
  candidates: readonly string[];
  /** The key the message was written on (its IPP): with the reason and candidates, keys the Task. */
  key: Identifier;
  /** The qualified INS not recorded on the Patient, for the person who reconciles. */
  withheldIns?: Identifier | undefined;
  requesterRef?: Reference<Organization> | undefined;
  now: string;
}

/** The identity reconciliation Task: one per (source key, reason, candidates). */
export function reconciliationTask(input: ReconciliationTaskInput): Task {
  const candidates = [...new Set(input.candidates)].sort();
  const inputs: TaskInput[] = [
    ...candidates.map((id): TaskInput => ({
      type: { coding: [ourCoding(CODE_SYSTEM.taskInputType, TASK_INPUT_TYPES, 'candidate')] },
      valueReference: { reference: `Patient/${id}` },
    })),
    ...(input.withheldIns !== undefined
      ? [{ type: { coding: [ourCoding(CODE_SYSTEM.taskInputType, TASK_INPUT_TYPES, 'withheld-ins')] }, valueIdentifier: { ...input.withheldIns } }]
      : []),
  ];
  const hash = shortHash(stableStringify({ key: { system: input.key.system, value: input.key.value }, reason: input.reason, candidates }));
  return {
    resourceType: 'Task',
    meta: resourceMeta(input),
    identifier: [{ system: sourceIdentifierSystem(input.clientId, 'identity-reconciliation'), value: `${input.reason}/${hash}` }],
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [ourCoding(CODE_SYSTEM.taskCode, TASK_CODES, 'identity-reconciliation')] },
    description: `${RECONCILIATION_REASONS[input.reason].display} : vérifier l'identité, sans fusion automatique (identitovigilance)`,
    focus: { ...input.patientRef },
    for: { ...input.patientRef },
    authoredOn: input.now,
    ...(input.requesterRef !== undefined ? { requester: { ...input.requesterRef } } : {}),
    reasonCode: { coding: [ourCoding(CODE_SYSTEM.reconciliationReason, RECONCILIATION_REASONS, input.reason)] },
    ...(inputs.length > 0 ? { input: inputs } : {}),
  };
}
