/**
 * Rewrites the golden bundles from the sample messages. Run it only when a mapping change is
 * intended, then review the diff of `mappings/adt/__golden__/*.bundle.json` (and update the
 * expected issues in `golden.test.ts`):
 *
 *   npx tsx mappings/adt/__golden__/regenerate.ts
 */
import { writeFileSync } from 'node:fs';
import { GOLDEN_FIXTURES, goldenPath, goldenText, mapFixture } from './golden-context.js';

for (const name of GOLDEN_FIXTURES) {
  const t = mapFixture(name);
  writeFileSync(goldenPath(name), goldenText(t));
  process.stdout.write(`${name}: ${t.bundle.entry?.length ?? 0} entries, effect ${t.effects.kind}, ${t.issues.length} issue(s)\n`);
}
