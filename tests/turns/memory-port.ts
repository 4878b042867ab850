/**
 * An in-memory platform for the turn layer's tests: it keeps every thread's
 * messages (with their content, so tests can see which one has controls) and
 * every private note, and can be told to fail the next calls.
 */
import type { FailureVerdict, PlatformPort } from '../../src/turns/port.ts';
import { threadId, type Content, type ThreadKey } from '../../src/turns/types.ts';

export interface MemoryMessage {
  id: string;
  thread: string;
  channel?: string;
  content: Content;
  edits: number;
  /** The outbox handle it was posted under (a resend looks for it first, as Slack's port does). */
  handle?: string;
}

export class PlatformFailure extends Error {
  constructor(readonly retry: boolean) {
    super(retry ? 'platform unavailable' : 'not allowed there');
  }
}

export class MemoryPort implements PlatformPort<string> {
  readonly platform = 'memory';
  readonly messages = new Map<string, MemoryMessage>();
  readonly notes: { thread: string; user: string; content: Content; live?: string }[] = [];
  readonly finished: string[] = [];
  readonly calls: string[] = [];
  /** Handles of the posts made as resends (an earlier attempt may have gone out), which a real port looks up first. */
  readonly resends: string[] = [];
  private failures: PlatformFailure[] = [];
  private nextId = 1;

  failNext(...failures: PlatformFailure[]): void {
    this.failures.push(...failures);
  }

  private maybeFail(call: string): void {
    this.calls.push(call);
    const failure = this.failures.shift();
    if (failure) throw failure;
  }

  async post(thread: ThreadKey, content: Content, options: { handle: string; channel?: string; resend?: boolean }): Promise<string> {
    this.maybeFail('post');
    if (options.resend) {
      this.resends.push(options.handle);
      const found = this.posted(threadId(thread), options.handle);
      if (found) return found.id;
    }
    const id = `m${this.nextId++}`;
    this.messages.set(id, { id, thread: threadId(thread), ...(options.channel ? { channel: options.channel } : {}), content, edits: 0, handle: options.handle });
    return id;
  }

  async edit(_thread: ThreadKey, messageId: string, content: Content): Promise<void> {
    this.maybeFail('edit');
    const message = this.messages.get(messageId);
    if (!message) throw new PlatformFailure(false);
    message.content = content;
    message.edits += 1;
  }

  /** Takes the controls off, as a platform does; a message that is gone is no failure. */
  async retire(_thread: ThreadKey, messageId: string): Promise<void> {
    this.maybeFail('retire');
    const message = this.messages.get(messageId);
    if (message?.content.kind !== 'reply' || !message.content.controls) return;
    message.content = { ...message.content, controls: false };
    message.edits += 1;
  }

  async notify(thread: ThreadKey, user: string, content: Content, live?: string): Promise<void> {
    this.maybeFail('notify');
    this.notes.push({ thread: threadId(thread), user, content, ...(live ? { live } : {}) });
  }

  async openThread(where: ThreadKey, content: Content, _live?: string, options?: { handle: string; resend?: boolean }): Promise<{ conversation: string; messageId: string }> {
    this.maybeFail('openThread');
    if (options?.resend) {
      this.resends.push(options.handle);
      const found = this.posted(threadId(where), options.handle);
      if (found) return { conversation: `${where.conversation}/${found.id}`, messageId: found.id };
    }
    const id = `m${this.nextId++}`;
    this.messages.set(id, { id, thread: threadId(where), content, edits: 0, ...(options ? { handle: options.handle } : {}) });
    return { conversation: `${where.conversation}/${id}`, messageId: id };
  }

  /** The message posted under `handle` in `thread`, if any: the look-up a resend makes. */
  private posted(thread: string, handle: string): MemoryMessage | undefined {
    return [...this.messages.values()].find((message) => message.thread === thread && message.handle === handle);
  }

  async finish(live: string): Promise<void> {
    this.finished.push(live);
  }

  classify(error: unknown): FailureVerdict {
    const retry = error instanceof PlatformFailure ? error.retry : true;
    return { retry, explanation: retry ? 'The platform had a problem.' : 'I may not post there.' };
  }

  /** Messages of one thread, in posting order. */
  thread(key: ThreadKey): MemoryMessage[] {
    return [...this.messages.values()].filter((m) => m.thread === threadId(key) && m.channel === undefined);
  }

  /** Messages that carry live controls in a thread. */
  live(key: ThreadKey): MemoryMessage[] {
    return this.thread(key).filter((m) => m.content.kind === 'reply' && m.content.controls);
  }
}
