/**
 * Preload that records a V8 CPU profile of the process it is loaded into, for `--profile` runs
 * of the benchmarks: `NODE_OPTIONS="--import /abs/path/bench/lib/cpu-profile.mjs"` with
 * `CPU_PROFILE_DIR` set. (`--cpu-prof` itself is refused in NODE_OPTIONS.) The profile is
 * written when the process exits (`process.exit` from a SIGTERM handler included) as
 * `<dir>/<pid>.cpuprofile`, to open in Chrome DevTools. Plain JS: it loads before tsx does.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    // The main-thread session answers synchronously, so this runs to the end inside 'exit'.
    session.post('Profiler.stop', (err, result) => {
      if (err || !result) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
