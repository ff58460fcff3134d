import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedLock', () => {
  it('runs tasks sharing a key one after the other, in call order, even when the first is slower', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    await Promise.all([
      lock.run(['p1'], async () => { await tick(30); order.push('first'); }),
      lock.run(['p1'], async () => { order.push('second'); }),
      lock.run(['p1', 'p2'], async () => { order.push('third'); }),
    ]);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(lock.size).toBe(0);
  });

  it('lets tasks of other keys run at once', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    await Promise.all([
      lock.run(['p1'], async () => { await tick(30); order.push('slow p1'); }),
      lock.run(['p2'], async () => { order.push('p2'); }),
    ]);
    expect(order).toEqual(['p2', 'slow p1']);
  });

  it('releases the key when a task fails, and passes the failure to its caller only', async () => {
    const lock = new KeyedLock();
    const failed = lock.run(['p1'], async () => { throw new Error('boom'); });
    const next = lock.run(['p1'], async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('runs a task with no keys at once', async () => {
    await expect(new KeyedLock().run([], async () => 42)).resolves.toBe(42);
  });
});
