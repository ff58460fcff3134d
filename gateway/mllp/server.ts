/**
 * MLLP listener (node:net). Frames the stream with {@link MllpDeframer}, hands each payload to the
 * handler (which stores, queues and returns the encoded ACK), and writes the ACKs back framed,
 * in the order the messages arrived on the connection, whatever order the handler settles in.
 *
 * Every frame gets an answer: if the handler throws, times out or returns something unusable, the
 * server answers itself from what it can parse of the frame (`AR` if the message is unreadable,
 * else `AE` 207). Logs carry connection ids, sizes and timings, never message content.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { failureAck } from '../../mappings/hl7/assess.js';
import type { Logger } from '../log.js';
import { CR, DEFAULT_MAX_FRAME_BYTES, frameMllp, FS, MllpDeframer, VT, type FramerEvent } from './framer.js';

/** Who sent a frame. */
export interface MllpMeta {
  remoteAddress: string;
  connectionId: string;
}

/**
 * Stores and queues one message, then resolves with its encoded ACK (not framed), or `null` when
 * the sender asked for no answer to it (enhanced mode, MSH-15).
 */
export type MllpHandler = (frame: Buffer, meta: MllpMeta) => Promise<Buffer | null>;

/**
 * Answers a frame over the size limit from the `head` the framer kept (its first bytes, with the
 * MSH): typically records it as refused, then resolves with an `AR`.
 */
export type OversizedHandler = (head: Buffer, limit: number, meta: MllpMeta) => Promise<Buffer>;

/** Options of {@link startMllpServer}. */
export interface MllpServerOptions {
  /** Interface to bind (default `0.0.0.0`). */
  host?: string;
  /** Port; 0 picks a free one (see {@link MllpServer.port}). */
  port: number;
  handle: MllpHandler;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Largest message accepted (default 1 MiB); a larger one is answered AR and the connection closed. */
  maxFrameBytes?: number;
  /** Answers (and records) a larger one; without it, the server answers `AR` itself. */
  handleOversized?: OversizedHandler;
  /** A connection with no traffic and nothing in progress for this long is closed (default 5 min). */
  idleTimeoutMs?: number;
  /** A handler slower than this is answered AE for it (default 30 s; the sender will resend). */
  handlerTimeoutMs?: number;
  /** Frames in progress per connection before reading pauses (default 64). */
  maxInFlightPerConnection?: number;
  /** Clock for the ACKs the server builds itself. */
  now?: () => Date;
}

/** A running listener. */
export interface MllpServer {
  /** The bound port (useful with `port: 0`). */
  readonly port: number;
  /** Open connections. */
  connectionCount(): number;
  /**
   * Stops accepting, lets each connection finish the frames in progress and answer them, then
   * closes; connections still open after `graceMs` are destroyed.
   */
  close(graceMs?: number): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_IN_FLIGHT = 64;
/** After we end a connection, how long the peer gets to close its side before we cut it. */
const END_GRACE_MS = 2_000;

/**
 * Starts an MLLP listener.
 *
 * @example
 *   const server = await startMllpServer({ host: '127.0.0.1', port: 0, handle, logger });
 *   // ... later
 *   await server.close();
 */
export async function startMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const connections = new Set<Connection>();
  let nextId = 1;
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const connection = new Connection(socket, `mllp-${nextId++}`, options);
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });
  server.on('error', (err) => options.logger.error({ err: { name: err.name, message: err.message } }, 'mllp listener error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  options.logger.info({ port, host: options.host ?? '0.0.0.0' }, 'mllp listening');

  return {
    port,
    connectionCount: () => connections.size,
    close: async (graceMs = 5_000) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.shutdown();
      const timer = setTimeout(() => {
        for (const connection of connections) connection.destroy();
      }, graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}

/** How a frame is answered when its handler fails. */
interface Failure {
  status: 'error' | 'reject';
  reason: string;
}

/** One reply slot, in arrival order; filled when the handler settles (`null`: nothing to send). */
interface Slot {
  reply?: Buffer | null;
  /** Close the connection once this reply is written (oversized frame). */
  closeAfter?: boolean;
}

/** One TCP connection: deframing, in-order replies, backpressure, idle handling. */
class Connection {
  private readonly deframer: MllpDeframer;
  private readonly queue: Slot[] = [];
  private readonly meta: MllpMeta;
  /** No more frames are taken (oversized frame, shutdown, peer gone). */
  private refusing = false;
  private peerEnded = false;
  private shuttingDown = false;
  private writeBlocked = false;
  private readPaused = false;

  constructor(
    private readonly socket: Socket,
    connectionId: string,
    private readonly options: MllpServerOptions,
  ) {
    this.meta = { remoteAddress: socket.remoteAddress ?? '', connectionId };
    this.deframer = new MllpDeframer({ maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    const log = options.logger;
    log.info({ connectionId, remoteAddress: this.meta.remoteAddress }, 'mllp connection opened');

    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => this.onEvents(this.deframer.push(chunk)));
    socket.on('end', () => {
      this.peerEnded = true;
      this.onEvents(this.deframer.end());
      this.refusing = true;
      this.endIfDone();
    });
    socket.on('timeout', () => {
      if (this.queue.length > 0) return; // busy, not idle: writing the ACK re-arms the timer
      log.info({ connectionId }, 'mllp connection idle: closing');
      this.end();
    });
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.updateReading();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      log.warn({ connectionId, code: err.code ?? err.name }, 'mllp connection error');
    });
    socket.on('close', () => log.info({ connectionId }, 'mllp connection closed'));
  }

  /** Server shutdown: answer what is in progress, then close. */
  shutdown(): void {
    this.shuttingDown = true;
    this.refusing = true;
    this.endIfDone();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onEvents(events: FramerEvent[]): void {
    for (const event of events) {
      if (this.refusing) break;
      switch (event.type) {
        case 'frame':
          this.accept(event.frame);
          break;
        case 'garbage':
          this.options.logger.warn({ connectionId: this.meta.connectionId, bytes: event.bytes, reason: event.reason }, 'mllp bytes outside a frame dropped');
          break;
        case 'oversized': {
          this.options.logger.warn({ connectionId: this.meta.connectionId, limit: event.limit }, 'mllp frame too large: rejecting and closing');
          const refused: Failure = { status: 'reject', reason: `message larger than ${event.limit} bytes` };
          const handleOversized = this.options.handleOversized;
          // Refused whether or not the handler records it: its failure is answered as `refused` too.
          this.accept(event.head, handleOversized === undefined
            ? async () => this.fallback(event.head, refused.reason, refused.status)
            : () => handleOversized(event.head, event.limit, this.meta), refused);
          this.refusing = true;
          break;
        }
      }
    }
    this.updateReading();
  }

  /**
   * Queues the answer of one frame; `refused` marks a frame that is refused whatever `run` does
   * (oversized): its fallback answer, and the connection closes once it is written.
   */
  private accept(frame: Buffer, run = () => this.options.handle(frame, this.meta), refused?: Failure): void {
    const slot: Slot = refused === undefined ? {} : { closeAfter: true };
    this.queue.push(slot);
    const started = performance.now();
    void this.answer(frame, run, refused).then((reply) => {
      slot.reply = reply;
      this.options.logger.debug(
        { connectionId: this.meta.connectionId, bytes: frame.length, ms: Math.round(performance.now() - started) },
        'mllp message answered',
      );
      this.flush();
      this.updateReading();
    });
  }

  /** Runs the handler; never rejects. A failure is answered `AE` (the sender resends), or as `refused` says. */
  private async answer(frame: Buffer, run: () => Promise<Buffer | null>, refused?: Failure): Promise<Buffer | null> {
    const timeoutMs = this.options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
    const fail = (reason: string) => this.fallback(frame, refused?.reason ?? reason, refused?.status ?? 'error');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(run), timedOut]);
      if (result === 'timeout') {
        this.options.logger.error({ connectionId: this.meta.connectionId, timeoutMs }, 'mllp handler timed out');
        return fail('message could not be processed in time');
      }
      if (result === null) return null;
      if (!isUsableAck(result)) {
        this.options.logger.error({ connectionId: this.meta.connectionId }, 'mllp handler returned no usable ACK');
        return fail('application internal error');
      }
      return Buffer.isBuffer(result) ? result : Buffer.from(result);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.options.logger.error({ connectionId: this.meta.connectionId, err: { name: e.name, message: e.message } }, 'mllp handler failed');
      return fail('application internal error');
    } finally {
      clearTimeout(timer);
    }
  }

  private fallback(frame: Buffer, reason: string, status: 'error' | 'reject'): Buffer {
    const now = this.options.now?.() ?? new Date();
    return failureAck(frame, { reason, now, controlId: randomBytes(8).toString('hex'), status });
  }

  /** Writes every reply that is ready, in arrival order. */
  private flush(): void {
    while (this.queue.length > 0 && this.queue[0]?.reply !== undefined) {
      const slot = this.queue.shift() as Slot;
      if (this.socket.destroyed || this.socket.writableEnded || slot.reply === null) continue;
      if (!this.socket.write(frameMllp(slot.reply as Buffer))) this.writeBlocked = true;
      if (slot.closeAfter === true) {
        this.queue.length = 0;
        this.end();
        return;
      }
    }
    this.endIfDone();
  }

  /** Pauses reading while too much is in flight or the peer is not reading its ACKs. */
  private updateReading(): void {
    const max = this.options.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT;
    const shouldPause = this.queue.length >= max || this.writeBlocked;
    if (shouldPause && !this.readPaused) {
      this.socket.pause();
      this.readPaused = true;
    } else if (!shouldPause && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  private endIfDone(): void {
    if ((this.peerEnded || this.shuttingDown) && this.queue.length === 0) this.end();
  }

  private end(): void {
    this.refusing = true;
    if (this.socket.writableEnded || this.socket.destroyed) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }
}

/** A reply we can frame: non-empty bytes without the MLLP control characters. */
function isUsableAck(value: unknown): value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0) return false;
  return !value.includes(VT) && !value.includes(FS) && !(value.length === 1 && value[0] === CR);
}
