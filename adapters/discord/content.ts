/**
 * The turn layer's `Content` as Discord messages: which layout each kind gets
 * (render.ts), with the core's wording for its own notices. Pure.
 *
 * A message that is edited must say everything it shows: an edit leaves out
 * nothing by accident, so `forEdit` empties the parts a new content lacks
 * (a question retired into a record loses its buttons; a picker that became
 * "posted to #channel" loses its select).
 */
import type { Reply } from '../../src/conversation/types.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Content, ThreadKey } from '../../src/turns/types.ts';
import { SHARE_PROMPT, sharedText, threadParentText, turnNoticeText } from '../../src/turns/wording.ts';
import { SLASH_USAGE } from './commands.ts';
import { DISCORD_SYNTAX } from './platform-text.ts';
import {
  answeredRecord,
  askMessage,
  channelPickerMessage,
  helpMessage,
  noticeMessage,
  questionMessage,
  recommendationMessage,
  settledMessage,
  summaryMessage,
  whyMessage,
  type DiscordMessage,
  type RenderContext,
} from './render.ts';
import { fitContent } from './limits.ts';

function text(content: string): DiscordMessage {
  return { content: fitContent(content) };
}

/** An interview message; `controls` false shows it as a record (a retired question keeps its embed, not its buttons). */
function replyMessage(context: RenderContext, reply: Reply, controls: boolean): DiscordMessage {
  const withControls = (message: DiscordMessage): DiscordMessage => (controls ? message : { ...message, components: [] });
  switch (reply.kind) {
    case 'question':
      return withControls(questionMessage(context, reply));
    case 'settled':
      return withControls(settledMessage(context, reply));
    case 'recommendation':
      return withControls(recommendationMessage(context, reply));
    case 'answered':
      return answeredRecord(reply);
    case 'why':
      return whyMessage(reply);
    case 'ask':
      return askMessage(reply.answer);
    case 'notice':
      return noticeMessage(reply);
    case 'help':
      return helpMessage(reply, SLASH_USAGE);
  }
}

/** Lays out one `Content` for Discord; `thread` is where the turn happened (a summary links to it). */
export function renderContent(content: Content, knowledge: Knowledge, thread: ThreadKey): DiscordMessage {
  switch (content.kind) {
    case 'reply':
      return replyMessage({ knowledge, owner: content.owner }, content.reply, content.controls);
    case 'ask':
      return askMessage(content.answer, content.asker);
    case 'help':
      return helpMessage(
        content.reply,
        SLASH_USAGE,
        content.lead === undefined ? undefined : turnNoticeText({ code: 'unknown_subcommand', text: content.lead }, DISCORD_SYNTAX),
      );
    case 'turnNotice':
      return text(turnNoticeText(content.notice, DISCORD_SYNTAX));
    case 'threadParent':
      return text(threadParentText(content.owner, DISCORD_SYNTAX));
    case 'sharePicker':
      return channelPickerMessage({ knowledge, owner: content.owner }, content.version, SHARE_PROMPT);
    case 'shared':
      return text(sharedText(content.owner, content.channel, DISCORD_SYNTAX));
    case 'summary':
      // Linked to the thread (the interview's record), not to one message of it.
      return summaryMessage(content.view, { ownerId: content.owner, guildId: content.thread.workspace, threadId: content.thread.conversation });
    case 'notice':
      return noticeMessage(content.notice);
  }
}

/** The same message as a full replacement of an earlier one. */
export function forEdit(message: DiscordMessage): Required<DiscordMessage> {
  return { content: message.content ?? '', embeds: message.embeds ?? [], components: message.components ?? [] };
}
