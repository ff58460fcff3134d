/**
 * What one read of a notification collects: errors (the notification cannot be processed as
 * sent; each names its field by FHIRPath, for the 400 OperationOutcome) and issues (what was not
 * mapped, or mapped with a caveat). Neither carries values from the message: no personal data.
 */

/** A fault that makes the notification unprocessable. */
export interface NotificationError {
  /** FHIRPath of the faulty element, e.g. `Bundle.entry[0].resource.eventCoding.code`. */
  expression: string;
  /** Why, without the value. */
  reason: string;
}

/** The collector one read fills. */
export interface Reading {
  readonly issues: string[];
  readonly errors: NotificationError[];
  issue(text: string): void;
  error(expression: string, reason: string): void;
}

export function newReading(): Reading {
  const issues: string[] = [];
  const errors: NotificationError[] = [];
  return {
    issues,
    errors,
    issue: (text) => void issues.push(text),
    error: (expression, reason) => void errors.push({ expression, reason }),
  };
}
