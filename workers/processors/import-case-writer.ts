/**
 * How the import writes one case: exactly as `PUT /v1/cases/{caseId}` does, through the `cases`
 * worker's own processor (`createCaseWriter`) — one FHIR transaction, other clients'
 * contributions to the shared plan and team kept (SPEC §5), events published — without
 * queueing a job per line.
 *
 * @example
 *   const caseWriter = createCaseWriter({ fhir, publish });
 *   createImportProcessor({ writeCase: fromCaseWriter(caseWriter), dataDir });
 */
import type { CaseDocument } from '../../mappings/case/schema.js';
import type { JobData, JobProcessor, JobTrace, QueueJob } from '../queue/index.js';

/** Writes one validated case for `trace.clientId`; throws the FHIR client's errors. */
export type WriteCase = (trace: JobTrace, caseId: string, document: CaseDocument, signal: AbortSignal) => Promise<unknown>;

/**
 * Adapts the `cases` processor. It reads nothing of its job but `data` (checked by
 * `import.int.test.ts`, which imports through the real case writer), so each line is handed over
 * as the job a PUT would have queued — never stored anywhere. If `case-writer.ts` ever exports
 * its write as a function, pass that instead and drop this adapter.
 */
export function fromCaseWriter(caseWriter: JobProcessor<'cases'>): WriteCase {
  return (trace, caseId, document, signal) => {
    const data: JobData<'cases'> = { trace, payload: { action: 'upsert', caseId, document } };
    const job = { id: `import-line-${caseId}`, name: 'cases', data, attemptsMade: 0, opts: {} } as unknown as QueueJob<'cases'>;
    return caseWriter(job, signal);
  };
}
