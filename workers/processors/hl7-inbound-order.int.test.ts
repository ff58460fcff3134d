/**
 * `PersonOrder` against a real Redis (a prefix of its own, deleted afterwards): registering,
 * finding the earlier message that blocks one, and releasing, over a person's several sets.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteQueueKeys } from '../../test/helpers/gateway-process.js';
import { connectRedis } from '../queue/index.js';
import { PersonOrder } from './hl7-inbound-order.js';

const prefix = `test-order-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let order: PersonOrder;

beforeAll(async () => {
  redis = await connectRedis('redis://127.0.0.1:6379');
  order = new PersonOrder({ redis, prefix });
});

afterAll(async () => {
  redis?.disconnect();
  await deleteQueueKeys(prefix);
});

describe('PersonOrder', () => {
  it('lets the first message of a person through and holds the later ones until it is released', async () => {
    const person = [randomUUID()];
    expect(await order.registerAndFindBlocker('msg-0002', person)).toBeUndefined();
    expect(await order.registerAndFindBlocker('msg-0003', person)).toBe('msg-0002');
    await order.release('msg-0002', person);
    expect(await order.blockerOf('msg-0003', person)).toBeUndefined();
  });

  it('registers in every set, and reports the earliest blocker across the persons of a message', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await order.register('msg-0005', [a]);
    await order.register('msg-0004', [b]);
    expect(await order.registerAndFindBlocker('msg-0009', [a, b])).toBe('msg-0004');
    expect(await redis.zrange(order.key(a), '0', '-1')).toEqual(['msg-0005', 'msg-0009']);
    expect(await redis.zrange(order.key(b), '0', '-1')).toEqual(['msg-0004', 'msg-0009']);
    await order.release('msg-0004', [b]);
    expect(await order.blockerOf('msg-0009', [a, b])).toBe('msg-0005');
    await order.release('msg-0009', [a, b]);
    expect(await redis.zrange(order.key(b), '0', '-1')).toEqual([]);
  });

  it('never reports a later message as a blocker, nor the message itself', async () => {
    const person = [randomUUID()];
    await order.register('msg-0020', person);
    expect(await order.registerAndFindBlocker('msg-0010', person)).toBeUndefined();
    expect(await order.blockerOf('msg-0020', person)).toBe('msg-0010');
    expect(await order.registerAndFindBlocker('msg-0010', [])).toBeUndefined();
  });
});
