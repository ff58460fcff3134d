import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIMITERS, escapeHl7, unescapeHl7, type Hl7Delimiters } from './escape.js';

const d = DEFAULT_DELIMITERS;

describe('unescapeHl7', () => {
  it('decodes the delimiter sequences', () => {
    expect(unescapeHl7('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', d)).toBe('a|b^c&d~e\\f');
  });

  it('decodes line breaks and drops highlighting', () => {
    expect(unescapeHl7('ligne 1\\.br\\ligne 2\\.sp\\\\H\\important\\N\\', d)).toBe('ligne 1\nligne 2\nimportant');
  });

  it('decodes hex sequences in the message charset', () => {
    expect(unescapeHl7('B\\XC389\\RANGER', d, 'utf-8')).toBe('BÉRANGER');
    expect(unescapeHl7('B\\XC9\\RANGER', d, 'iso-8859-1')).toBe('BÉRANGER');
    expect(unescapeHl7('\\X0D0A\\', d)).toBe('\r\n');
  });

  it('leaves unknown, malformed and unterminated sequences as they are', () => {
    expect(unescapeHl7('\\Zcustom\\ \\XZZ\\ \\X1\\ \\C2842\\', d)).toBe('\\Zcustom\\ \\XZZ\\ \\X1\\ \\C2842\\');
    expect(unescapeHl7('C:\\temp', d)).toBe('C:\\temp');
    expect(unescapeHl7('\\\\', d)).toBe('\\\\');
  });

  it('uses the message’s own delimiters', () => {
    const custom: Hl7Delimiters = { field: '#', component: '$', repetition: '*', escape: '!', subcomponent: '%' };
    expect(unescapeHl7('a!F!b!S!c!T!d!R!e!E!f\\F\\', custom)).toBe('a#b$c%d*e!f\\F\\');
  });
});

describe('escapeHl7', () => {
  it('escapes delimiters and the control characters that would break a segment or a frame', () => {
    expect(escapeHl7('a|b^c&d~e\\f', d)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
    expect(escapeHl7('x\ry\nz\u000bw\u001c', d)).toBe('x\\X0D\\y\\X0A\\z\\X0B\\w\\X1C\\');
  });

  it('round-trips any string through escape then unescape', () => {
    const delimiterSets = fc
      .uniqueArray(fc.constantFrom(...'|^~\\&#$*!%@'.split('')), { minLength: 5, maxLength: 5 })
      .map(([field = '|', component = '^', repetition = '~', escape = '\\', subcomponent = '&']) => ({ field, component, repetition, escape, subcomponent }));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), delimiterSets, (value, delimiters) => {
        const escaped = escapeHl7(value, delimiters);
        for (const delimiter of [delimiters.field, delimiters.component, delimiters.repetition, delimiters.subcomponent]) {
          expect(escaped.includes(delimiter)).toBe(false);
        }
        expect(/[\r\n\u000b\u001c]/.test(escaped)).toBe(false);
        expect(unescapeHl7(escaped, delimiters)).toBe(value);
      }),
      { numRuns: 3000 },
    );
  });
});
