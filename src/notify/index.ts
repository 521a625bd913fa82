/** The fire-brigade push: subscriptions, the durable webhook outbox, its dispatcher, and the bus wiring. */
export { BRIGADE_MIGRATION } from './schema.js';
export { BrigadeSubscriptions, SubscriptionInputError, checkWebhookUrl, generateSecret, type BrigadeSubscription, type NewSubscription, type SubscriptionChanges } from './subscriptions.js';
export { WebhookOutbox, DELIVERY_STATUSES, type Delivery, type DeliveryAttempt, type DeliveryFilter, type DeliveryStatus } from './webhook-outbox.js';
export { WebhookDispatcher, DEFAULT_USER_AGENT, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export { signWebhook, verifyWebhook } from './signature.js';
export { wireBrigadeNotifications, type BrigadeEvents } from './wire.js';
export type { WebhookPayload, WebhookEventType, UpdateKind, IncidentChange, PublicIncident } from './incident-changes.js';
