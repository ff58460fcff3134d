import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FS, frameMllp, MllpDeframer, VT, type FramerEvent } from './framer.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const framed = (...payloads: string[]): Buffer => Buffer.concat(payloads.map((p) => frameMllp(b(p))));
const framesOf = (events: FramerEvent[]): string[] => events.flatMap((e) => (e.type === 'frame' ? [e.frame.toString('latin1')] : []));

/** Feeds the stream cut at the given offsets. */
function feed(stream: Buffer, cuts: number[], deframer = new MllpDeframer()): FramerEvent[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
  const events: FramerEvent[] = [];
  let from = 0;
  for (const point of [...points, stream.length]) {
    events.push(...deframer.push(stream.subarray(from, point)));
    from = point;
  }
  return [...events, ...deframer.end()];
}

/** Payload bytes: anything but the MLLP markers (HL7 text never contains them). */
const payload = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u.filter((x) => x !== VT && x !== FS)).toString('latin1'));

describe('MllpDeframer', () => {
  it('yields several frames from one chunk', () => {
    expect(framesOf(feed(framed('MSH|1', 'MSH|2', 'MSH|3'), []))).toEqual(['MSH|1', 'MSH|2', 'MSH|3']);
  });

  it('keeps a frame split between FS and CR whole, and swallows the late CR', () => {
    const stream = framed('MSH|1', 'MSH|2');
    const fsIndex = stream.indexOf(FS);
    const events = feed(stream, [fsIndex + 1]);
    expect(framesOf(events)).toEqual(['MSH|1', 'MSH|2']);
    expect(events.filter((e) => e.type === 'garbage')).toEqual([]);
  });

  it('reassembles a frame fed one byte at a time', () => {
    const stream = framed('MSH|^~\\&|A|B', 'MSH|2');
    expect(framesOf(feed(stream, Array.from({ length: stream.length }, (_, i) => i)))).toEqual(['MSH|^~\\&|A|B', 'MSH|2']);
  });

  it('drops and reports bytes before a frame', () => {
    const events = feed(Buffer.concat([b('GET / HTTP/1.1\r\n'), framed('MSH|1')]), []);
    expect(events).toEqual([{ type: 'garbage', bytes: 16, reason: 'before-start' }, { type: 'frame', frame: b('MSH|1') }]);
  });

  it('restarts on a VT inside a frame, reporting the interrupted one', () => {
    const events = feed(Buffer.concat([Buffer.from([VT]), b('MSH|lost'), framed('MSH|2')]), []);
    expect(events).toEqual([{ type: 'garbage', bytes: 9, reason: 'unterminated' }, { type: 'frame', frame: b('MSH|2') }]);
  });

  it('ends a frame on FS even without CR', () => {
    const stream = Buffer.concat([Buffer.from([VT]), b('MSH|1'), Buffer.from([FS]), framed('MSH|2')]);
    expect(framesOf(feed(stream, []))).toEqual(['MSH|1', 'MSH|2']);
  });

  it('reports an unfinished frame at end of stream', () => {
    expect(feed(Buffer.concat([Buffer.from([VT]), b('MSH|1')]), [3])).toEqual([{ type: 'garbage', bytes: 6, reason: 'unterminated' }]);
  });

  it('yields an empty frame as a frame (it deserves an answer too)', () => {
    expect(framesOf(feed(framed(''), []))).toEqual(['']);
  });

  it('reports an oversized frame once, with its head, and recovers at the next VT', () => {
    const big = `MSH|^~\\&|A|B|C|D|2025||ADT^A01|BIG-1|P|2.5\r${'x'.repeat(5000)}`;
    const deframer = new MllpDeframer({ maxFrameBytes: 1000 });
    const events = feed(framed(big, 'MSH|next'), [100, 900, 1001, 3000], deframer);
    expect(events.map((e) => e.type)).toEqual(['oversized', 'frame']);
    const oversized = events[0];
    expect(oversized?.type === 'oversized' && oversized.head.toString('latin1')).toBe(big.slice(0, 1000));
    expect(framesOf(events)).toEqual(['MSH|next']);
  });

  it('accepts a frame of exactly the limit', () => {
    const deframer = new MllpDeframer({ maxFrameBytes: 10 });
    expect(framesOf(feed(framed('0123456789'), [4], deframer))).toEqual(['0123456789']);
  });

  it('yields the same frames however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (payloads, cuts) => {
        const events = feed(framed(...payloads), cuts);
        expect(framesOf(events)).toEqual(payloads);
        expect(events.every((e) => e.type === 'frame')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('yields every frame whatever garbage (without VT) sits between frames', () => {
    const noise = fc.uint8Array({ maxLength: 50 }).map((u) => Buffer.from(u.filter((x) => x !== VT)));
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, payload), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (pairs, cuts) => {
        const stream = Buffer.concat(pairs.flatMap(([n, p]) => [n, frameMllp(b(p))]));
        const events = feed(stream, cuts);
        expect(framesOf(events)).toEqual(pairs.map(([, p]) => p));
        // Every byte is accounted for: framed, or reported as garbage.
        const garbage = events.reduce((sum, e) => sum + (e.type === 'garbage' ? e.bytes : 0), 0);
        expect(garbage).toBe(pairs.reduce((sum, [n]) => sum + n.length, 0));
      }),
      { numRuns: 2000 },
    );
  });
});
