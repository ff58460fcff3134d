import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessageText, FIXTURES, fixture } from './__fixtures__/arbitraries.js';
import { extractAdt } from './adt.js';
import { decodeHl7 } from './decode.js';
import { parseHl7, type ParsedHl7 } from './parse.js';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
/** `UPDATE_GOLDEN=1 npx vitest run mappings/hl7/adt.test.ts` rewrites the expected files; review the diff. */
const update = process.env.UPDATE_GOLDEN === '1';

function parsedFixture(name: string): ParsedHl7 {
  const decoded = decodeHl7(fixture(name));
  if (!decoded.ok) throw new Error(decoded.reason);
  const parsed = parseHl7(decoded.text, { charset: decoded.charset });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed;
}

describe('extractAdt golden files', () => {
  it.each([...FIXTURES.keys()])('%s matches its .expected.json, issues included', (name) => {
    const actual = JSON.parse(JSON.stringify(extractAdt(parsedFixture(name)))) as unknown;
    const expectedPath = join(fixturesDir, name.replace(/\.hl7$/, '.expected.json'));
    if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
  });
});

describe('extractAdt', () => {
  it('reads the PAM France discharge fields SPEC §3 relies on', () => {
    const { event, issues } = extractAdt(parsedFixture('adt-a03-pam-fr.hl7'));
    expect(issues).toEqual([]);
    expect(event).toMatchObject({ trigger: 'A03', supported: true, messageDateTime: '2025-01-18T14:30:00+01:00' });
    expect(event.patient?.identifiers.map((i) => [i.value, i.typeCode, i.assigningAuthority?.universalId])).toEqual([
      ['880011', 'PI', '1.2.250.1.999.1.1'],
      ['152072505612380', 'INS', '1.2.250.1.213.1.4.8'],
    ]);
    expect(event.patient?.identityReliability).toEqual(['VALI']);
    expect(event.visit).toMatchObject({
      visitNumber: { value: 'V25000101', typeCode: 'VN', assigningAuthority: { universalId: '1.2.250.1.999.1.2' } },
      dischargeDisposition: '8',
      dischargedTo: { location: '250009990', effectiveDateTime: '2025-01-18T14:00:00+01:00' },
      admitDateTime: '2025-01-10T09:00:00+01:00',
      dischargeDateTime: '2025-01-18T14:00:00+01:00',
    });
    expect(event.movement).toMatchObject({ id: { value: 'MVT-101-02' }, action: 'INSERT', medicalUnit: { name: 'Médecine', code: '2101' } });
    expect(event.generalPractitioners[0]?.identifier).toMatchObject({ value: '10007770018', typeCode: 'RPPS' });
  });

  it('decodes accents and escape sequences of an ISO-8859-1 message', () => {
    const { event } = extractAdt(parsedFixture('adt-a08-latin1.hl7'));
    expect(event.patient?.names.map((n) => n.family)).toEqual(['BÉRANGER', 'LŒUVRE^BÉRANGER']);
    expect(event.patient?.addresses[0]).toMatchObject({ street: "12 rue de l\\Église&Fils", city: 'Besançon' });
  });

  it('uses ZFM when PV1-36 is empty and PV1-37 as destination', () => {
    const { event } = extractAdt(parsedFixture('adt-a03-v231-zfm.hl7'));
    expect(event.visit?.dischargeDisposition).toBeUndefined();
    expect(event.visit?.dischargedTo).toEqual({ location: '250000015' });
    expect(event.pmsi).toEqual({ entryMode: '8', exitMode: '7', origin: '8', destination: '7' });
  });

  it('reads a cancellation (A13 with ZBE-4 CANCEL and ZBE-6 A03) and the GP from ROL ODRP', () => {
    const { event } = extractAdt(parsedFixture('adt-a13-pam-fr.hl7'));
    expect(event.movement).toMatchObject({ action: 'CANCEL', originalTrigger: 'A03' });
    expect(event.generalPractitioners.map((p) => p.family)).toEqual(['GIRAUD']);
  });

  it('reads the prior identifiers of a merge', () => {
    const { event } = extractAdt(parsedFixture('adt-a40-merge.hl7'));
    expect(event.merges).toHaveLength(1);
    expect(event.merges[0]?.priorIdentifiers.map((i) => i.value)).toEqual(['880099']);
    expect(event.merges[0]?.survivor.identifiers.map((i) => i.value)).toEqual(['880011']);
  });

  it('lists what it could not read, without repeating personal values', () => {
    const { event, issues } = extractAdt(parsedFixture('adt-a04-issues.hl7'));
    expect(issues).toEqual([
      'MSH-7 offset +04:00 differs from Europe/Paris (+01:00): times without offset read as +04:00',
      'EVN: segment missing',
      'ZZZ: segment not understood',
      'OBX: segment not mapped (×2)',
      'PID-3 repetition 2: could not be read',
      'PID-3: identifier of type PI has no assigning authority',
      'PID-7: month out of range',
      'ROL: role RP not mapped',
      'ZBE-4: unknown action "MOVE" (expected INSERT, UPDATE or CANCEL)',
    ]);
    expect(issues.join(' ')).not.toContain('19811332');
    // La Réunion: the admission time is read at +04:00, as MSH-7 says.
    expect(event.visit?.admitDateTime).toBe('2025-01-10T08:00:00+04:00');
    expect(event.movement?.action).toBeUndefined();
  });

  it('flags an unsupported event', () => {
    const parsed = parseHl7('MSH|^~\\&|A|B|C|D|20250110||ADT^A05^ADT_A05|C1|P|2.5\rEVN|A05\rPID|1||X^^^B^PI');
    const { event, issues } = parsed.ok ? extractAdt(parsed) : { event: undefined, issues: [] };
    expect(event?.supported).toBe(false);
    expect(issues).toContain('MSH-9.2: event A05 is not supported');
  });

  it('never throws and always names the event, whatever the message', () => {
    let extracted = 0;
    fc.assert(
      fc.property(anyMessageText, (text) => {
        const parsed = parseHl7(text);
        if (!parsed.ok) return;
        extracted++;
        const { event, issues } = extractAdt(parsed);
        expect(typeof event.trigger).toBe('string');
        expect(Array.isArray(issues)).toBe(true);
        expect(issues.every((i) => i.length > 0)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(extracted).toBeGreaterThan(500); // the generator must reach extraction, not only parse errors
  });
});
