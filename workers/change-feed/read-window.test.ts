import { describe, expect, it } from 'vitest';
import { forgetBefore, readWindow } from './read-window.js';

const OVERLAP = 30_000;

describe('readWindow', () => {
  it('sweeps from the cursor minus the overlap on the first read of a process', () => {
    expect(readWindow(1_000_000, undefined, 5, OVERLAP, OVERLAP)).toEqual({ sinceMs: 970_000, sweep: true });
  });

  it('reads from the cursor itself between two sweeps', () => {
    const last = { atMs: 100_000, cursorMs: 900_000 };
    expect(readWindow(1_000_000, last, 100_000 + OVERLAP - 1, OVERLAP, OVERLAP)).toEqual({ sinceMs: 1_000_000, sweep: false });
  });

  it("sweeps once a period has passed, from the previous sweep's cursor minus the overlap", () => {
    const last = { atMs: 100_000, cursorMs: 900_000 };
    expect(readWindow(1_000_000, last, 100_000 + OVERLAP, OVERLAP, OVERLAP)).toEqual({ sinceMs: 870_000, sweep: true });
  });

  it('finds a version that became visible late, within the overlap of its lastUpdated', () => {
    // Sweep at t=0 from cursor C0; polls go on; a version stamped L becomes visible at V > 0 with
    // V - L <= overlap, after the cursor has passed L: the next sweep must start at or before L.
    const c0 = 1_000_000;
    const last = { atMs: 0, cursorMs: c0 };
    const visibleAt = c0 + 10_000;
    const lastUpdated = visibleAt - OVERLAP;
    const next = readWindow(c0 + 40_000, last, OVERLAP, OVERLAP, OVERLAP);
    expect(next.sweep).toBe(true);
    expect(next.sinceMs).toBeLessThanOrEqual(lastUpdated);
  });

  it('never starts a sweep after the cursor, even if the cursor went back (another poller lost a race)', () => {
    expect(readWindow(800_000, { atMs: 0, cursorMs: 900_000 }, OVERLAP, OVERLAP, OVERLAP).sinceMs).toBe(770_000);
  });

  it('reads from the cursor every time when there is no overlap', () => {
    expect(readWindow(1_000_000, undefined, 0, 0, 0)).toEqual({ sinceMs: 1_000_000, sweep: false });
  });
});

describe('forgetBefore', () => {
  it("is where the next sweep will start, so nothing it re-reads has been forgotten", () => {
    const last = { atMs: 0, cursorMs: 900_000 };
    expect(forgetBefore(1_000_000, last, OVERLAP)).toBe(readWindow(1_000_000, last, OVERLAP, OVERLAP, OVERLAP).sinceMs);
    expect(forgetBefore(1_000_000, undefined, OVERLAP)).toBe(970_000);
  });
});
