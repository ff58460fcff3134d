/**
 * CPU time used by a process so far, from Linux `/proc/<pid>/stat` (utime + stime), so the MLLP
 * benchmark can say how much CPU each message costs each process: on a shared 2-core machine a
 * rate alone cannot tell "slow" from "starved". NaN where /proc is not available.
 *
 * @example
 *   const before = cpuSeconds(pid); run(); const used = cpuSeconds(pid) - before;
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ, 100 on Linux x86 and arm64). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process `pid` has used, or NaN. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
