import { OperationOutcomeError } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { allows, requireAccess } from './scopes.js';

describe('scopes', () => {
  it('gives fhir.read read and search on every type, and fhir.write updates', () => {
    expect(allows(['fhir.read'], 'Patient', 'read')).toBe(true);
    expect(allows(['fhir.read'], 'Task', 'search')).toBe(true);
    expect(allows(['fhir.read'], 'Task', 'update')).toBe(false);
    expect(allows(['fhir.write'], 'Task', 'update')).toBe(true);
    expect(allows(['admin', 'cases.write'], 'Task', 'read')).toBe(false);
  });

  it('honours SMART v1 and v2 system scopes per type', () => {
    expect(allows(['system/CarePlan.rs'], 'CarePlan', 'search')).toBe(true);
    expect(allows(['system/CarePlan.rs'], 'CarePlan', 'update')).toBe(false);
    expect(allows(['system/CarePlan.rs'], 'Patient', 'read')).toBe(false);
    expect(allows(['system/Task.u'], 'Task', 'update')).toBe(true);
    expect(allows(['system/*.read'], 'Goal', 'search')).toBe(true);
    expect(allows(['system/*.read'], 'Goal', 'update')).toBe(false);
    expect(allows(['system/Task.write'], 'Task', 'update')).toBe(true);
    expect(allows(['system/*.*'], 'Task', 'update')).toBe(true);
    expect(allows(['patient/Task.rs', 'system/Task.sr'], 'Task', 'read')).toBe(false);
  });

  it('names the missing scope in a 403', () => {
    try {
      requireAccess([], 'Task', 'update');
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(OperationOutcomeError);
      expect((err as OperationOutcomeError).outcome.id).toBe('forbidden');
      expect((err as OperationOutcomeError).outcome.issue[0]?.details?.text).toContain('fhir.write');
    }
  });
});
