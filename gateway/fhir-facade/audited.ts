/**
 * Wraps one facade interaction so it lands in the audit trail (SPEC §7) when it touches
 * personal data: tenant data read, searched or written, including what a search disclosed
 * through its includes. Refusals are audited too (with the id asked for). The sink is called
 * synchronously and guarded: auditing never fails or delays the request.
 */
import { getStatus } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { HttpError } from '../http/http-error.js';
import { isOutcomeError } from '../http/problem.js';
import { outcomeForStatus, type AuditAction, type AuditInteraction, type AuditOutcome, type AuditSink } from './audit.js';
import type { Caller } from './caller.js';
import type { FacadeType } from './resource-table.js';
import { isTenantScoped } from './tenancy.js';

export interface AuditedInteraction {
  readonly action: AuditAction;
  readonly interaction: AuditInteraction;
  readonly type: FacadeType;
  /** `Type/id` asked for (read, update), recorded when the request fails. */
  readonly requested?: string;
}

/** What an interaction produced and which resources it disclosed or changed. */
export interface AuditedResult<T> {
  readonly result: T;
  readonly disclosed: readonly Resource[];
}

/** Runs `work`, reports it to `sink` (if any), and returns its result or rethrows its error. */
export async function audited<T>(sink: AuditSink | undefined, caller: Caller, what: AuditedInteraction, work: () => Promise<AuditedResult<T>>): Promise<T> {
  const report = (outcome: AuditOutcome, ids: readonly string[]): void => {
    if (!sink) return;
    try {
      sink.record({ ...what, ids, outcome, clientId: caller.clientId, tenant: caller.tenant, requestId: caller.requestId });
    } catch (err) {
      caller.log.warn({ err: (err as Error).name }, 'audit sink failed');
    }
  };
  let done: AuditedResult<T>;
  try {
    done = await work();
  } catch (err) {
    if (isTenantScoped(what.type)) {
      const status = err instanceof HttpError ? err.status : isOutcomeError(err) ? getStatus(err.outcome) : undefined;
      report(outcomeForStatus(status), what.requested ? [what.requested] : []);
    }
    throw err;
  }
  if (isTenantScoped(what.type) || done.disclosed.some((r) => isTenantScoped(r.resourceType))) {
    report('success', done.disclosed.map((r) => `${r.resourceType}/${r.id ?? ''}`));
  }
  return done.result;
}
