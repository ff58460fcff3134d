/**
 * Message ids: `msg-` + 26 Crockford base32 characters (ULID layout: 10 for the millisecond
 * time, 16 for randomness). They sort by receipt time as plain strings, which is what the
 * Redis lexicographic indexes rely on, and they are valid BullMQ job ids (no `:`, never all
 * digits) and safe in URLs and Redis key names.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const MAX_TIME = 2 ** 48 - 1;
/** 79 random bits, top bit clear: incrementing within one millisecond can never overflow 80 bits. */
const RANDOM_MASK = (1n << 79n) - 1n;

const ID_PATTERN = /^msg-[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether `value` has the shape of a message id (checked before it goes into a Redis key). */
export function isMessageId(value: string): boolean {
  return ID_PATTERN.test(value);
}

function encode(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

/**
 * Returns a generator of ids for a receipt time (ms since the epoch, from the caller's clock so
 * the id and the stored `receivedAt` agree). Ids increase strictly within one generator, even when the
 * clock stands still or steps back (the randomness is incremented instead, as ULID's monotonic
 * mode does). Across processes ids are ordered by their clocks, ties broken at random.
 */
export function createMessageIdGenerator(): (nowMs: number) => string {
  let lastTime = -1;
  let lastRandom = 0n;
  return (nowMs) => {
    const time = Math.max(Math.floor(nowMs), lastTime);
    if (!(time >= 0 && time <= MAX_TIME)) {
      throw new RangeError(`clock value out of range for a message id: ${time}`);
    }
    if (time === lastTime) {
      lastRandom += 1n;
    } else {
      lastTime = time;
      lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`) & RANDOM_MASK;
    }
    return `msg-${encode(BigInt(time), TIME_LENGTH)}${encode(lastRandom, RANDOM_LENGTH)}`;
  };
}
