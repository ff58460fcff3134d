/**
 * FHIR Subscriptions (R4 Subscriptions Backport) in pure functions: the topics, reading a
 * client's Subscription, answering it, and building notification and status Bundles.
 */
export { eventTypeOfTopic, TOPICS, type TopicEventType, type TopicSpec } from './topics.js';
export {
  MAX_ENDPOINT_LENGTH, MAX_HEADER_LENGTH, MAX_HEADERS, readSubscriptionRequest,
  type FhirSubscriptionRequest, type PayloadContent, type RequestIssue, type RequestReading,
} from './subscription-request.js';
export { maskedHeader, subscriptionResource, type StoredFhirSubscription } from './subscription-resource.js';
export {
  notificationBundle, statusParameters, statusSearchset,
  type EventInput, type NotificationInput, type NotificationType, type StatusInput,
} from './notification.js';
