/**
 * The `import` worker (`POST /v1/import`): walks a stored NDJSON upload line by line, validates
 * each line like a `PUT /v1/cases/{caseId}` body, and writes each valid case the way the `cases`
 * worker does (`import-case-writer.ts`: its one FHIR transaction, merged with other clients'
 * contributions, events published).
 *
 * Why write here rather than fan out one `cases` job per line: the import then completes when
 * its cases are *written* (its counts mean something), its documents stay on disk instead of
 * being copied into Redis (1 GiB of personal data in memory, kept 24 h), and it does not push
 * every interactive PUT's status out of the `cases` queue's 10,000-job retention. The FHIR
 * server is the bottleneck either way (bench/cases.ts measures both paths against the store's
 * own rate); one import keeps `concurrency` cases in flight.
 *
 * A bad line fails alone: it is counted, and reported with its number and each faulty field
 * (capped, see `import-cursor.ts`). A FHIR server that is down fails the attempt instead; BullMQ
 * retries it and it resumes from its checkpoint, without duplicates since every write is
 * conditional. Progress `{ processed, failed, total }` is reported while it runs.
 *
 * @example
 *   const writeCase = fromCaseWriter(createCaseWriter({ fhir, publish }));
 *   await runWorker('import', createImportProcessor({ writeCase, dataDir: config.DATA_DIR }), options);
 */
import { OperationOutcomeError, notFound } from '@medplum/core';
import { access, rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { CaseDocument, FieldIssue } from '../../mappings/case/schema.js';
import { statusOf } from '../fhir-client/index.js';
import { isPermanentStatus, type JobProcessor, type JobResults, type JobTrace, type QueueJob } from '../queue/index.js';
import type { WriteCase } from './import-case-writer.js';
import { ImportCursor, initialCheckpoint, type ImportCheckpoint, type LineError } from './import-cursor.js';
import { readCheckpoint, uploadPath, writeCheckpoint } from './import-files.js';
import { parseImportLine, unreadableLineIssues } from './import-line.js';
import { countUploadLines, readUploadLines, type UploadLine } from './import-lines.js';

/**
 * Cases in flight per import (each one FHIR transaction, plus the case writer's reads). The FHIR client keeps 10 connections, so more would
 * only queue in the client. Against the embedded store (CPU-bound: it validates every
 * resource), 4, 8 and 16 in flight measured the same within the noise of a shared 2-core
 * machine (30–67 cases/s); 8 keeps the store busy while a transaction is on the wire.
 */
export const IMPORT_WRITE_CONCURRENCY = 8;
/**
 * Import jobs one worker process runs at once. Each keeps `IMPORT_WRITE_CONCURRENCY`
 * transactions in flight against the same FHIR server, so more imports at once only share it
 * more thinly; two let a small import pass a large one.
 */
export const IMPORT_JOB_CONCURRENCY = 2;
/** How often progress and the checkpoint are saved while running. */
export const PROGRESS_INTERVAL_MS = 500;
/**
 * Attempts of one line refused with 409/412 (another write of the same resource won a race):
 * 3 attempts 50 ms apart rides out a race; a line that still conflicts fails alone rather than
 * failing the whole import.
 */
export const CONFLICT_ATTEMPTS = 3;
const CONFLICT_DELAY_MS = 50;
/** A line is one case document: the same limit as a `PUT` body (BODY_LIMIT's default). */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export interface ImportProcessorDeps {
  /** Writes one case as `PUT /v1/cases/{caseId}` does: `fromCaseWriter(createCaseWriter(…))`. */
  writeCase: WriteCase;
  /** DATA_DIR, shared with the gateway that stored the upload. */
  dataDir: string;
  /** Longest line; a line is one case document, so BODY_LIMIT. Default 1 MiB. */
  maxLineBytes?: number;
  concurrency?: number;
  logger?: Logger;
}

/** What a finished import returns (shown by `getJobStatus` as `result`). */
export interface ImportResult extends Readonly<JobResults['import']> {
  /** The failed lines, each with its faulty fields; at most `MAX_REPORTED_LINES`. */
  lineErrors: LineError[];
  /** Failed lines past that cap. */
  lineErrorsOmitted: number;
}

function resultOf(c: ImportCheckpoint): ImportResult {
  return { processed: c.processed, failed: c.failed, total: c.total, lineErrors: c.lineErrors, lineErrorsOmitted: c.lineErrorsOmitted };
}

/** The issues of a FHIR error, named by the paths the server gave. */
function outcomeIssues(err: OperationOutcomeError): FieldIssue[] {
  const issues = (err.outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  const listed = issues.length > 0 ? issues : (err.outcome.issue ?? []);
  return listed.map((i) => ({
    path: (i.expression ?? i.location ?? []).join(', '),
    message: i.details?.text ?? i.diagnostics ?? i.code,
  }));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Writes one case; a permanent refusal is returned as the line's issues, anything else thrown. */
async function writeLine(
  deps: ImportProcessorDeps,
  trace: JobTrace,
  caseId: string,
  document: CaseDocument,
  signal: AbortSignal,
): Promise<FieldIssue[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Every entry of the case's transaction is conditional or version-checked: safe to repeat.
      await deps.writeCase(trace, caseId, document, signal);
      return undefined;
    } catch (err) {
      const status = statusOf(err);
      if (!(err instanceof OperationOutcomeError) || status === undefined) throw err;
      if (isPermanentStatus(status)) return outcomeIssues(err);
      if ((status === 409 || status === 412) && attempt < CONFLICT_ATTEMPTS) {
        await sleep(CONFLICT_DELAY_MS * attempt);
        continue;
      }
      if (status === 409 || status === 412) return outcomeIssues(err);
      // 408, 429, 5xx, network: the server, not the line. A plain Error, so the queue retries
      // the import (which resumes here) whatever status Medplum would read from the outcome.
      throw new Error(`FHIR server failed with status ${status}; the import will resume at this line`, { cause: err });
    }
  }
}

class ImportRun {
  readonly #cursor: ImportCursor;
  readonly #inFlight = new Set<Promise<void>>();
  /** Last write of each case id: lines of the same case are written in upload order. */
  readonly #lastOfCase = new Map<string, Promise<unknown>>();
  #fatal: { error: unknown } | undefined;
  #lastSave = performance.now();
  #saving: Promise<void> | undefined;

  constructor(
    private readonly deps: ImportProcessorDeps,
    private readonly job: QueueJob<'import'>,
    private readonly signal: AbortSignal,
    checkpoint: ImportCheckpoint,
  ) {
    this.#cursor = new ImportCursor(checkpoint);
  }

  get #importId(): string {
    return this.job.data.payload.importId;
  }

  async run(path: string): Promise<ImportResult> {
    const { deps } = this;
    const concurrency = deps.concurrency ?? IMPORT_WRITE_CONCURRENCY;
    const start = this.#cursor.checkpoint;
    await this.job.updateProgress(this.#cursor.progress);
    const lines = readUploadLines(path, { offset: start.offset, firstLine: start.nextLine, maxLineBytes: this.#maxLineBytes });
    for await (const line of lines) {
      while (this.#inFlight.size >= concurrency && !this.#stopping) await Promise.race(this.#inFlight);
      if (this.#stopping) break;
      this.#begin(line);
    }
    await Promise.all(this.#inFlight);
    await this.#saving;
    if (this.#stopping) {
      await this.#save();
      if (this.#fatal) throw this.#fatal.error;
      throw new Error(`import ${this.#importId} interrupted by shutdown at line ${this.#cursor.checkpoint.nextLine}; it resumes there`);
    }
    const done = this.#cursor.complete();
    await writeCheckpoint(deps.dataDir, this.#importId, done, { durable: true });
    // A clean upload is not needed any more; one with failed lines is kept for the operator.
    if (done.failed === 0) await rm(path, { force: true });
    await this.job.updateProgress(this.#cursor.progress);
    deps.logger?.info({ importId: this.#importId, processed: done.processed, failed: done.failed, total: done.total }, 'import finished');
    return resultOf(done);
  }

  get #maxLineBytes(): number {
    return this.deps.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  get #stopping(): boolean {
    return this.#fatal !== undefined || this.signal.aborted;
  }

  #begin(line: UploadLine): void {
    this.#cursor.begin(line);
    const task = this.#handle(line).then(
      (error) => {
        this.#cursor.finish(line.number, error);
        this.#maybeSave();
      },
      // Left unfinished: the cursor stops before this line, so a retry writes it again.
      (error: unknown) => {
        this.#fatal ??= { error };
      },
    );
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }

  async #handle(line: UploadLine): Promise<LineError | undefined> {
    if ('problem' in line) return { line: line.number, errors: unreadableLineIssues(line.problem, this.#maxLineBytes) };
    const parsed = parseImportLine(line.text);
    if (!parsed.ok) return { line: line.number, ...(parsed.caseId ? { caseId: parsed.caseId } : {}), errors: parsed.issues };
    const { caseId, document } = parsed;
    const previous = this.#lastOfCase.get(caseId);
    const write = (previous ?? Promise.resolve()).then(() => writeLine(this.deps, this.job.data.trace, caseId, document, this.signal));
    const settled = write.catch(() => undefined);
    this.#lastOfCase.set(caseId, settled);
    void settled.then(() => {
      if (this.#lastOfCase.get(caseId) === settled) this.#lastOfCase.delete(caseId);
    });
    const issues = await write;
    return issues ? { line: line.number, caseId, errors: issues } : undefined;
  }

  #maybeSave(): void {
    if (this.#saving || performance.now() - this.#lastSave < PROGRESS_INTERVAL_MS) return;
    this.#saving = this.#save()
      .catch((error: unknown) => {
        this.#fatal ??= { error };
      })
      .finally(() => {
        this.#saving = undefined;
      });
  }

  async #save(): Promise<void> {
    this.#lastSave = performance.now();
    await writeCheckpoint(this.deps.dataDir, this.#importId, this.#cursor.checkpoint);
    await this.job.updateProgress(this.#cursor.progress);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** The processor of the `import` queue. */
export function createImportProcessor(deps: ImportProcessorDeps): JobProcessor<'import'> {
  return async (job, signal) => {
    const { importId } = job.data.payload;
    const path = uploadPath(deps.dataDir, importId);
    let checkpoint = await readCheckpoint(deps.dataDir, importId);
    // Finished before a crash kept BullMQ from recording it: answer the same result again.
    if (checkpoint?.done) return resultOf(checkpoint);
    if (!(await exists(path))) {
      // Permanent (404): retrying cannot bring the file back (a DATA_DIR not shared with the gateway?).
      throw new OperationOutcomeError({
        ...notFound,
        issue: [{ severity: 'error', code: 'not-found', details: { text: `the upload of import ${importId} is not in DATA_DIR/imports` } }],
      });
    }
    if (!checkpoint) {
      checkpoint = initialCheckpoint(await countUploadLines(path, deps.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
      await writeCheckpoint(deps.dataDir, importId, checkpoint);
    }
    return new ImportRun(deps, job, signal, checkpoint).run(path);
  };
}
