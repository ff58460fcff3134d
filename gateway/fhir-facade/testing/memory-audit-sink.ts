/**
 * An `AuditSink` that keeps records in memory, for tests that check what the facade audits
 * without reading AuditEvents back from a FHIR server.
 */
import type { AuditRecord, AuditSink } from '../audit.js';

export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];

  record(event: AuditRecord): void {
    this.records.push(event);
  }

  /** Forgets what was recorded (between tests). */
  clear(): void {
    this.records.length = 0;
  }
}
