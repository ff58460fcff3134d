import type { FieldError } from './problem.js';

/**
 * An error that already knows its HTTP answer. Thrown by the edge (auth, limits, routing);
 * domain code throws `OperationOutcomeError` instead. Both become a response in `onError` only.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
