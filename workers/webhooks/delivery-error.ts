/**
 * A delivery attempt that failed in a way worth retrying: the receiver answered something other
 * than 2xx or 410, or could not be reached. A plain `Error`, so `runWorker` retries it with the
 * `webhooks` backoff; its message (kept as the dead letter's reason) names a status or a network
 * error code, never the payload.
 */
export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';

  constructor(
    message: string,
    /** HTTP status the receiver answered, when it answered. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  static fromStatus(status: number): WebhookDeliveryError {
    return new WebhookDeliveryError(`receiver answered HTTP ${status}`, status);
  }

  static fromNetwork(err: unknown, timeoutMs: number): WebhookDeliveryError {
    const code = (err as { code?: unknown }).code;
    const name = err instanceof Error ? err.name : typeof err;
    const reason =
      name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
        ? `no answer within ${timeoutMs} ms`
        : `receiver unreachable (${typeof code === 'string' ? code : name})`;
    return new WebhookDeliveryError(reason, undefined, { cause: err });
  }
}
