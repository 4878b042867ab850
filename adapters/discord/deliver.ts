/**
 * Sends a planned turn through a surface, in the order that makes the first
 * response count (edit the clicked message, then post, then tidy up, then the
 * private notes), and reports what was posted so its ids can be remembered.
 *
 * The core has already committed the turn before anything is sent, so a
 * failing Discord call loses nothing: it is logged with context and explained
 * to the person who acted.
 */
import type { Logger } from '../../src/logger.ts';
import { classifyDiscordError, explainFailure, interactionIsGone, type DiscordFailure } from './errors.ts';
import { metaAfter, type TurnPlan } from './plan.ts';
import { PLATFORM_TEXT } from './platform-text.ts';
import type { TurnSurface } from './surfaces.ts';

export interface DeliveryResult {
  /** Adapter meta to store: ids of the messages posted. */
  meta: Record<string, string>;
  /** The first failure that kept the thread from showing the turn, if any. */
  failure?: DiscordFailure;
}

export async function deliverTurn(plan: TurnPlan, surface: TurnSurface, logger: Logger): Promise<DeliveryResult> {
  let failure: DiscordFailure | undefined;
  const attempt = async <T>(step: string, work: () => Promise<T>, essential: boolean): Promise<T | undefined> => {
    if (failure && interactionIsGone(failure)) return undefined;
    try {
      return await work();
    } catch (error) {
      const classified = classifyDiscordError(error);
      logger.warn({ err: error, step, failure: classified.kind, status: classified.status, code: classified.code }, 'discord call failed');
      if (essential) failure ??= classified;
      return undefined;
    }
  };

  const source = surface.sourceMessageId;
  for (const edit of plan.edits.filter((e) => e.messageId === source)) {
    await attempt('edit the clicked message', () => surface.editSource(edit.message), true);
  }
  const postedIds: (string | undefined)[] = [];
  for (const post of plan.posts) {
    postedIds.push(failure ? undefined : await attempt('post in the thread', () => surface.post(post.message), true));
  }
  for (const edit of plan.edits.filter((e) => e.messageId !== source)) {
    // Turning an older question into its record is tidying up: worth a log line, not a complaint to the user.
    await attempt('edit an earlier message', () => surface.editOther(edit.messageId, edit.message), false);
  }
  for (const note of plan.notes) {
    await attempt('tell the user', () => surface.note(note), false);
  }
  if (failure && !interactionIsGone(failure)) {
    await attempt('explain a failure', () => surface.note({ content: PLATFORM_TEXT.turnNotShown(explainFailure(failure!)) }), false);
  }
  await attempt('acknowledge', () => surface.finish(), false);
  return { meta: metaAfter(plan.posts, postedIds), ...(failure ? { failure } : {}) };
}
