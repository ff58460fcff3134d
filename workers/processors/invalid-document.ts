import { OperationOutcomeError } from '@medplum/core';

/** A document that fails its schema in a worker: a permanent (400) failure naming each field. */
export function invalidDocument(issues: { path: string; message: string }[]): OperationOutcomeError {
  return new OperationOutcomeError({
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({ severity: 'error', code: 'invalid', details: { text: i.message }, expression: [i.path] })),
  });
}
