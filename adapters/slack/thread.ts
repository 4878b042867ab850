/**
 * Puts the core's replies into an interview thread, in order:
 * - a question, a settled offer or a recommendation is posted as a new message
 *   with its controls; the message that had live controls before is "retired"
 *   (updated to the same content without buttons), so only one message in the
 *   thread is ever clickable;
 * - `answered` turns that question's message into a record (question + answer,
 *   no buttons) with chat.update;
 * - `why` is posted in the thread (it is part of the record);
 * - notices and help go only to the person who acted (ephemeral).
 *
 * Message ts values live in the session's adapter meta (`service.setMeta`), so
 * any process can continue the thread. The session itself was committed before
 * this runs: a failing Slack call loses no answer.
 */
import { z } from 'zod';
import type { Reply, Session, SessionKey } from '../../src/conversation/types.ts';
import type { Logger } from '../../src/logger.ts';
import type { ConversationService } from '../../src/sessions/service.ts';
import {
  answeredMessage,
  helpMessage,
  noticeMessage,
  questionMessage,
  recommendationMessage,
  settledMessage,
  whyMessage,
  type SlackMessage,
} from './blocks.ts';
import type { SlackCalls } from './slack-calls.ts';

/** Keys the adapter keeps in `Session.meta`. */
export const META = {
  channel: 'slack.channel',
  thread: 'slack.thread',
  /** ts of the message whose controls are live. */
  open: 'slack.open',
  /** That message without its controls (JSON of a SlackMessage), for retiring it. */
  openRetired: 'slack.open_retired',
  /** What that message shows (`question:<criterion>:<version>`, ...), to avoid posting it twice. */
  openView: 'slack.open_view',
  /** ts of the share picker message. */
  picker: 'slack.picker',
  question: (criterion: string) => `slack.q.${criterion}`,
  hinted: (userId: string) => `slack.hinted.${userId}`,
} as const;

export interface ThreadTarget {
  key: SessionKey;
  channel: string;
  threadTs: string;
  /** Who acted; ephemeral replies go to them. */
  actor: string;
}

/** Sends a message only the actor sees (an ephemeral post, or `respond` for commands and actions). */
export type NotifyActor = (message: SlackMessage) => Promise<void>;

const storedMessageSchema = z.object({ text: z.string(), blocks: z.array(z.looseObject({ type: z.string() })) });

/** The message as it should look once its buttons and selects are gone. */
export function withoutControls(message: SlackMessage): SlackMessage {
  return { text: message.text, blocks: message.blocks.filter((block) => block.type !== 'actions') };
}

export interface ThreadWriterDeps {
  service: ConversationService;
  calls: SlackCalls;
  logger: Logger;
  notifyActor: NotifyActor;
}

export interface ThreadWriterOptions {
  /**
   * Post a restated question (or offer) again even when the same one is already
   * open. Off for clicks: a stale click restates what is right above it. On for
   * typed messages: the person reads the bottom of the thread.
   */
  repostOpen?: boolean;
}

export class ThreadWriter {
  private meta: Record<string, string>;

  constructor(
    private readonly deps: ThreadWriterDeps,
    private readonly target: ThreadTarget,
    session: Session,
    private readonly options: ThreadWriterOptions = {},
  ) {
    this.meta = { ...session.meta };
  }

  /** Delivers `replies` in order; throws the first SlackCallError (later replies depend on earlier ones). */
  async deliver(replies: readonly Reply[]): Promise<void> {
    for (const reply of replies) await this.deliverOne(reply);
  }

  private async deliverOne(reply: Reply): Promise<void> {
    switch (reply.kind) {
      case 'question':
        // A question restated unchanged (after a stale click) is already open in the thread; a hint is news.
        if (!reply.hint && this.isOpen(`question:${reply.criterion}:${reply.version}`)) return;
        await this.postWithControls(questionMessage(reply), `question:${reply.criterion}:${reply.version}`, [META.question(reply.criterion)]);
        return;
      case 'answered':
        await this.recordAnswer(reply.criterion, answeredMessage(reply));
        return;
      case 'settled':
        if (this.isOpen(`settled:${reply.version}`)) return;
        await this.postWithControls(settledMessage(reply), `settled:${reply.version}`);
        return;
      case 'recommendation':
        if (this.isOpen(`recommendation:${reply.version}`)) return;
        await this.postWithControls(recommendationMessage(reply), `recommendation:${reply.version}`);
        return;
      case 'why':
        await this.deps.calls.postMessage(this.target.channel, whyMessage(reply), { threadTs: this.target.threadTs });
        return;
      case 'notice':
        await this.deps.notifyActor(noticeMessage(reply));
        return;
      case 'help':
        await this.deps.notifyActor(helpMessage(reply));
        return;
    }
  }

  /**
   * Posts a message with controls and makes it the open one. `alsoPointing` are
   * meta keys to point at the new message (a question's `slack.q.<criterion>`).
   */
  private async postWithControls(message: SlackMessage, view: string, alsoPointing: readonly string[] = []): Promise<void> {
    await this.retireOpen();
    const ts = await this.deps.calls.postMessage(this.target.channel, message, { threadTs: this.target.threadTs });
    const patch: Record<string, string> = { [META.open]: ts, [META.openRetired]: JSON.stringify(withoutControls(message)), [META.openView]: view };
    for (const key of alsoPointing) patch[key] = ts;
    await this.save(patch);
  }

  private async recordAnswer(criterion: string, record: SlackMessage): Promise<void> {
    const questionKey = META.question(criterion);
    const ts = this.meta[questionKey];
    if (!ts) return; // Answered without a question message of its own (several answers typed at once).
    await this.deps.calls.update(this.target.channel, ts, record);
    const patch: Record<string, string> = { [questionKey]: '' };
    if (this.meta[META.open] === ts) Object.assign(patch, { [META.open]: '', [META.openRetired]: '', [META.openView]: '' });
    await this.save(patch);
  }

  /** Removes the controls from the message that had them; a failure here is logged, never fatal. */
  private async retireOpen(): Promise<void> {
    const ts = this.meta[META.open];
    const stored = this.meta[META.openRetired];
    if (!ts || !stored) return;
    try {
      const retired = storedMessageSchema.parse(JSON.parse(stored)) as SlackMessage;
      await this.deps.calls.update(this.target.channel, ts, retired);
    } catch (error) {
      this.deps.logger.warn({ err: error, channel: this.target.channel, ts }, 'could not retire the controls of an earlier message');
    }
    await this.save({ [META.open]: '', [META.openRetired]: '', [META.openView]: '' });
  }

  /** True when the message with live controls already shows `view`. */
  private isOpen(view: string): boolean {
    return !this.options.repostOpen && Boolean(this.meta[META.open]) && this.meta[META.openView] === view;
  }

  private async save(patch: Record<string, string>): Promise<void> {
    this.meta = { ...this.meta, ...patch };
    await this.deps.service.setMeta(this.target.key, patch);
  }
}
