/**
 * The terminal as a platform of the turn layer. The "thread" is the screen:
 * a post prints a message, a note prints it too (there is only one reader),
 * and an edit prints only when a question becomes the record of its answer.
 * Taking controls away changes nothing on a screen, so it prints nothing.
 *
 * Layout, as before the turn layer: every turn starts with a blank line and
 * messages are separated by one, except that answer records stay together.
 * Text is wrapped to the terminal's width (80 columns when output is piped).
 */
import type { Writable } from 'node:stream';
import { DEFAULT_WIDTH, renderAsk, renderRecommendation, renderReply, wrapText, type TextStyle } from '../../src/render/text.ts';
import type { FailureVerdict, PlatformPort } from '../../src/turns/port.ts';
import type { Content, ThreadKey } from '../../src/turns/types.ts';
import { SHARE_PROMPT, sharedText, summaryIntroText, threadParentText, turnNoticeText, type PlatformSyntax } from '../../src/turns/wording.ts';

const SYNTAX: PlatformSyntax = {
  mention: (user) => user,
  channel: (channel) => `#${channel}`,
  startCommand: 'start',
};

/** A line only the terminal adds to the core's help. */
export const TERMINAL_HELP = '  quit               leave; an unfinished interview is kept for next time';

export function renderContent(content: Content, style: TextStyle): string {
  switch (content.kind) {
    case 'reply':
      return renderReply(content.reply, style);
    case 'ask':
      return renderAsk(content.answer, style);
    case 'help':
      return [...(content.lead === undefined ? [] : [content.lead]), renderReply(content.reply, style), TERMINAL_HELP].join('\n');
    case 'turnNotice':
      return turnNoticeText(content.notice, SYNTAX);
    case 'notice':
      return content.notice.text;
    case 'threadParent':
      return threadParentText(content.owner, SYNTAX);
    case 'sharePicker':
      return SHARE_PROMPT;
    case 'shared':
      return sharedText(content.owner, content.channel, SYNTAX);
    case 'summary':
      return `${summaryIntroText(content.owner, SYNTAX)}\n${renderRecommendation(content.view, style)}`;
  }
}

function isRecord(content: Content): boolean {
  return content.kind === 'reply' && content.reply.kind === 'answered';
}

export class TerminalPort implements PlatformPort<never> {
  readonly platform = 'terminal';
  private nextId = 1;
  /** True until the current turn printed something. */
  private turnStart = true;
  /** While true, messages are taken (and marked sent) without being printed. */
  private muted = false;

  /** `width`: the columns to wrap to, asked at every print (a terminal can be resized); 80 by default. */
  constructor(
    private readonly output: Writable,
    private readonly style: TextStyle,
    private readonly width: () => number = () => DEFAULT_WIDTH,
  ) {}

  /** Call before each turn: its first message gets a blank line before it. */
  beginTurn(): void {
    this.turnStart = true;
  }

  /** Takes messages without printing them (what a killed run left unsent: the resumed question replaces it). */
  mute(muted: boolean): void {
    this.muted = muted;
  }

  /** Prints a line of the terminal's own (banner, goodbye) outside any turn. */
  line(text: string): void {
    this.output.write(`${wrapText(text, this.width())}\n`);
  }

  async post(_thread: ThreadKey, content: Content): Promise<string> {
    this.print(content);
    return `t${this.nextId++}`;
  }

  async edit(_thread: ThreadKey, _messageId: string, content: Content): Promise<void> {
    if (isRecord(content)) this.print(content);
  }

  /** Nothing printed has controls: there is nothing to take off. */
  async retire(): Promise<void> {}

  async notify(_thread: ThreadKey, _user: string, content: Content): Promise<void> {
    this.print(content);
  }

  /** The terminal has no channels: a start there is always "in the thread", so this is never asked for. */
  async openThread(where: ThreadKey, content: Content): Promise<{ conversation: string; messageId: string }> {
    this.print(content);
    return { conversation: where.conversation, messageId: `t${this.nextId++}` };
  }

  classify(error: unknown): FailureVerdict {
    // stdout going away does not pass: trying again would only repeat the failure.
    return { retry: false, explanation: `Could not write to the terminal (${error instanceof Error ? error.message : String(error)}).` };
  }

  private print(content: Content): void {
    if (this.muted) return;
    const separate = this.turnStart || !isRecord(content);
    this.turnStart = false;
    this.output.write(`${separate ? '\n' : ''}${wrapText(renderContent(content, this.style), this.width())}\n`);
  }
}
