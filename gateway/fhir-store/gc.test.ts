import { describe, expect, it } from 'vitest';
import { HeapCeiling } from './gc.js';

describe('heap ceiling', () => {
  it('collects only once the heap reaches the ceiling', () => {
    const rule = new HeapCeiling(100);
    let collections = 0;
    const collect = (): number => {
      collections += 1;
      return 40;
    };
    expect(rule.check(99, collect)).toBe(false);
    expect(rule.check(100, collect)).toBe(true);
    expect(rule.check(130, collect)).toBe(true);
    expect(collections).toBe(2);
  });

  it('raises the ceiling while more than it is live, and lowers it once the heap is back under', () => {
    const rule = new HeapCeiling(100);
    // A huge Bundle in flight: 200 still live after the collection, so the ceiling goes to 300.
    expect(rule.check(220, () => 200)).toBe(true);
    expect(rule.check(250, () => 0)).toBe(false);
    expect(rule.check(310, () => 150)).toBe(true);
    // The Bundle is gone: under the base, the base is the ceiling again.
    expect(rule.check(90, () => 0)).toBe(false);
    expect(rule.check(120, () => 40)).toBe(true);
  });
});
