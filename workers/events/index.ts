/**
 * Outbound events: the closed list of types, the event shape, its store and `createEventPublisher`.
 * Deliveries to subscribers live in `workers/webhooks`.
 */
export { EVENT_TYPES, isEventType, type EventType } from './event-types.js';
export { eventIdOf, EVENT_ID_PATTERN, PublishEventInputSchema, type PublishEventInput, type StoredEvent } from './event.js';
export { EventStore, EVENT_RETENTION_MS } from './event-store.js';
export { createEventPublisher, type EventPublisher, type EventPublisherDeps, type PublishResult } from './publisher.js';
