/**
 * Collects errors that would otherwise be lost: uncaught exceptions and
 * unhandled rejections (discord.js throws inside its gateway handlers when a
 * payload lacks a field it needs) and the client's own 'error' events.
 * Tests assert `errors` is empty at the end.
 */
import type { EventEmitter } from 'node:events';

export interface ErrorWatch {
  readonly errors: unknown[];
  /** Also collect 'error' events from an emitter (the discord.js Client). */
  watch(emitter: EventEmitter, event?: string): void;
  stop(): void;
}

export function watchProcessErrors(): ErrorWatch {
  const errors: unknown[] = [];
  const onError = (error: unknown): void => {
    errors.push(error);
  };
  const detachers: (() => void)[] = [];
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    watch(emitter, event = 'error') {
      emitter.on(event, onError);
      detachers.push(() => emitter.off(event, onError));
    },
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      for (const detach of detachers) detach();
    },
  };
}
