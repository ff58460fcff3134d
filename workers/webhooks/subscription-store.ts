/**
 * Subscriptions in Redis (key layout in `keys.ts`). Each change is one MULTI, so the hash and its
 * indexes never disagree. Owner checks (client and tenant) happen here, not in the routes, so no
 * caller can forget them.
 *
 * @example
 *   const store = new SubscriptionStore(redis, config.QUEUE_PREFIX);
 *   const sub = await store.create({ clientId, tenant, url, events: ['careplan.updated'], secret });
 * The publisher reads the listeners of an event type in its own Lua script (`../events/publish-script.ts`),
 * judging each with {@link listensTo} and {@link subscriptionFromHash} from here.
 */
import type { Redis } from 'ioredis';
import { EVENT_TYPES, isEventType, type EventType } from '../events/event-types.js';
import { WebhookKeys } from './keys.js';
import { FhirChannelSchema, isLive, newSubscriptionId, type FhirChannel, type Subscription } from './subscription.js';

export interface NewSubscription {
  clientId: string;
  tenant: string;
  url: string;
  events: readonly EventType[];
  secret: string;
  /** For a FHIR client's Subscription (`/fhir/Subscription`). */
  fhir?: FhirChannel;
}

/** Who is asking: a subscription is visible to its owner client in its tenant only. */
export interface SubscriptionOwner {
  clientId: string;
  tenant: string;
}

export class SubscriptionStore {
  readonly keys: WebhookKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = new WebhookKeys(prefix);
  }

  async create(input: NewSubscription): Promise<Subscription> {
    const events = [...new Set(input.events)];
    const subscription: Subscription = {
      id: newSubscriptionId(),
      clientId: input.clientId,
      tenant: input.tenant,
      url: input.url,
      events,
      secret: input.secret,
      createdAt: this.now().toISOString(),
      status: 'active',
      ...(input.fhir ? { fhir: input.fhir } : {}),
    };
    const tx = this.redis.multi().hset(this.keys.subscription(subscription.id), toHash(subscription));
    tx.sadd(this.keys.clientSubscriptions(input.tenant, input.clientId), subscription.id);
    for (const type of events) tx.sadd(this.keys.listeners(input.tenant, type), subscription.id);
    await execOrThrow(tx);
    return subscription;
  }

  /** The subscription, whoever owns it (the delivery worker's view), or `undefined`. */
  async get(id: string): Promise<Subscription | undefined> {
    return subscriptionFromHash(await this.redis.hgetall(this.keys.subscription(id)));
  }

  /** The subscription if `owner` owns it; `undefined` otherwise, as if it did not exist. */
  async getOwned(id: string, owner: SubscriptionOwner): Promise<Subscription | undefined> {
    const sub = await this.get(id);
    return sub && sub.clientId === owner.clientId && sub.tenant === owner.tenant ? sub : undefined;
  }

  /** The owner's subscriptions, oldest first. */
  async listOwned(owner: SubscriptionOwner): Promise<Subscription[]> {
    const ids = await this.redis.smembers(this.keys.clientSubscriptions(owner.tenant, owner.clientId));
    const subs = await this.getMany(ids);
    return subs
      .filter((s) => s.clientId === owner.clientId && s.tenant === owner.tenant)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async countOwned(owner: SubscriptionOwner): Promise<number> {
    return this.redis.scard(this.keys.clientSubscriptions(owner.tenant, owner.clientId));
  }

  /**
   * Deletes a subscription of `owner` with its dead-letter index; false when `owner` has no such
   * subscription. Deliveries already queued for it complete without sending (see `deliver.ts`).
   */
  async remove(id: string, owner: SubscriptionOwner): Promise<boolean> {
    const sub = await this.getOwned(id, owner);
    if (!sub) return false;
    const tx = this.redis.multi().del(this.keys.subscription(id), this.keys.deadLetters(id), this.keys.eventCount(id), this.keys.eventNumbers(id));
    tx.srem(this.keys.clientSubscriptions(sub.tenant, sub.clientId), id);
    for (const type of EVENT_TYPES) tx.srem(this.keys.listeners(sub.tenant, type), id);
    await execOrThrow(tx);
    return true;
  }

  /** Stops all deliveries to a subscription (its receiver answered 410 Gone); it stays listed. */
  async disable(id: string): Promise<void> {
    const sub = await this.get(id);
    if (!sub || sub.status === 'disabled') return;
    const tx = this.redis.multi().hset(this.keys.subscription(id), { status: 'disabled', disabledAt: this.now().toISOString() });
    for (const type of EVENT_TYPES) tx.srem(this.keys.listeners(sub.tenant, type), id);
    await execOrThrow(tx);
  }

  private async getMany(ids: readonly string[]): Promise<Subscription[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.subscription(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([err, hash]) => {
      if (err) throw err;
      const sub = subscriptionFromHash(hash as Record<string, string>);
      return sub ? [sub] : [];
    });
  }
}

/**
 * True when `sub` is to hear of an event of `type` in `tenant`. The listener index is kept in step
 * with the hashes; this check is a second lock on the tenant door (shared with the publisher).
 */
export function listensTo(sub: Subscription, tenant: string, type: EventType, now: Date): boolean {
  return sub.tenant === tenant && isLive(sub, now) && sub.events.includes(type);
}

function toHash(sub: Subscription): Record<string, string> {
  return {
    id: sub.id,
    clientId: sub.clientId,
    tenant: sub.tenant,
    url: sub.url,
    events: sub.events.join(','),
    secret: sub.secret,
    createdAt: sub.createdAt,
    status: sub.status,
    ...(sub.fhir ? { fhir: JSON.stringify(sub.fhir) } : {}),
  };
}

/** The `fhir` field, parsed; a malformed one (never written by us) reads as absent. */
function fhirChannelOf(text: string | undefined): FhirChannel | undefined {
  if (!text) return undefined;
  try {
    const parsed = FhirChannelSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A subscription read from its hash; `undefined` when the hash is empty or incomplete. */
export function subscriptionFromHash(hash: Record<string, string>): Subscription | undefined {
  const { id, clientId, tenant, url, events, secret, createdAt, status, disabledAt } = hash;
  if (!id || !clientId || !tenant || !url || !secret || !createdAt) return undefined;
  const fhir = fhirChannelOf(hash['fhir']);
  // A FHIR subscription whose channel cannot be read is not delivered as a webhook by mistake.
  if (hash['fhir'] !== undefined && !fhir) return undefined;
  return {
    id,
    clientId,
    tenant,
    url,
    // An event type dropped by a newer release is ignored rather than failing the whole record.
    events: (events ?? '').split(',').filter(isEventType),
    secret,
    createdAt,
    status: status === 'disabled' ? 'disabled' : 'active',
    ...(disabledAt ? { disabledAt } : {}),
    ...(fhir ? { fhir } : {}),
  };
}

async function execOrThrow(tx: ReturnType<Redis['multi']>): Promise<void> {
  const replies = await tx.exec();
  if (!replies) throw new Error('Redis transaction aborted');
  for (const [err] of replies) if (err) throw err;
}
