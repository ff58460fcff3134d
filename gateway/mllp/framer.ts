/**
 * MLLP framing (HL7 v2 transport, "Minimal Lower Layer Protocol"): each message travels as
 * `VT (0x0B) · payload · FS (0x1C) · CR (0x0D)` on a TCP stream.
 *
 * Why our own: TCP chunks are not messages. `@medplum/hl7` 4.5.2 loses frames when two arrive in
 * one packet or when a frame is split between FS and CR, and one malformed frame breaks the
 * connection (see STACK.md). This deframer is a pure state machine over Buffers: it buffers across
 * chunks, yields several frames per chunk, resynchronises after garbage, and bounds memory. It
 * works on bytes; decoding waits until the message's own MSH-18 is known.
 */

export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** 1 MiB: far above any ADT message, low enough that a runaway sender cannot exhaust memory. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
/** How much of an oversized frame is kept, enough for its MSH (to address the rejection). */
const OVERSIZED_HEAD_BYTES = 4096;

/** What the deframer found in the stream. */
export type FramerEvent =
  /** One complete payload, VT and FS CR removed. */
  | { type: 'frame'; frame: Buffer }
  /**
   * Bytes dropped: outside any frame (`before-start`), or a frame interrupted by a new VT or by the
   * end of the stream (`unterminated`).
   */
  | { type: 'garbage'; bytes: number; reason: 'before-start' | 'unterminated' }
  /**
   * A frame grew past the limit: `head` is its first bytes (for its MSH); everything up to the next
   * VT is discarded. Reported once per frame, as soon as the limit is crossed.
   */
  | { type: 'oversized'; head: Buffer; limit: number };

/** Options of {@link MllpDeframer}. */
export interface DeframerOptions {
  /** Largest payload accepted, in bytes (default {@link DEFAULT_MAX_FRAME_BYTES}). */
  maxFrameBytes?: number;
}

type State = 'outside' | 'inside' | 'afterFs' | 'oversized';

/**
 * Streaming deframer. Feed it chunks in order; it returns what each chunk completed.
 *
 * Leniencies, each deliberate: a VT inside a frame restarts the frame (the sender gave up on the
 * previous one, and the new message must not be glued to it); an FS not followed by CR still ends
 * the frame (some senders omit the CR), and a CR arriving later, even in the next chunk, is
 * swallowed.
 *
 * @example
 *   const deframer = new MllpDeframer();
 *   socket.on('data', (chunk) => { for (const e of deframer.push(chunk)) if (e.type === 'frame') handle(e.frame); });
 */
export class MllpDeframer {
  private readonly maxFrameBytes: number;
  private state: State = 'outside';
  private parts: Buffer[] = [];
  private size = 0;
  private garbage = 0;

  constructor(options: DeframerOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Consumes one chunk; returns the events it completed, in stream order. */
  push(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case 'afterFs':
          if (chunk[pos] === CR) pos++;
          this.state = 'outside';
          break;
        case 'outside': {
          const start = chunk.indexOf(VT, pos);
          if (start < 0) {
            this.garbage += chunk.length - pos;
            pos = chunk.length;
            break;
          }
          this.garbage += start - pos;
          this.flushGarbage(events, 'before-start');
          this.startFrame();
          pos = start + 1;
          break;
        }
        case 'inside': {
          const end = nextMarker(chunk, pos);
          const stop = end < 0 ? chunk.length : end;
          if (!this.append(chunk.subarray(pos, stop), events)) {
            pos = stop;
            break;
          }
          if (end < 0) {
            pos = chunk.length;
          } else if (chunk[end] === VT) {
            this.garbage += this.size + 1; // the interrupted frame, VT included
            this.flushGarbage(events, 'unterminated');
            this.startFrame();
            pos = end + 1;
          } else {
            events.push({ type: 'frame', frame: this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size) });
            this.parts = [];
            this.size = 0;
            this.state = 'afterFs';
            pos = end + 1;
          }
          break;
        }
        case 'oversized': {
          const start = chunk.indexOf(VT, pos);
          if (start < 0) {
            pos = chunk.length;
            break;
          }
          this.startFrame();
          pos = start + 1;
          break;
        }
      }
    }
    this.flushGarbage(events, 'before-start');
    return events;
  }

  /** End of stream: reports an unfinished frame as garbage. */
  end(): FramerEvent[] {
    const events: FramerEvent[] = [];
    if (this.state === 'inside') {
      this.garbage += this.size + 1;
      this.flushGarbage(events, 'unterminated');
    }
    this.flushGarbage(events, 'before-start');
    this.parts = [];
    this.size = 0;
    this.state = 'outside';
    return events;
  }

  private startFrame(): void {
    this.parts = [];
    this.size = 0;
    this.state = 'inside';
  }

  /**
   * Adds payload bytes; on crossing the limit, reports the frame as oversized and switches to
   * discarding. Returns false when the frame was dropped.
   */
  private append(bytes: Buffer, events: FramerEvent[]): boolean {
    if (bytes.length === 0) return true;
    if (this.size + bytes.length > this.maxFrameBytes) {
      const head = Buffer.concat([...this.parts, bytes]).subarray(0, Math.min(OVERSIZED_HEAD_BYTES, this.maxFrameBytes));
      events.push({ type: 'oversized', head: Buffer.from(head), limit: this.maxFrameBytes });
      this.parts = [];
      this.size = 0;
      this.state = 'oversized';
      return false;
    }
    // Copy: the caller may reuse the chunk's memory, and a frame outlives its chunk.
    this.parts.push(Buffer.from(bytes));
    this.size += bytes.length;
    return true;
  }

  private flushGarbage(events: FramerEvent[], reason: 'before-start' | 'unterminated'): void {
    if (this.garbage > 0) events.push({ type: 'garbage', bytes: this.garbage, reason });
    this.garbage = 0;
  }
}

/** Index of the next VT or FS at or after `from`, or -1. */
function nextMarker(chunk: Buffer, from: number): number {
  const fs = chunk.indexOf(FS, from);
  const vt = chunk.indexOf(VT, from);
  if (fs < 0) return vt;
  if (vt < 0) return fs;
  return Math.min(fs, vt);
}

/** Wraps a payload as one MLLP frame. */
export function frameMllp(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = VT;
  out.set(payload, 1);
  out[payload.length + 1] = FS;
  out[payload.length + 2] = CR;
  return out;
}
