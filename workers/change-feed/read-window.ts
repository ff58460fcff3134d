/**
 * Where each change-feed poll of one type starts reading the server's history (pure).
 *
 * A plain poll reads from the cursor itself — the newest `lastUpdated` already handled, inclusive
 * (`_since` is "at or after"; versions at exactly that instant are read again and skipped by the
 * poller's memory or their event key). So each version is read about once, instead of every poll
 * re-reading the whole overlap (with a 30 s overlap and 5 s polls, 7 times).
 *
 * Versions that commit late (their `lastUpdated` is older than a version already read, e.g. a
 * HAPI transaction that started before it) or under a skewed clock are found by a **sweep**, once
 * per `sweepEveryMs` (the overlap): it reads from `overlap` before the cursor the *previous* sweep
 * started from. A version visible at most `overlap` after its `lastUpdated` (the assumption the
 * overlap always made) became visible after that previous sweep began, so its `lastUpdated` is
 * past that sweep's cursor minus the overlap: the next sweep reads it. Trade-off: such a version
 * is announced up to one sweep period (+ one poll) after it becomes visible, instead of at the
 * next poll; each sweep reads about `overlap + sweepEveryMs` of history.
 *
 * The first poll of a process (or after it got the lease back from another poller) is a sweep
 * from the stored cursor minus the overlap, as every poll used to be: a restart loses nothing.
 */

/** What this process remembers of its last completed sweep of a type. */
export interface LastSweep {
  /** Local clock (ms) when that sweep started. */
  atMs: number;
  /** The stored cursor that sweep started from (server `lastUpdated`, epoch ms). */
  cursorMs: number;
}

export interface ReadWindow {
  /** `_since`, epoch ms. */
  sinceMs: number;
  /** True for a catch-up sweep (to be recorded as the type's `LastSweep` once handled). */
  sweep: boolean;
}

/**
 * The start of the next read of a type.
 * @param cursorMs the stored cursor
 * @param lastSweep this process's last completed sweep of the type, if any
 * @param nowMs the local clock
 */
export function readWindow(cursorMs: number, lastSweep: LastSweep | undefined, nowMs: number, overlapMs: number, sweepEveryMs: number): ReadWindow {
  if (overlapMs <= 0) return { sinceMs: cursorMs, sweep: false };
  if (lastSweep !== undefined && nowMs - lastSweep.atMs < sweepEveryMs) return { sinceMs: cursorMs, sweep: false };
  return { sinceMs: Math.min(lastSweep?.cursorMs ?? cursorMs, cursorMs) - overlapMs, sweep: true };
}

/**
 * Below this `lastUpdated` no future read of the type goes (the next sweep's start, given the
 * current state): the poller forgets the event keys it published that are older.
 */
export function forgetBefore(cursorMs: number, lastSweep: LastSweep | undefined, overlapMs: number): number {
  return Math.min(lastSweep?.cursorMs ?? cursorMs, cursorMs) - Math.max(0, overlapMs);
}
