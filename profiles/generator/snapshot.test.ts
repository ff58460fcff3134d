import type { ElementDefinition } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION } from '../canonical.js';
import { originExtension } from '../src/extensions.js';
import { el } from '../src/types.js';
import type { DefinitionRegistry } from './base-definitions.js';
import { coreUrl, loadBaseRegistry } from './base-definitions.js';
import { generateSnapshot, pathOfId } from './snapshot.js';
import { buildStructureDefinition } from './structure-definition.js';

let registry: DefinitionRegistry;
let patientBase: ElementDefinition[];

beforeAll(() => {
  registry = loadBaseRegistry();
  patientBase = registry.get(coreUrl('Patient')).snapshot?.element ?? [];
});

function snapshot(differential: ElementDefinition[]): ElementDefinition[] {
  return generateSnapshot({ url: 'https://example.org/sd', baseSnapshot: patientBase, differential, registry });
}

const identifierSlicing = el('Patient.identifier', {
  slicing: { discriminator: [{ type: 'pattern', path: 'type' }], rules: 'open' },
});

describe('generateSnapshot', () => {
  it('leaves the base snapshot untouched and keeps it when the differential is empty', () => {
    const before = JSON.stringify(patientBase);
    expect(snapshot([])).toEqual(patientBase);
    expect(JSON.stringify(patientBase)).toBe(before);
  });

  it('narrows cardinality and records mustSupport on the element', () => {
    const out = snapshot([el('Patient.birthDate', { min: 1, mustSupport: true })]);
    const birthDate = out.find((e) => e.id === 'Patient.birthDate');
    expect(birthDate).toMatchObject({ min: 1, max: '1', mustSupport: true, base: { path: 'Patient.birthDate', min: 0 } });
  });

  it('expands a complex type into its children when the differential reaches into it', () => {
    const out = snapshot([el('Patient.identifier.system', { min: 1 })]);
    const ids = out.map((e) => e.id);
    const at = ids.indexOf('Patient.identifier');
    expect(ids.slice(at, at + 9)).toEqual([
      'Patient.identifier',
      'Patient.identifier.id',
      'Patient.identifier.extension',
      'Patient.identifier.use',
      'Patient.identifier.type',
      'Patient.identifier.system',
      'Patient.identifier.value',
      'Patient.identifier.period',
      'Patient.identifier.assigner',
    ]);
    expect(ids[at + 9]).toBe('Patient.active');
    const system = out.find((e) => e.id === 'Patient.identifier.system');
    // The base of an expanded child is the type's element, as in published snapshots.
    expect(system).toMatchObject({ path: 'Patient.identifier.system', min: 1, base: { path: 'Identifier.system' } });
  });

  it('inserts slices after the sliced element, its children and earlier slices, copying constrained children', () => {
    const out = snapshot([
      identifierSlicing,
      el('Patient.identifier.system', { min: 1 }),
      el('Patient.identifier:A', { max: '1' }),
      el('Patient.identifier:A.use', { fixedCode: 'official' }),
      el('Patient.identifier:B'),
    ]);
    const ids = out.map((e) => e.id ?? '');
    const a = ids.indexOf('Patient.identifier:A');
    const b = ids.indexOf('Patient.identifier:B');
    expect(a).toBeGreaterThan(ids.indexOf('Patient.identifier.assigner'));
    expect(b).toBeGreaterThan(ids.indexOf('Patient.identifier:A.assigner'));
    expect(ids[b + 1]).toBe('Patient.active');
    expect(out[a]).toMatchObject({ sliceName: 'A', min: 0, max: '1', path: 'Patient.identifier' });
    expect(out[a]?.slicing).toBeUndefined();
    // The slice inherits the constraint already placed on the sliced element's child.
    expect(out.find((e) => e.id === 'Patient.identifier:A.system')?.min).toBe(1);
    expect(out.find((e) => e.id === 'Patient.identifier:A.use')?.fixedCode).toBe('official');
  });

  it('keeps every id unique and every path equal to its id without slice names', () => {
    const out = snapshot([identifierSlicing, el('Patient.identifier:A.type', { min: 1 })]);
    const ids = out.map((e) => e.id ?? '');
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of out) {
      expect(e.path).toBe(pathOfId(e.id ?? ''));
    }
  });

  it('appends invariants with the profile as their source', () => {
    const out = snapshot([
      el('Patient', { constraint: [{ key: 'x-1', severity: 'error', human: 'h', expression: 'true' }] }),
    ]);
    const root = out[0];
    expect(root?.constraint?.at(-1)).toEqual({ key: 'x-1', severity: 'error', human: 'h', expression: 'true', source: 'https://example.org/sd' });
    expect(root?.constraint?.length).toBe((patientBase[0]?.constraint?.length ?? 0) + 1);
  });

  it.each([
    ['a lower min', [el('Patient.gender', { min: 1 }), el('Patient.gender', { min: 0 })], /min 0 loosens/],
    ['a higher max', [el('Patient.gender', { max: '2' })], /loosens the base max/],
    ['a pattern on a repeating element', [el('Patient.name', { patternHumanName: { use: 'official' } })], /repeating/],
    ['a slice without slicing', [el('Patient.name:official')], /declares no slicing/],
    ['an unknown element', [el('Patient.nickname')], /Unknown element/],
    ['an unsupported key', [el('Patient.gender', { isModifier: true })], /unsupported differential key/],
    ['a type outside the base types', [el('Patient.deceased[x]', { type: [{ code: 'string' }] })], /not one of the base types/],
    ['min above max', [el('Patient.gender', { min: 1, max: '0' })], /exceeds max/],
  ] as const)('refuses %s', (_label, differential, message) => {
    expect(() => snapshot([...differential])).toThrow(message);
  });

  it('refuses a required slice of an element that may be absent', () => {
    const differential = [identifierSlicing, el('Patient.identifier:A', { min: 1 })];
    expect(() => snapshot(differential)).toThrow(/min 0 is below the 1 its slices require/);
    expect(() => snapshot([el('Patient.identifier', { min: 1 }), ...differential])).not.toThrow();
  });

  it('gives an extension slice the children of its definition, without its nested slices', () => {
    // element-origin is a complex extension: its sub-extension slices must not leak into Patient.
    registry.register(buildStructureDefinition(originExtension, registry));
    const out = snapshot([
      el('Patient.extension', { slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' } }),
      el('Patient.extension:origin', { type: [{ code: 'Extension', profile: [EXTENSION.origin] }] }),
    ]);
    const ids = out.map((e) => e.id ?? '').filter((id) => id.startsWith('Patient.extension:origin'));
    expect(ids).toEqual([
      'Patient.extension:origin',
      'Patient.extension:origin.id',
      'Patient.extension:origin.extension',
      'Patient.extension:origin.url',
      'Patient.extension:origin.value[x]',
    ]);
    expect(out.find((e) => e.id === 'Patient.extension:origin.url')?.fixedUri).toBe(EXTENSION.origin);
  });

  it('refuses a path that disagrees with the id', () => {
    expect(() => snapshot([{ id: 'Patient.gender', path: 'Patient.birthDate', min: 1 }])).toThrow(/does not match its id/);
  });
});
