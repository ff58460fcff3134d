import { OperationOutcomeError } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { makeJobId, queueOfJobId } from './job-id.js';
import { QUEUE_NAMES } from './queue-names.js';

describe('job ids', () => {
  it('encodes the queue name, so the queue is found from the id alone', () => {
    for (const name of QUEUE_NAMES) {
      const id = makeJobId(name);
      expect(id.startsWith(`${name}-`)).toBe(true);
      expect(queueOfJobId(id)).toBe(name);
    }
  });

  it('makes a different id on every call without a key', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => makeJobId('cases')));
    expect(ids.size).toBe(1000);
  });

  it('makes the same id for the same key, so the same work dedupes', () => {
    expect(makeJobId('hl7-inbound', 'chu-42')).toBe('hl7-inbound-chu-42');
    expect(makeJobId('hl7-inbound', 'chu-42')).toBe(makeJobId('hl7-inbound', 'chu-42'));
  });

  it('never produces what BullMQ refuses: all digits or a colon', () => {
    expect(makeJobId('cases', '12345')).not.toMatch(/^\d+$/);
    expect(() => makeJobId('cases', 'a:b')).toThrow(OperationOutcomeError);
    expect(() => makeJobId('cases', '')).toThrow(OperationOutcomeError);
    expect(() => makeJobId('cases', 'a b')).toThrow(OperationOutcomeError);
    expect(() => makeJobId('cases', 'é')).toThrow(OperationOutcomeError);
    expect(() => makeJobId('cases', 'x'.repeat(201))).toThrow(OperationOutcomeError);
  });

  it('finds no queue for ids that no queue could have produced', () => {
    for (const id of ['', 'cases', 'cases-', 'unknown-1', '42', 'cases-a:b', 'CASES-1', `cases-${'x'.repeat(201)}`]) {
      expect(queueOfJobId(id), id).toBeUndefined();
    }
  });

  it('has no queue name that is another name followed by "-" (ids would be ambiguous)', () => {
    for (const a of QUEUE_NAMES) {
      for (const b of QUEUE_NAMES) {
        if (a !== b) expect(b.startsWith(`${a}-`), `${b} vs ${a}`).toBe(false);
      }
      expect(a).not.toContain(':');
    }
  });
});
