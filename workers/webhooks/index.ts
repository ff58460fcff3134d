/**
 * Webhooks (SPEC §6): subscriptions, the SSRF guard, signed delivery with ordering per person,
 * dead letters. See README.md for the design and how a receiver checks a delivery.
 */
export { classifyAddress, isPublicAddress, type AddressClass } from './address-ranges.js';
export { DeadLetters, MAX_DEAD_LETTER_PAGE, type DeadLetter } from './dead-letters.js';
export { createWebhookDeliverer, DELIVERY_TIMEOUT_MS, type WebhookDeliverer, type WebhookDelivererDeps } from './deliver.js';
export { WebhookDeliveryError } from './delivery-error.js';
export { deliveryIdOf, parseDeliveryId, webhookJobId } from './delivery-id.js';
export { DEFAULT_PARK_MS, DEFAULT_TICKET_GRACE_MS } from './line-gate.js';
export { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
export {
  fhirIdOf, isLive, subscriptionIdOfFhirId, SUBSCRIPTION_ID_PATTERN, type FhirChannel, type Subscription, type SubscriptionStatus,
} from './subscription.js';
export { EventNumbers } from './event-numbers.js';
export { FHIR_NOTIFICATION_CONTENT_TYPE, fhirNotification, passesFilter, uuidFrom } from './fhir-notification.js';
export { SubscriptionStore, type NewSubscription, type SubscriptionOwner } from './subscription-store.js';
export {
  DNS_TIMEOUT_MS, ForbiddenAddressError, MAX_URL_LENGTH, UrlGuard, findForbiddenAddress, hostOf, systemResolver,
  type Resolver, type UrlGuardOptions,
} from './url-guard.js';
