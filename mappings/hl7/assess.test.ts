import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessageText, FIXTURES, fixture } from './__fixtures__/arbitraries.js';
import { buildAck } from './ack.js';
import { assessHl7, failureAck } from './assess.js';
import { decodeHl7 } from './decode.js';
import { HL7_ERROR } from './error-codes.js';
import { parseHl7 } from './parse.js';

const now = new Date('2025-01-10T08:15:00Z');
const a01 = fixture('adt-a01-pam-fr.hl7').toString('utf8');
const msaOf = (ack: Buffer | string): string[] => (typeof ack === 'string' ? ack : ack.toString('latin1')).split('\r')[1]?.split('|') ?? [];
const errOf = (text: string): string[] => text.split('\r').find((s) => s.startsWith('ERR'))?.split('|') ?? [];
/**
 * An ACK read back. One answering a version Passerelle does not take as input is in that version
 * (2.1 is answered in 2.1, for its sender), which `parseHl7` refuses: it is read as 2.5.
 */
function readAck(text: string): ReturnType<typeof parseHl7> {
  const first = parseHl7(text);
  if (first.ok || first.code !== HL7_ERROR.unsupportedVersionId || first.header === undefined) return first;
  const [msh = '', ...rest] = text.split('\r');
  const fields = msh.split(first.header.delimiters.field);
  fields[11] = '2.5'; // MSH-12 (MSH-1 is the separator itself)
  return parseHl7([fields.join(first.header.delimiters.field), ...rest].join('\r'));
}

/** The message with its IPP taken out of PID-3, the INS left alone. */
const withoutIpp = (text: string): string => text.replace('880011^^^CH_EXEMPLE&1.2.250.1.999.1.1&ISO^PI~', '');

describe('assessHl7', () => {
  it.each([...FIXTURES.keys()])('accepts the sample %s', (name) => {
    const a = assessHl7(fixture(name));
    expect(a.errors).toEqual([]);
    expect(a.status).toBe('accept');
  });

  it.each([
    ['an unsupported event', 'reject', 201, 'MSH-9.2', a01.replace('ADT^A01^ADT_A01', 'ADT^A05^ADT_A05')],
    ['a non-ADT message', 'reject', 200, 'MSH-9', a01.replace('ADT^A01^ADT_A01', 'ORU^R01^ORU_R01')],
    ['an unsupported version', 'reject', 203, 'MSH-12', a01.replace('|2.5^FRA^2.11|', '|2.6|')],
    ['no MSH-10', 'reject', 101, 'MSH-10', a01.replace('|CHEX-000101|', '||')],
    ['an unknown charset', 'reject', 103, 'MSH-18', a01.replace('UNICODE UTF-8', 'ISO IR87')],
    ['no PID-3', 'error', 101, 'PID-3', a01.replace(/PID\|1\|\|[^|]*\|/, 'PID|1|||')],
    ['no PID', 'error', 100, 'PID', a01.replace(/\rPID\|[^\r]*/, '')],
    ['no PV1-19 on an admission', 'error', 101, 'PV1-19', a01.replace(/V25000101\^[^|]*/, '')],
    ['two messages in one frame', 'reject', 100, 'MSH', `${a01}\r${a01.replace('CHEX-000101', 'CHEX-000102')}`],
    ['an A40 without MRG', 'error', 100, 'MRG', fixture('adt-a40-merge.hl7').toString('utf8').replace(/\rMRG\|[^\r]*/, '')],
    // Keys the mapper cannot use (SPEC §3): answered AE, never AA and then left unwritten.
    ['PID-3 holding only the INS of an unqualified identity', 'error', 101, 'PID-3', withoutIpp(a01).replace(/\|VALI$/m, '|PROV')],
    ['PID-3 holding only an INS with a bad key', 'error', 101, 'PID-3', withoutIpp(a01).replace('152072505612380', '152072505612381')],
    ['PID-3 holding only a number of another type', 'error', 101, 'PID-3', a01.replace(/PID\|1\|\|[^|]*\|/, 'PID|1||123456^^^CH_EXEMPLE^NH|')],
    ['an A40 whose MRG-1 has no IPP', 'error', 101, 'MRG-1', fixture('adt-a40-merge.hl7').toString('utf8').replace(/MRG\|[^\r]*/, 'MRG|152072505612380^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS')],
  ])('answers %s with %s %i at %s, still echoing MSH-10', (_, status, code, field, text) => {
    const a = assessHl7(Buffer.from(text, 'utf8'));
    expect(a.status).toBe(status);
    expect(a.errors[0]).toMatchObject({ code, field });
    const ack = buildAck({ status: a.status, header: a.header, errors: a.errors, now, controlId: 'X' });
    expect(msaOf(ack.text)[2]).toBe(field === 'MSH-10' ? '' : text.split('|')[9]);
    expect(errOf(ack.text)[3]).toMatch(new RegExp(`^${code}\\^`));
  });

  it('accepts a PID-3 holding only the INS of a qualified identity: the INS is then the key', () => {
    expect(assessHl7(Buffer.from(withoutIpp(a01), 'utf8'))).toMatchObject({ status: 'accept', errors: [] });
  });

  it('accepts an A08 without visit number (an identity update needs no stay)', () => {
    const a08 = a01.replace('ADT^A01^ADT_A01', 'ADT^A08^ADT_A01').replace(/V25000101\^[^|]*/, '');
    expect(assessHl7(Buffer.from(a08, 'utf8')).status).toBe('accept');
  });

  it('acknowledges an ISO-8859-1 message in ISO-8859-1', () => {
    const a = assessHl7(fixture('adt-a08-latin1.hl7'));
    expect(a.charset).toBe('iso-8859-1');
    expect(a.adt?.event.patient?.names[0]?.family).toBe('BÉRANGER');
    expect(buildAck({ status: 'accept', header: a.header, now, controlId: 'X' }).charset).toBe('iso-8859-1');
  });
});

describe('failureAck', () => {
  it('answers AE 207 for a good message the handler failed on', () => {
    const ack = failureAck(Buffer.from(a01, 'utf8'), { reason: 'storage unavailable', now, controlId: 'F1' });
    expect(msaOf(ack)).toEqual(['MSA', 'AE', 'CHEX-000101', 'storage unavailable']);
  });

  it('keeps the message’s own rejection when it has one', () => {
    const ack = failureAck(Buffer.from(a01.replace('|2.5^FRA^2.11|', '|2.7|'), 'utf8'), { reason: 'x', now, controlId: 'F1' });
    expect(msaOf(ack)[1]).toBe('AR');
    expect(errOf(ack.toString('utf8'))[3]).toMatch(/^203\^/);
  });

  it('rejects on demand (message too large) from the first bytes only', () => {
    const head = Buffer.from(a01, 'utf8').subarray(0, 120);
    const ack = failureAck(head, { reason: 'message larger than 1048576 bytes', now, controlId: 'F1', status: 'reject' });
    expect(msaOf(ack)).toEqual(['MSA', 'AR', 'CHEX-000101', 'message larger than 1048576 bytes']);
  });

  it('answers with standard delimiters when the sender’s would split the ACK’s own values', () => {
    const failure = failureAck(Buffer.from('MSH.'), { reason: 'boom', now, controlId: 'Y' });
    const decoded = decodeHl7(failure);
    expect(decoded.ok).toBe(true);
    expect(decoded.text.startsWith('MSH|^~\\&|')).toBe(true);
    expect(parseHl7(decoded.text).ok).toBe(true);
  });

  it('declares the charset by its standard name when the sender’s MSH-18 holds a control character', () => {
    // Found by the property below: "UNICODE<VT> UTF-8" reads as UTF-8, but echoed escaped it did not.
    const bytes = Buffer.from(`MSH|^~\\&|SIH|CH_EXEMPLE|P|D|20250118143000||ADT^A03^ADT_A03|C-1|P|2.5|||||FRA|UNICODE\u000b UTF-8`, 'utf8');
    for (const ack of [failureAck(bytes, { reason: 'boom', now, controlId: 'Y' }), Buffer.from(buildAck({ status: 'error', header: assessHl7(bytes).header, now, controlId: 'X' }).text, 'utf8')]) {
      const decoded = decodeHl7(ack);
      expect(decoded.ok).toBe(true);
      expect(decoded.text.split('\r')[0]?.endsWith('|UNICODE UTF-8')).toBe(true);
    }
  });

  it('always produces a parseable ACK echoing what MSH-10 could be read, for any bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyMessageText.map((t) => Buffer.from(t, 'utf8')), anyMessageText.map((t) => Buffer.from(t, 'latin1')), fc.uint8Array({ maxLength: 300 })),
        (bytes) => {
          const a = assessHl7(bytes);
          const ack = buildAck({ status: a.status, header: a.header, errors: a.errors, now, controlId: 'X' });
          const failure = failureAck(bytes, { reason: 'boom', now, controlId: 'Y' });
          const decodedFailure = decodeHl7(failure); // the ACK declares its own charset in MSH-18
          expect(decodedFailure.ok).toBe(true);
          for (const text of [ack.text, decodedFailure.text]) {
            const back = readAck(text);
            expect(back.ok).toBe(true);
            if (back.ok) expect(back.reader.value(back.message.getSegment('MSA'), 2)).toBe(a.header?.controlId ?? '');
          }
        },
      ),
      // A version it does not take (answered in that version) is rare among random bytes: always tried.
      { numRuns: 3000, examples: [[Buffer.from(a01.replace('|2.5^FRA^2.11|', '|2.1|'), 'utf8')]] },
    );
  });
});
