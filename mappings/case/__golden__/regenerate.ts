/**
 * Rewrites the golden bundle from the fixture. Run it only when a mapping change is
 * intended, then review the diff of case-dupont.bundle.json:
 *
 *   npx tsx mappings/case/__golden__/regenerate.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CaseDocumentSchema } from '../schema.js';
import { caseToTransaction } from '../to-fhir/index.js';
import { DUPONT_FIXTURE, DUPONT_GOLDEN, GOLDEN_CONTEXT } from './golden-context.js';

const doc = CaseDocumentSchema.parse(JSON.parse(readFileSync(DUPONT_FIXTURE, 'utf8')));
const { bundle } = caseToTransaction(doc, GOLDEN_CONTEXT);
writeFileSync(DUPONT_GOLDEN, `${JSON.stringify(bundle, null, 2)}\n`);
process.stdout.write(`wrote ${DUPONT_GOLDEN.pathname.split('/').slice(-3).join('/')} (${bundle.entry?.length ?? 0} entries)\n`);
