/** The fixed context the golden files are produced with (no clock: `now` is a constant). */
import type { CaseMappingContext } from '../to-fhir/index.js';

export const GOLDEN_CONTEXT: CaseMappingContext = {
  clientId: 'dac-doubs',
  tenant: 'doubs',
  caseId: 'DOS-2024-0042',
  now: '2024-03-10T09:00:00.000Z',
  requestId: 'req-golden-0001',
};

/** Path of the fixture and of its golden bundle, relative to this folder. */
export const DUPONT_FIXTURE = new URL('../__fixtures__/case-dupont.json', import.meta.url);
export const DUPONT_GOLDEN = new URL('./case-dupont.bundle.json', import.meta.url);
