import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessageText, fixture } from './__fixtures__/arbitraries.js';
import { decodeHl7 } from './decode.js';
import { parseHl7 } from './parse.js';

const a01 = fixture('adt-a01-pam-fr.hl7').toString('utf8');
const mshWith = (fields: Record<number, string>): string => {
  const msh = ['MSH', '^~\\&', 'APP', 'FAC', 'PASSERELLE', 'DAC', '20250110091500', '', 'ADT^A01^ADT_A01', 'C1', 'P', '2.5'];
  for (const [n, value] of Object.entries(fields)) msh[Number(n) - 1] = value;
  return `${msh.join('|')}\rPID|1||X1^^^FAC^PI`;
};

describe('parseHl7', () => {
  it('reads the MSH of a PAM France admission', () => {
    const parsed = parseHl7(a01);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.header).toMatchObject({
      sendingApplication: { namespaceId: 'SIH_EXEMPLE', universalId: '', universalIdType: '' },
      sendingFacility: { namespaceId: 'CH_EXEMPLE' },
      receivingApplication: { namespaceId: 'PASSERELLE' },
      receivingFacility: { namespaceId: 'DAC_EXEMPLE' },
      dateTime: '20250110091500',
      messageType: 'ADT',
      triggerEvent: 'A01',
      messageStructure: 'ADT_A01',
      controlId: 'CHEX-000101',
      processingId: 'P',
      version: '2.5',
      internationalizationCode: 'FRA',
      internationalVersionId: '2.11',
      acceptAckType: '',
      countryCode: 'FRA',
      charset: 'UNICODE UTF-8',
    });
    expect(parsed.message.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PD1', 'PV1', 'ZBE']);
  });

  it.each([
    ['\\r', '\r'],
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
  ])('accepts %s segment separators, blank lines and a trailing separator', (_, separator) => {
    const text = `\n${a01.split('\r').filter(Boolean).join(separator)}${separator}${separator}`;
    const parsed = parseHl7(text);
    expect(parsed.ok && parsed.message.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PD1', 'PV1', 'ZBE']);
  });

  it('decodes escape sequences in header values', () => {
    const parsed = parseHl7(mshWith({ 4: 'CH\\T\\EXEMPLE', 10: 'ID\\F\\1' }));
    expect(parsed.ok && parsed.header.sendingFacility.namespaceId).toBe('CH&EXEMPLE');
    expect(parsed.ok && parsed.header.controlId).toBe('ID|1');
  });

  it('uses the delimiters the message declares', () => {
    const text = 'MSH#$*!%#APP#FAC#PASSERELLE#DAC#20250110091500##ADT$A08#C!F!2#P#2.4\rPID#1##X1$$$FAC$PI';
    const parsed = parseHl7(text);
    expect(parsed.ok && parsed.header).toMatchObject({ controlId: 'C#2', triggerEvent: 'A08', version: '2.4' });
  });

  it.each([
    ['', 100, 'MSH', 'empty message'],
    ['PID|1||X1', 100, 'MSH', 'no MSH segment'],
    ['EVN|A01\rMSH|^~\\&|A|B|C|D|2025||ADT^A01|C1|P|2.5', 100, 'MSH', 'MSH must be the first segment'],
  ])('rejects %j: %s', (text, code, field, reason) => {
    expect(parseHl7(text)).toEqual({ ok: false, code, field, reason });
  });

  it.each([
    [{ 9: '' }, 101, 'MSH-9'],
    [{ 10: '' }, 101, 'MSH-10'],
    [{ 12: '' }, 101, 'MSH-12'],
    [{ 12: '2.7' }, 203, 'MSH-12'],
    [{ 12: '2.2' }, 203, 'MSH-12'],
  ])('rejects an MSH with %j, keeping the header for the ACK', (fields, code, field) => {
    const parsed = parseHl7(mshWith(fields));
    expect(parsed).toMatchObject({ ok: false, code, field });
    expect(!parsed.ok && parsed.header?.sendingFacility.namespaceId).toBe('FAC');
    if (field !== 'MSH-10') expect(!parsed.ok && parsed.header?.controlId).toBe('C1');
  });

  it.each(['2.3', '2.3.1', '2.4', '2.5', '2.5.1'])('accepts version %s', (version) => {
    expect(parseHl7(mshWith({ 12: version })).ok).toBe(true);
  });

  it('rejects unusable encoding characters but still reads MSH-10', () => {
    const parsed = parseHl7('MSH|^^\\&|APP|FAC|PASSERELLE|DAC|20250110||ADT^A01|C-77|P|2.5');
    expect(parsed).toMatchObject({ ok: false, code: 102, field: 'MSH-2' });
    expect(!parsed.ok && parsed.header?.controlId).toBe('C-77');
  });

  it('reads an ISO-8859-1 message decoded with its charset', () => {
    const decoded = decodeHl7(fixture('adt-a08-latin1.hl7'));
    const parsed = decoded.ok ? parseHl7(decoded.text, { charset: decoded.charset }) : undefined;
    expect(parsed?.ok && parsed.header.charset).toBe('8859/1');
    expect(parsed?.ok && parsed.reader.value(parsed.message.getSegment('PID'), 5, 1, 1)).toBe('BÉRANGER');
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(anyMessageText, (text) => {
        const parsed = parseHl7(text);
        if (parsed.ok) {
          expect(parsed.message.header.name).toBe('MSH');
          expect(parsed.header.controlId).not.toBe('');
        } else {
          expect(parsed.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
