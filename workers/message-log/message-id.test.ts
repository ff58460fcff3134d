import { describe, expect, it } from 'vitest';
import { createMessageIdGenerator, isMessageId } from './message-id.js';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('message ids', () => {
  it('are valid BullMQ job ids of the documented shape', () => {
    const id = createMessageIdGenerator()(Date.UTC(2026, 10, 3));
    expect(id).toMatch(/^msg-[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(id).not.toContain(':');
    expect(isMessageId(id)).toBe(true);
  });

  it('sort as strings in the order of their receipt times', () => {
    const next = createMessageIdGenerator();
    const times = [0, 1, 31, 32, 1_000, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, 2 ** 48 - 1];
    const ids = times.map((t) => next(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('increase strictly when the clock stands still or steps back', () => {
    const next = createMessageIdGenerator();
    const ids = [5_000, 5_000, 5_000, 4_000, 5_000, 5_001].map((t) => next(t));
    for (let i = 1; i < ids.length; i++) {
      expect(ids[i]! > ids[i - 1]!).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a clock value that does not fit 48 bits', () => {
    expect(() => createMessageIdGenerator()(-1)).toThrow(RangeError);
    expect(() => createMessageIdGenerator()(2 ** 48)).toThrow(RangeError);
  });

  it('rejects strings that could reach a Redis key unchecked', () => {
    for (const bad of ['', 'msg-', 'msg-0000000000000000000000000:', '12345', 'msg-*', 'msg-0000000000000000000000000i']) {
      expect(isMessageId(bad)).toBe(false);
    }
  });
});

describe('list cursors', () => {
  it('round-trip the last id seen', () => {
    const id = createMessageIdGenerator()(Date.now());
    const cursor = encodeCursor(id);
    expect(cursor).not.toContain(id);
    expect(decodeCursor(cursor)).toBe(id);
  });

  it('refuse cursors we did not issue with a 400 naming the cursor', () => {
    for (const bad of ['', 'garbage', Buffer.from('v1.msg-*').toString('base64url'), Buffer.from('v9.x').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({
        outcome: expect.objectContaining({ issue: [expect.objectContaining({ code: 'invalid', expression: ['cursor'] })] }),
      }));
    }
  });
});
