import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charsetFromMsh18, decodeWindows1252 } from './charset.js';
import { decodeHl7, readDeclaredCharset } from './decode.js';
import { encodeHl7 } from './encode.js';

const msh = (msh18: string): string => `MSH|^~\\&|APP|FAC|PASSERELLE|DAC|20250110091500||ADT^A08^ADT_A01|C1|P|2.5|||||FRA|${msh18}\rPID|1||X1^^^FAC^PI||`;

describe('decodeHl7', () => {
  it('decodes UTF-8 when MSH-18 is empty', () => {
    const result = decodeHl7(Buffer.from(`${msh('')}BÉRANGER^Françoise`, 'utf8'));
    expect(result).toMatchObject({ ok: true, charset: 'utf-8', declared: '', warnings: [] });
    expect(result.ok && result.text.endsWith('BÉRANGER^Françoise')).toBe(true);
  });

  it.each(['8859/1', 'ISO IR100', 'ISO-8859-1', 'iso_ir 100'])('decodes Latin-1 when MSH-18 is %s', (declared) => {
    const result = decodeHl7(Buffer.from(`${msh(declared)}BÉRANGER^Françoise`, 'latin1'));
    expect(result).toMatchObject({ ok: true, charset: 'iso-8859-1', declared });
    expect(result.ok && result.text.endsWith('BÉRANGER^Françoise')).toBe(true);
  });

  it('reads bytes 0x80-0x9F of a Latin-1 message as windows-1252 (Œ, €)', () => {
    const bytes = Buffer.concat([Buffer.from(msh('8859/1'), 'latin1'), Buffer.from([0x4c, 0x8c, 0x55, 0x56, 0x52, 0x45, 0x20, 0x80])]);
    const result = decodeHl7(bytes);
    expect(result.ok && result.text.endsWith('LŒUVRE €')).toBe(true);
  });

  it('takes the first repetition and component of MSH-18 and skips a BOM', () => {
    const text = `\uFEFF${msh('8859/1^x~UNICODE UTF-8')}é`;
    expect(readDeclaredCharset(Buffer.from(text, 'latin1').subarray(0))).toBe('');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(msh('8859/1^x~UNICODE UTF-8'), 'latin1')]);
    expect(readDeclaredCharset(bom)).toBe('8859/1');
  });

  it('rejects a character set it does not support, with the reason', () => {
    const result = decodeHl7(Buffer.from(msh('ISO IR87'), 'latin1'));
    expect(result).toMatchObject({ ok: false, field: 'MSH-18', declared: 'ISO IR87' });
    expect(!result.ok && result.reason).toContain('unsupported character set "ISO IR87"');
  });

  it('rejects a message that declares UTF-8 but is not', () => {
    const result = decodeHl7(Buffer.from(`${msh('UNICODE UTF-8')}BÉRANGER`, 'latin1'));
    expect(result).toMatchObject({ ok: false, field: 'MSH-18' });
    expect(!result.ok && result.text.endsWith('BÉRANGER')).toBe(true); // lossless for the ACK and the archive
  });

  it('falls back to Latin-1, with a warning, when MSH-18 is empty and the bytes are not UTF-8', () => {
    const result = decodeHl7(Buffer.from(`${msh('')}BÉRANGER`, 'latin1'));
    expect(result).toMatchObject({ ok: true, charset: 'iso-8859-1' });
    expect(result.ok && result.warnings[0]).toContain('not valid UTF-8');
    expect(result.ok && result.text.endsWith('BÉRANGER')).toBe(true);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('', 'MSH|^~\\&|', msh('8859/1'), msh('UNICODE UTF-8')), (tail, head) => {
        const result = decodeHl7(Buffer.concat([Buffer.from(head, 'latin1'), tail]));
        expect(typeof result.text).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('encodeHl7', () => {
  it('encodes characters outside windows-1252 as ? instead of truncating them', () => {
    expect([...encodeHl7('Œ€é漢', 'iso-8859-1')]).toEqual([0x8c, 0x80, 0xe9, 0x3f]);
  });

  it('is the inverse of decoding for every windows-1252 character', () => {
    const cp1252Char = fc.integer({ min: 0, max: 255 }).map((b) => decodeWindows1252(Uint8Array.of(b)));
    fc.assert(
      fc.property(fc.array(cp1252Char, { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        const bytes = encodeHl7(text, 'iso-8859-1');
        expect(decodeWindows1252(bytes)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any string through UTF-8', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      expect(encodeHl7(text, "utf-8").toString("utf8")).toBe(text);
    }));
  });
});

describe('charsetFromMsh18', () => {
  it('maps the names table 0211 uses for UTF-8 and Latin-1', () => {
    expect(charsetFromMsh18('UNICODE UTF-8')).toBe('utf-8');
    expect(charsetFromMsh18('ASCII')).toBe('utf-8');
    expect(charsetFromMsh18('8859/1')).toBe('iso-8859-1');
    expect(charsetFromMsh18('8859/15')).toBeUndefined();
  });
});
