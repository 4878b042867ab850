/**
 * SQLite WAL checkpoints on a worker thread, over a connection of its own.
 *
 * A checkpoint copies the WAL back into the database file and syncs it: tens of
 * milliseconds after a busy second. Run inside a commit (SQLite's default) or on
 * a timer of the main thread, that time lands on whichever turn is waiting. On
 * another thread it does not: a PASSIVE checkpoint never takes the write lock,
 * so the main thread goes on committing while it runs.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { AdvisorError } from '../errors.ts';

/** What one checkpoint did, in WAL frames (pages). */
export interface CheckpointResult {
  /** Frames in the WAL. */
  walFrames: number;
  /** Frames copied into the database, this time or before. */
  checkpointed: number;
}

type WorkerAnswer = { ok: true; walFrames: number; checkpointed: number } | { ok: false; message: string };

/**
 * The worker's code, run as CommonJS (`eval`), so that it needs no TypeScript
 * loader. It opens the database the store already created and migrated.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, walFrames: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: error && error.message ? error.message : String(error) });
  }
});
`;

export class WalCheckpointer {
  readonly #worker: Worker;
  #waiting: { resolve: (result: CheckpointResult) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (answer: WorkerAnswer) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (!waiting) return;
      if (answer.ok) waiting.resolve({ walFrames: answer.walFrames, checkpointed: answer.checkpointed });
      else waiting.reject(new AdvisorError('STORE_FAILURE', `WAL checkpoint failed: ${answer.message}`));
    });
    const fail = (error: Error): void => {
      this.#failure = error;
      this.#waiting?.reject(error);
      this.#waiting = undefined;
    };
    worker.on('error', (error) => fail(new AdvisorError('STORE_FAILURE', `the WAL checkpoint thread failed: ${error.message}`)));
    worker.on('exit', () => fail(new AdvisorError('STORE_FAILURE', 'the WAL checkpoint thread has stopped')));
    // Never the reason the process stays up.
    worker.unref();
  }

  /** Starts the thread for the SQLite file at `path` (which must exist: open the store first). */
  static start(path: string): WalCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    return new WalCheckpointer(new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver } }));
  }

  /** Runs one PASSIVE checkpoint on the thread; one at a time (the caller waits for the last). */
  run(): Promise<CheckpointResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiting) return Promise.reject(new AdvisorError('STORE_FAILURE', 'a WAL checkpoint is already running'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#worker.postMessage('checkpoint');
    });
  }

  /** Closes the thread's connection and stops the thread (forcibly if it has not stopped within a second). */
  async close(): Promise<void> {
    if (this.#failure) return;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage('close');
    const timer = setTimeout(() => void this.#worker.terminate(), 1_000);
    await exited;
    clearTimeout(timer);
  }
}
