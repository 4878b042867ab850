/**
 * The turn layer's `Content` as Block Kit: which layout of blocks.ts shows
 * it, with or without its controls. Pure; the words come from the core's view
 * models and the turn layer's wording, written with Slack's syntax.
 */
import type { Reply } from '../../src/conversation/types.ts';
import type { Content, TurnNotice } from '../../src/turns/types.ts';
import { sharedText, threadParentText, turnNoticeText } from '../../src/turns/wording.ts';
import {
  answeredMessage,
  askMessage,
  helpMessage,
  noticeMessage,
  questionMessage,
  recommendationMessage,
  settledMessage,
  sharePickerMessage,
  summaryMessage,
  textMessage,
  whyMessage,
  withoutControls,
  type SlackMessage,
} from './blocks.ts';
import { escapeText } from './escape.ts';
import { SLACK_SYNTAX } from './wording.ts';

/** What rendering needs beyond the content: where the summary's interview ran, and its permalink when Slack gave one. */
export interface RenderContext {
  threadChannel?: string;
  permalink?: string;
}

function replyMessage(reply: Reply, controls: boolean): SlackMessage {
  switch (reply.kind) {
    case 'question': {
      const message = questionMessage(reply);
      return controls ? message : withoutControls(message);
    }
    case 'settled': {
      const message = settledMessage(reply);
      return controls ? message : withoutControls(message);
    }
    case 'recommendation': {
      const message = recommendationMessage(reply);
      return controls ? message : withoutControls(message);
    }
    case 'answered':
      return answeredMessage(reply);
    case 'why':
      return whyMessage(reply);
    case 'ask':
      return askMessage(reply.answer);
    case 'notice':
      return noticeMessage(reply);
    case 'help':
      return helpMessage(reply);
  }
}

/** A turn notice in Slack's words; the one piece of it that came from a person (an unknown subcommand) is escaped. */
export function turnNoticeMrkdwn(notice: TurnNotice): string {
  return turnNoticeText(notice.code === 'unknown_subcommand' ? { ...notice, text: escapeText(notice.text) } : notice, SLACK_SYNTAX);
}

export function renderContent(content: Content, context: RenderContext = {}): SlackMessage {
  switch (content.kind) {
    case 'reply':
      return replyMessage(content.reply, content.controls);
    case 'ask':
      return askMessage(content.answer, content.asker === undefined ? undefined : { userId: content.asker });
    case 'help':
      return helpMessage(content.reply, content.lead === undefined ? {} : { lead: turnNoticeMrkdwn({ code: 'unknown_subcommand', text: content.lead }) });
    case 'turnNotice':
      return textMessage(turnNoticeMrkdwn(content.notice));
    case 'threadParent':
      return textMessage(threadParentText(content.owner, SLACK_SYNTAX));
    case 'sharePicker':
      return sharePickerMessage(content.version, content.attempt);
    case 'shared':
      return textMessage(sharedText(content.owner, content.channel, SLACK_SYNTAX));
    case 'summary':
      return summaryMessage({
        userId: content.owner,
        view: content.view,
        threadChannel: context.threadChannel ?? '',
        ...(context.permalink === undefined ? {} : { permalink: context.permalink }),
      });
    case 'notice':
      return noticeMessage(content.notice);
  }
}
