/**
 * Where a turn's replies go in a thread, as platform-neutral operations. Pure:
 * the same replies and thread state always give the same plan.
 *
 * - A question, settled offer or result is posted as a new message with the
 *   interview's controls; the message that was live before is retired (shown
 *   again without controls), so only one message in a thread is ever clickable.
 * - A restatement (a stale click, "picking up where you left off") at the
 *   version the live message already shows is not posted again, unless the
 *   person typed: they read the bottom of the thread, so it is reposted there.
 * - An answer turns the message that asked it into a record.
 * - "Why", `ask` answers and `details` are posted in the thread, for everyone following it
 *   (details may take several messages); the live message keeps its controls.
 * - Notices and help go only to the person who acted.
 */
import type { Reply } from '../conversation/types.ts';
import type { Content, LiveMessage, Operation, ThreadState } from './types.ts';

export interface PlanContext {
  /** Whose interview this is. */
  owner: string;
  /** Who acted: private notes go to them. */
  actor: string;
  /** Makes this turn's message handles unique (the delivery id). */
  handlePrefix: string;
  /** True for typed messages: a restated question is posted again at the bottom. */
  repostRestated: boolean;
}

export interface TurnPlan {
  operations: Operation[];
  thread: ThreadState;
}

function liveView(reply: Reply): string | undefined {
  switch (reply.kind) {
    case 'question':
      return `question:${reply.criterion}`;
    case 'settled':
      return 'settled';
    case 'recommendation':
      return 'recommendation';
    default:
      return undefined;
  }
}

/** The same message without its controls (what a retired live message shows). */
export function withoutControls(content: Content): Content {
  return content.kind === 'reply' ? { ...content, controls: false } : content;
}

export function planTurn(replies: readonly Reply[], before: ThreadState, context: PlanContext): TurnPlan {
  const operations: Operation[] = [];
  const thread: ThreadState = { ...before, questions: { ...before.questions }, hinted: [...before.hinted] };
  let handles = 0;
  const nextHandle = (): string => `${context.handlePrefix}#${handles++}`;
  const replyContent = (reply: Reply, controls: boolean): Content => ({ kind: 'reply', reply, owner: context.owner, controls });
  const tell = (content: Content): void => {
    operations.push({ op: 'notify', user: context.actor, content });
  };
  /** Handles edited in this turn: a retired message that was also turned into a record keeps the record. */
  const edited = new Set<string>();

  const retireLive = (): void => {
    const live = thread.live;
    if (!live) return;
    if (!edited.has(live.handle)) operations.push({ op: 'edit', target: { handle: live.handle }, content: withoutControls(live.content) });
    edited.add(live.handle);
    delete thread.live;
  };

  const postLive = (reply: Reply & { version: number }, view: string): void => {
    const isRestatement = thread.live !== undefined && thread.live.version === reply.version && thread.live.view === view;
    const hint = reply.kind === 'question' ? reply.hint : undefined;
    if (isRestatement && !context.repostRestated) {
      if (hint) tell({ kind: 'notice', notice: { kind: 'notice', code: 'not_understood', text: hint } });
      return;
    }
    retireLive();
    const handle = nextHandle();
    const content = replyContent(reply, true);
    operations.push({ op: 'post', handle, content });
    const live: LiveMessage = { handle, version: reply.version, view, content };
    thread.live = live;
    if (reply.kind === 'question') thread.questions[reply.criterion] = handle;
  };

  for (const reply of replies) {
    switch (reply.kind) {
      case 'answered': {
        const handle = thread.questions[reply.criterion];
        if (handle === undefined) break; // answered without a question message of its own (several answers typed at once)
        operations.push({ op: 'edit', target: { handle }, content: replyContent(reply, false) });
        edited.add(handle);
        delete thread.questions[reply.criterion];
        if (thread.live?.handle === handle) delete thread.live;
        break;
      }
      case 'question':
      case 'settled':
      case 'recommendation':
        postLive(reply, liveView(reply)!);
        break;
      case 'why':
      case 'ask':
      case 'details':
        operations.push({ op: 'post', handle: nextHandle(), content: replyContent(reply, false) });
        break;
      case 'notice':
        tell({ kind: 'notice', notice: reply });
        break;
      case 'help':
        tell({ kind: 'help', reply });
        break;
    }
  }
  return { operations, thread };
}

/** The operations that retire a thread's live controls (an interview that expired or was taken over). */
export function retireControls(before: ThreadState): TurnPlan {
  const thread: ThreadState = { ...before };
  const operations: Operation[] = [];
  if (before.live) {
    operations.push({ op: 'edit', target: { handle: before.live.handle }, content: withoutControls(before.live.content) });
    delete thread.live;
  }
  return { operations, thread };
}
