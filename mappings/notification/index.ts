/**
 * FHIR notification messages (Da Vinci Unsolicited Notifications style) → the ADT event HL7
 * would carry, and the FHIR messaging answer. Pure: no I/O.
 */
export { notificationFacility, readNotification, readNotificationBytes, type NotificationContext, type NotificationError, type NotificationReading } from './notification.js';
export { NOTIFICATION_EVENT_SYSTEM, NOTIFICATION_TRIGGERS, type NotificationEventCode } from './codes.js';
export { errorOutcome, responseMessage, type ResponseMessageInput } from './response.js';
