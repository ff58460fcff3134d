/**
 * Where an import stands, as a checkpoint it can resume from. Lines are written several at a
 * time and finish out of order; the cursor only moves past a line once every line before it
 * has finished, so the checkpoint (byte offset, counts, errors) always describes a finished
 * prefix of the upload. A resumed import starts at that offset: the few lines that had
 * finished past it are written again, which conditional FHIR writes make harmless, and
 * counted once, because counts belong to the prefix too.
 *
 * @example
 *   const cursor = new ImportCursor(checkpoint);
 *   cursor.begin(line);                       // in upload order
 *   cursor.finish(line.number);               // written
 *   cursor.finish(other.number, { line: other.number, errors }); // failed
 *   await save(cursor.checkpoint);
 */
import { z } from 'zod';

/** Lines reported with their errors in the result; past it, failed lines are only counted. */
export const MAX_REPORTED_LINES = 1_000;
/** Issues kept per reported line (a line of garbage could name hundreds of fields). */
export const MAX_ISSUES_PER_LINE = 20;

const fieldIssue = z.object({ path: z.string(), message: z.string() });

export const LineErrorSchema = z.object({
  /** Line number in the upload (1-based; blank lines count). */
  line: z.number().int().positive(),
  caseId: z.string().optional(),
  errors: z.array(fieldIssue),
});
export type LineError = z.infer<typeof LineErrorSchema>;

/** Everything needed to resume an import, and its result once `done`. */
export const ImportCheckpointSchema = z.object({
  /** Byte offset just after the last line of the finished prefix. */
  offset: z.number().int().nonnegative(),
  /** Number of the line that starts at `offset`. */
  nextLine: z.number().int().positive(),
  /** Non-blank lines in the upload. */
  total: z.number().int().nonnegative(),
  /** Lines handled (written or failed) in the finished prefix. */
  processed: z.number().int().nonnegative(),
  /** Lines of the prefix that failed (invalid, or refused by the FHIR server). */
  failed: z.number().int().nonnegative(),
  lineErrors: z.array(LineErrorSchema),
  /** Failed lines not listed in `lineErrors` (past `MAX_REPORTED_LINES`). */
  lineErrorsOmitted: z.number().int().nonnegative(),
  done: z.boolean(),
});
export type ImportCheckpoint = z.infer<typeof ImportCheckpointSchema>;

/** The checkpoint of an import that has not started. */
export function initialCheckpoint(total: number): ImportCheckpoint {
  return { offset: 0, nextLine: 1, total, processed: 0, failed: 0, lineErrors: [], lineErrorsOmitted: 0, done: false };
}

interface Pending {
  number: number;
  end: number;
  finished: boolean;
  error: LineError | undefined;
}

export class ImportCursor {
  #state: ImportCheckpoint;
  /** Lines begun and not yet passed, in upload order; `#head` avoids O(n) shifts. */
  #pending: Pending[] = [];
  #head = 0;
  readonly #byNumber = new Map<number, Pending>();

  constructor(from: ImportCheckpoint) {
    this.#state = structuredClone(from);
  }

  /** Registers a line about to be handled. Lines must be begun in upload order. */
  begin(line: { number: number; end: number }): void {
    const last = this.#pending.at(-1);
    if ((last && line.number <= last.number) || line.number < this.#state.nextLine) {
      throw new Error(`line ${line.number} begun out of order`);
    }
    const entry: Pending = { number: line.number, end: line.end, finished: false, error: undefined };
    this.#pending.push(entry);
    this.#byNumber.set(line.number, entry);
  }

  /** Marks a begun line finished: written when `error` is absent, failed otherwise. */
  finish(number: number, error?: LineError): void {
    const entry = this.#byNumber.get(number);
    if (!entry || entry.finished) throw new Error(`line ${number} finished twice or never begun`);
    entry.finished = true;
    entry.error = error;
    this.#advance();
  }

  /** Lines begun and not yet passed by the cursor. */
  get inFlight(): number {
    return this.#pending.length - this.#head;
  }

  /** The finished prefix, as a resumable checkpoint (a copy). */
  get checkpoint(): ImportCheckpoint {
    return structuredClone(this.#state);
  }

  /** Counts for `job.updateProgress`. */
  get progress(): { processed: number; failed: number; total: number } {
    const { processed, failed, total } = this.#state;
    return { processed, failed, total };
  }

  /** Marks the import finished; every begun line must have finished. */
  complete(): ImportCheckpoint {
    if (this.inFlight > 0) throw new Error('import completed with lines in flight');
    this.#state.done = true;
    return this.checkpoint;
  }

  #advance(): void {
    const s = this.#state;
    while (this.#head < this.#pending.length && this.#pending[this.#head]!.finished) {
      const entry = this.#pending[this.#head]!;
      this.#head += 1;
      this.#byNumber.delete(entry.number);
      s.processed += 1;
      s.offset = entry.end;
      s.nextLine = entry.number + 1;
      if (entry.error) {
        s.failed += 1;
        if (s.lineErrors.length < MAX_REPORTED_LINES) {
          s.lineErrors.push({ ...entry.error, errors: entry.error.errors.slice(0, MAX_ISSUES_PER_LINE) });
        } else {
          s.lineErrorsOmitted += 1;
        }
      }
    }
    // Drop the passed prefix now and then, so the array does not grow with the upload.
    if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
  }
}
