import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessageText, fixture } from './__fixtures__/arbitraries.js';
import { buildAck, commitAckWanted, type AckStatus } from './ack.js';
import { parseHl7, SUPPORTED_VERSIONS, type Hl7Header } from './parse.js';

/** The ACK with MSH-12 (its version) replaced, split on the ACK's own field separator (MSH-1). */
function withVersion(ackText: string, version: string): string {
  const [msh = '', ...rest] = ackText.split('\r');
  const separator = msh.charAt(3);
  const fields = msh.split(separator);
  fields[11] = version;
  return [fields.join(separator), ...rest].join('\r');
}

const now = new Date('2025-01-10T08:15:01.123Z');
const header = (text: string): Hl7Header => {
  const parsed = parseHl7(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.header;
};
const a01 = header(fixture('adt-a01-pam-fr.hl7').toString('utf8'));
/** Splits an ACK into segments of fields, so tests read it as a receiver would. */
const fieldsOf = (text: string): string[][] => text.split('\r').map((segment) => segment.split('|'));

describe('buildAck', () => {
  it('accepts a PAM France admission: swapped MSH-3..6, ACK^A01^ACK, MSA-2 = MSH-10, MSH-12 and MSH-18 echoed', () => {
    const ack = buildAck({ status: 'accept', header: a01, now, controlId: 'ACK-1' });
    expect(ack.code).toBe('AA');
    expect(ack.charset).toBe('utf-8');
    expect(ack.text).toBe(
      'MSH|^~\\&|PASSERELLE|DAC_EXEMPLE|SIH_EXEMPLE|CH_EXEMPLE|20250110081501+0000||ACK^A01^ACK|ACK-1|P|2.5^FRA^2.11||||||UNICODE UTF-8\r' +
        'MSA|AA|CHEX-000101',
    );
    // The ACK is itself a valid message for our parser (and so for the sender's).
    const parsedAck = parseHl7(ack.text);
    expect(parsedAck.ok && parsedAck.header).toMatchObject({ messageType: 'ACK', triggerEvent: 'A01', controlId: 'ACK-1', charset: 'UNICODE UTF-8' });
  });

  it.each<[AckStatus, string, string]>([
    ['accept', '', 'AA'],
    ['error', '', 'AE'],
    ['reject', '', 'AR'],
    ['accept', 'AL', 'CA'],
    ['error', 'AL', 'CE'],
    ['reject', 'NE', 'CR'],
  ])('answers %s with MSH-15=%j as %s', (status, acceptAckType, code) => {
    const ack = buildAck({ status, header: { ...a01, acceptAckType }, now, controlId: 'X' });
    expect(ack.code).toBe(code);
    expect(fieldsOf(ack.text)[1]?.[1]).toBe(code);
    // Enhanced mode: the ACK itself must not be acknowledged.
    expect(fieldsOf(ack.text)[0]?.slice(14, 16)).toEqual(acceptAckType === '' ? ['', ''] : ['NE', 'NE']);
  });

  it.each<[string, string, boolean]>([
    ['', 'AA', true], ['', 'AE', true], ['', 'AR', true],
    ['AL', 'CA', true], ['AL', 'CE', true], ['al', 'CR', true],
    ['NE', 'CA', false], ['NE', 'CE', false], ['NE', 'CR', false],
    ['ER', 'CA', false], ['ER', 'CE', true], ['ER', 'CR', true],
    ['SU', 'CA', true], ['SU', 'CE', false], ['SU', 'CR', false],
    ['XX', 'CA', true],
  ])('with MSH-15=%j, a %s is sent: %s', (acceptAckType, code, wanted) => {
    expect(commitAckWanted(acceptAckType, code)).toBe(wanted);
  });

  it('writes ERR-2 location, ERR-3 table 0357 code, ERR-4 severity and ERR-8 message, escaped', () => {
    const ack = buildAck({
      status: 'error',
      header: a01,
      now,
      controlId: 'X',
      errors: [
        { code: 101, reason: 'no usable patient identifier in PID-3 | see ^spec', field: 'PID-3' },
        { code: 102, reason: 'bad date', field: 'PV1-44.1', severity: 'W' },
      ],
    });
    const [, msa, err1, err2] = fieldsOf(ack.text);
    expect(msa).toEqual(['MSA', 'AE', 'CHEX-000101', 'no usable patient identifier in PID-3 \\F\\ see \\S\\spec']);
    expect(err1).toEqual(['ERR', '', 'PID^1^3', '101^Required field missing^HL70357', 'E', '', '', '', 'no usable patient identifier in PID-3 \\F\\ see \\S\\spec']);
    expect(err2?.slice(2, 5)).toEqual(['PV1^1^44^1^1', '102^Data type error^HL70357', 'W']);
  });

  it('adds ERR-1 for v2.3/2.4 senders, and mirrors a two-part MSH-9 for v2.3', () => {
    const v23 = header('MSH|^~\\&|A|B|C|D|20250110||ADT^A03|C9|P|2.3\rPID|1');
    const ack = buildAck({ status: 'reject', header: v23, now, controlId: 'X', errors: [{ code: 201, reason: 'no', field: 'MSH-9.2' }] });
    const [msh, , err] = fieldsOf(ack.text);
    expect(msh?.[8]).toBe('ACK^A03');
    expect(msh?.[11]).toBe('2.3');
    expect(err?.[1]).toBe('MSH^1^9^201&Unsupported event code&HL70357');
    expect(err?.[2]).toBe('MSH^1^9^1^2');
  });

  it('answers in the message’s own delimiters and charset', () => {
    const custom = header('MSH#$*!%#APP#FAC#PASSERELLE#DAC#20250110##ADT$A08#C!F!2#P#2.5######8859/1\rPID#1');
    const ack = buildAck({ status: 'error', header: custom, now, controlId: 'X', errors: [{ code: 207, reason: 'a#b' }] });
    expect(ack.charset).toBe('iso-8859-1');
    expect(ack.text.split('\r')[0]).toBe('MSH#$*!%#PASSERELLE#DAC#APP#FAC#20250110081501+0000##ACK$A08$ACK#X#P#2.5######8859/1');
    expect(ack.text.split('\r')[1]).toBe('MSA#AE#C!F!2#a!F!b');
  });

  it('still answers when nothing of the message could be read (MSA-2 empty)', () => {
    const ack = buildAck({ status: 'reject', now, controlId: 'X', errors: [{ code: 100, reason: 'no MSH segment', field: 'MSH' }] });
    const [msh, msa, err] = fieldsOf(ack.text);
    expect(msh?.slice(0, 12)).toEqual(['MSH', '^~\\&', 'PASSERELLE', '', '', '', '20250110081501+0000', '', 'ACK', 'X', 'P', '2.5']);
    expect(msa).toEqual(['MSA', 'AR', '', 'no MSH segment']);
    expect(err?.[3]).toBe('100^Segment sequence error^HL70357');
  });

  it('does not echo MSH-18 it cannot encode in', () => {
    const ack = buildAck({ status: 'reject', header: { ...a01, charset: 'ISO IR87' }, now, controlId: 'X' });
    expect(ack.charset).toBe('utf-8');
    expect(fieldsOf(ack.text)[0]?.[17]).toBeUndefined();
  });

  it('gives a non-accept without errors a generic ERR', () => {
    const ack = buildAck({ status: 'error', header: a01, now, controlId: 'X' });
    expect(fieldsOf(ack.text)[2]?.[3]).toBe('207^Application internal error^HL70357');
  });

  it('always builds a well-formed ACK echoing MSH-10, whatever the message', () => {
    fc.assert(
      fc.property(anyMessageText, fc.constantFrom<AckStatus>('accept', 'error', 'reject'), fc.string({ unit: 'binary', maxLength: 200 }), (text, status, reason) => {
        const parsed = parseHl7(text);
        const h = parsed.header;
        const ack = buildAck({ status, header: h, now, controlId: 'X1', errors: [{ code: 207, reason }] });
        expect(ack.text).not.toMatch(/[\n\u000b\u001c]/);
        // A well-formed but unsupported version (2.1, 2.7…) is echoed on purpose: the sender reads
        // its own version. Our parser refuses it, so the ACK is read back as 2.5.
        const echoedUnsupported = h !== undefined && /^2\.\d(\.\d)?$/.test(h.version) && !SUPPORTED_VERSIONS.includes(h.version);
        const back = parseHl7(echoedUnsupported ? withVersion(ack.text, '2.5') : ack.text);
        expect(back.ok).toBe(true);
        if (!back.ok) return;
        const msa = back.message.getSegment('MSA');
        expect(back.reader.value(msa, 1)).toBe(ack.code);
        expect(back.reader.value(msa, 2)).toBe(h?.controlId ?? '');
        expect(back.reader.value(back.message.getSegment('ERR'), 8)).toBe(reason);
      }),
      {
        numRuns: 3000,
        // Found by this property: a well-formed but unsupported version (2.1) in MSH-12.
        examples: [['MSH|^~\\&|SIH|CH_EXEMPLE|P|D|20250120080000||ADT^A40^ADT_A39|CHEX-000199|P|2.1|20250120080000\rPID|1||880011^^^CH_EXEMPLE^PI\r', 'accept', '']],
      },
    );
  });
});
