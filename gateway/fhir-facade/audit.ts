/**
 * The audit trail of `/fhir` (SPEC §7: an AuditEvent for each read or write of personal
 * health data). The facade reports each interaction to an `AuditSink`; recording must never
 * slow or fail the request, so `record` returns at once and a sink does its I/O later.
 */

/** FHIR AuditEvent.action: C create, R read (read, vread, search), U update. */
export type AuditAction = 'R' | 'U' | 'C';

/** The FHIR RESTful interaction audited (AuditEvent.subtype). */
export type AuditInteraction = 'read' | 'vread' | 'search-type' | 'update';

/** FHIR AuditEvent.outcome, by name: 0 success, 4 minor failure (refused), 8 serious failure (server error). */
export type AuditOutcome = 'success' | 'minor-failure' | 'serious-failure';

export interface AuditRecord {
  readonly action: AuditAction;
  readonly interaction: AuditInteraction;
  /** The resource type of the request (the searched type for a search). */
  readonly type: string;
  /** The resources disclosed or changed, as `Type/id` (a search lists its matches and includes). */
  readonly ids: readonly string[];
  readonly clientId: string;
  readonly tenant: string;
  readonly requestId: string;
  readonly outcome: AuditOutcome;
}

export interface AuditSink {
  /** Takes one record; returns at once and never throws for an I/O failure. */
  record(event: AuditRecord): void;
}

/** The audit outcome of a request that failed with `status`. */
export function outcomeForStatus(status: number | undefined): AuditOutcome {
  return status !== undefined && status < 500 ? 'minor-failure' : 'serious-failure';
}
