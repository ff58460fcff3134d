/**
 * Character sets an HL7 v2 message may declare in MSH-18 (HL7 table 0211), reduced to the two
 * encodings hospitals actually send us: UTF-8 and ISO-8859-1.
 *
 * Why ISO-8859-1 is decoded as windows-1252: the two agree on every printable character; they
 * differ only on bytes 0x80–0x9F, which are C1 control codes in ISO-8859-1 (never legitimate in a
 * name or an address) and typographic characters in windows-1252 (`œ`, `€`, `’`…). French hospital
 * systems that declare `8859/1` are in practice often on windows-1252; decoding as such keeps
 * `Œ` in "CŒUR" instead of turning it into an invisible control code. The WHATWG Encoding
 * standard does the same for the `iso-8859-1` label (see {@link decodeWindows1252} for why we do
 * not rely on `TextDecoder` for it).
 */

/** The encodings we decode and encode. */
export type Hl7Charset = 'utf-8' | 'iso-8859-1';

/**
 * MSH-18 values we understand, normalised (upper case, runs of blanks, `_` and `-` collapsed to
 * one space). `ASCII` is decoded as UTF-8: identical on 7-bit data, and lenient when a sender that
 * declares ASCII lets a UTF-8 character through.
 */
const CHARSET_BY_NAME: ReadonlyMap<string, Hl7Charset> = new Map<string, Hl7Charset>([
  ['', 'utf-8'],
  ['ASCII', 'utf-8'],
  ['UNICODE UTF 8', 'utf-8'],
  ['UTF 8', 'utf-8'],
  ['UTF8', 'utf-8'],
  ['8859/1', 'iso-8859-1'],
  ['ISO IR100', 'iso-8859-1'],
  ['ISO IR 100', 'iso-8859-1'],
  ['ISO 8859 1', 'iso-8859-1'],
  ['ISO8859 1', 'iso-8859-1'],
  ['LATIN1', 'iso-8859-1'],
]);

/**
 * Maps an MSH-18 value (first repetition, first component) to an encoding.
 *
 * @returns the encoding, or `undefined` when the declared character set is not supported.
 * @example
 *   charsetFromMsh18('8859/1');        // 'iso-8859-1'
 *   charsetFromMsh18('UNICODE UTF-8'); // 'utf-8'
 *   charsetFromMsh18('ISO IR87');      // undefined (JIS X 0208: not supported)
 */
export function charsetFromMsh18(value: string): Hl7Charset | undefined {
  const normalised = value.trim().toUpperCase().replace(/[\s_-]+/g, ' ');
  return CHARSET_BY_NAME.get(normalised);
}

/**
 * windows-1252 bytes 0x80–0x9F and the characters they stand for (undefined slots decode to the
 * C1 code point itself, as WHATWG does). Used to encode back what `TextDecoder` decoded.
 */
const CP1252_HIGH: readonly (number | undefined)[] = [
  0x20ac, undefined, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, undefined, 0x017d, undefined,
  undefined, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, undefined, 0x017e, 0x0178,
];

/** Code point → windows-1252 byte, for the 27 characters outside Latin-1. */
export const CP1252_BYTE_BY_CODE_POINT: ReadonlyMap<number, number> = new Map(
  CP1252_HIGH.flatMap((codePoint, i) => (codePoint === undefined ? [] : [[codePoint, 0x80 + i] as const])),
);

/** The C1 bytes windows-1252 leaves undefined: they decode to themselves and encode back as such. */
export const CP1252_UNDEFINED_BYTES: ReadonlySet<number> = new Set(
  CP1252_HIGH.flatMap((codePoint, i) => (codePoint === undefined ? [0x80 + i] : [])),
);

/**
 * Decodes windows-1252 bytes. Why not `new TextDecoder('windows-1252')`: on Node 20 it decodes as
 * plain Latin-1 (0x8C gives U+008C, not `Œ`), unlike the WHATWG standard and later Node versions;
 * doing it here gives the same text on every runtime.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (c) => {
    const codePoint = CP1252_HIGH[c.charCodeAt(0) - 0x80];
    return codePoint === undefined ? c : String.fromCharCode(codePoint);
  });
}
