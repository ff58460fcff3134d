import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImportCursor, initialCheckpoint, MAX_ISSUES_PER_LINE, MAX_REPORTED_LINES } from './import-cursor.js';

const line = (number: number) => ({ number, end: number * 10 });
const failure = (number: number) => ({ line: number, errors: [{ path: 'case.patient.id', message: 'bad' }] });

describe('ImportCursor', () => {
  it('moves past a line only once every line before it has finished', () => {
    const cursor = new ImportCursor(initialCheckpoint(3));
    [1, 2, 3].forEach((n) => cursor.begin(line(n)));
    cursor.finish(3);
    cursor.finish(2, failure(2));
    expect(cursor.checkpoint).toMatchObject({ offset: 0, nextLine: 1, processed: 0, failed: 0, lineErrors: [] });
    cursor.finish(1);
    expect(cursor.checkpoint).toMatchObject({ offset: 30, nextLine: 4, processed: 3, failed: 1, lineErrors: [failure(2)] });
    expect(cursor.complete().done).toBe(true);
  });

  it('resumes from a checkpoint with its counts, and counts nothing twice', () => {
    const first = new ImportCursor(initialCheckpoint(4));
    [1, 2, 3].forEach((n) => first.begin(line(n)));
    first.finish(1, failure(1));
    first.finish(3); // past the cursor: will be written again after a crash
    const saved = first.checkpoint;
    expect(saved).toMatchObject({ nextLine: 2, processed: 1, failed: 1 });

    const resumed = new ImportCursor(saved);
    [2, 3, 4].forEach((n) => resumed.begin(line(n)));
    [4, 3, 2].forEach((n) => resumed.finish(n));
    expect(resumed.complete()).toMatchObject({ processed: 4, failed: 1, total: 4, lineErrors: [failure(1)], done: true });
  });

  it('keeps errors in line order whatever the finishing order (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }).chain((fails) => fc.tuple(fc.constant(fails), fc.shuffledSubarray(fails.map((_, i) => i + 1), { minLength: fails.length }))),
      ([fails, order]) => {
        const cursor = new ImportCursor(initialCheckpoint(fails.length));
        fails.forEach((_, i) => cursor.begin(line(i + 1)));
        for (const n of order) cursor.finish(n, fails[n - 1] ? failure(n) : undefined);
        const done = cursor.complete();
        const failed = fails.flatMap((f, i) => (f ? [i + 1] : []));
        expect(done.processed).toBe(fails.length);
        expect(done.failed).toBe(failed.length);
        expect(done.lineErrors.map((e) => e.line)).toEqual(failed);
        expect(done.nextLine).toBe(fails.length + 1);
      },
    ));
  });

  it('caps the reported lines and the issues per line, and counts what it left out', () => {
    const total = MAX_REPORTED_LINES + 5;
    const cursor = new ImportCursor(initialCheckpoint(total));
    const many = Array.from({ length: 50 }, (_, i) => ({ path: `case.plan.actions.${i}`, message: 'bad' }));
    for (let n = 1; n <= total; n++) {
      cursor.begin(line(n));
      cursor.finish(n, { line: n, errors: many });
    }
    const done = cursor.complete();
    expect(done.failed).toBe(total);
    expect(done.lineErrors).toHaveLength(MAX_REPORTED_LINES);
    expect(done.lineErrors[0]!.errors).toHaveLength(MAX_ISSUES_PER_LINE);
    expect(done.lineErrorsOmitted).toBe(5);
  });

  it('refuses lines begun out of order and lines finished twice', () => {
    const cursor = new ImportCursor(initialCheckpoint(2));
    cursor.begin(line(2));
    expect(() => cursor.begin(line(1))).toThrow(/out of order/);
    cursor.finish(2);
    expect(() => cursor.finish(2)).toThrow(/twice/);
    expect(() => new ImportCursor(initialCheckpoint(1)).complete()).not.toThrow();
  });
});
