/**
 * Golden files: each sample message (`mappings/hl7/__fixtures__/*.hl7`, which include the SPEC
 * examples of `shared/examples/hl7/`) → decodeHl7 → parseHl7 → extractAdt → adtToTransaction
 * → the expected transaction Bundle, byte for byte, plus the list of what was not mapped
 * (extraction issues: segments and fields not read; mapping issues: values not mapped).
 *
 * After an intended mapping change, regenerate, review the diff, and update the lists below:
 *   npx tsx mappings/adt/__golden__/regenerate.ts
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GOLDEN_FIXTURES, goldenPath, goldenText, mapFixture } from './__golden__/golden-context.js';

/** Everything not (fully) mapped, per fixture: extraction issues first, then mapping issues. */
const NOT_MAPPED: Record<string, string[]> = {
  'adt-a01-pam-fr.hl7': ['ZBE-7: not mapped', 'ZBE-9: not mapped'],
  'adt-a03-pam-fr.hl7': ['PV1-37.2: effective date of the destination not mapped', 'ZBE-7: not mapped', 'ZBE-9: not mapped'],
  'adt-a03-v231-zfm.hl7': [
    'ZFM-1: PMSI mode 8 not mapped',
    'ZFM-3: PMSI mode 8 not mapped',
    'ZFM-4: PMSI mode 7 not mapped',
    'ZBE-7: not mapped',
    'ZBE-9: not mapped',
  ],
  'adt-a04-issues.hl7': [
    'MSH-7 offset +04:00 differs from Europe/Paris (+01:00): times without offset read as +04:00',
    'EVN: segment missing',
    'ZZZ: segment not understood',
    'OBX: segment not mapped (×2)',
    'PID-3 repetition 2: could not be read',
    'PID-3: identifier of type PI has no assigning authority',
    'PID-7: month out of range',
    'ROL: role RP not mapped',
    'ZBE-4: unknown action "MOVE" (expected INSERT, UPDATE or CANCEL)',
  ],
  'adt-a08-latin1.hl7': ['NK1: segment not mapped', 'ZFD: segment not mapped', 'PID-11.9: county / INSEE code not mapped'],
  'adt-a13-pam-fr.hl7': ['ZBE-7: not mapped', 'ZBE-9: not mapped'],
  'adt-a40-merge.hl7': [],
};

/** Effect and resource types of each bundle, to read the goldens at a glance. */
const SHAPE: Record<string, { effect: string; types: string[] }> = {
  'adt-a01-pam-fr.hl7': { effect: 'admitted', types: ['Organization', 'Patient', 'Encounter', 'Provenance'] },
  'adt-a03-pam-fr.hl7': { effect: 'discharged', types: ['Organization', 'Patient', 'Encounter', 'Provenance'] },
  'adt-a03-v231-zfm.hl7': { effect: 'discharged', types: ['Organization', 'Patient', 'Encounter', 'Provenance'] },
  'adt-a04-issues.hl7': { effect: 'admitted', types: ['Organization', 'Patient', 'Encounter', 'Provenance'] },
  'adt-a08-latin1.hl7': { effect: 'none', types: ['Organization', 'Patient', 'Encounter', 'Provenance'] },
  'adt-a13-pam-fr.hl7': { effect: 'discharge-cancelled', types: ['Organization', 'Patient', 'Encounter', 'Provenance'] },
  'adt-a40-merge.hl7': { effect: 'merged', types: ['Patient', 'Provenance'] },
};

describe('golden ADT bundles', () => {
  it('cover every sample message', () => {
    expect(Object.keys(NOT_MAPPED).sort()).toEqual([...GOLDEN_FIXTURES].sort());
  });

  describe.each(GOLDEN_FIXTURES.map((name) => [name]))('%s', (name) => {
    const t = mapFixture(name);

    it('maps to its golden transaction bundle, byte for byte', () => {
      expect(goldenText(t)).toBe(readFileSync(goldenPath(name), 'utf8'));
    });

    it('reports exactly what it could not map', () => {
      expect([...t.extractionIssues, ...t.issues]).toEqual(NOT_MAPPED[name]);
    });

    it('has the expected effect and resources', () => {
      expect({ effect: t.effects.kind, types: t.bundle.entry?.map((e) => e.resource?.resourceType) }).toEqual(SHAPE[name]);
    });
  });
});
