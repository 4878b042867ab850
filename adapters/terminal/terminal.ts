/**
 * The terminal front end: the same interview as Slack and Discord, on stdin/stdout.
 * Works both interactively (prompt, colours) and with piped input (no prompt,
 * plain text, clean exit at end of input). Every answer is committed before it
 * is printed, so a killed process resumes where it was.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { askKnowledge } from '../../src/engine/ask.ts';
import { parseText } from '../../src/conversation/parse.ts';
import type { SessionKey } from '../../src/conversation/types.ts';
import type { ConversationService } from '../../src/sessions/service.ts';
import { ansiStyle, plainStyle, renderAsk, renderReply, type TextStyle } from '../../src/render/text.ts';
import type { Logger } from '../../src/logger.ts';

export interface TerminalOptions {
  service: ConversationService;
  logger: Logger;
  input?: Readable;
  output?: Writable;
  /** Defaults to the OS user, so each person on a machine has their own interview. */
  user?: string;
  /** Colours and a prompt; defaults to whether output is a TTY (and NO_COLOR is unset). */
  interactive?: boolean;
}

const QUIT_WORDS = new Set(['quit', 'exit', 'q', ':q', 'bye']);
const TERMINAL_HELP = '  quit               leave the program; your answers are kept for next time';

function terminalUser(): string {
  try {
    return userInfo().username || 'local';
  } catch {
    return 'local';
  }
}

/** Runs the interview until the user quits or input ends. Resolves when done. */
export async function runTerminal(options: TerminalOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const isTty = Boolean((output as Writable & { isTTY?: boolean }).isTTY);
  const interactive = options.interactive ?? (isTty && !process.env['NO_COLOR']);
  const style: TextStyle = interactive ? ansiStyle : plainStyle;
  const key: SessionKey = { platform: 'terminal', workspace: 'local', conversation: 'console', user: options.user ?? terminalUser() };
  const log = options.logger.child({ adapter: 'terminal' });
  const write = (text: string): void => {
    output.write(`${text}\n`);
  };

  const rl = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  if (interactive) rl.setPrompt('> ');
  const prompt = (): void => {
    if (interactive) rl.prompt();
  };

  const send = async (event: Parameters<ConversationService['handle']>[1]): Promise<void> => {
    const { replies } = await options.service.handle(key, event);
    write('');
    replies.forEach((reply, index) => {
      // Answer receipts stay together; everything else gets a blank line before it.
      if (index > 0 && reply.kind !== 'answered') write('');
      write(renderReply(reply, style));
    });
  };

  write(style.bold('The advisor: choose a Python web framework, one question at a time.'));
  write(style.dim('Type help for commands, ask <question> to query the sources, quit to leave (your answers are kept).'));
  await send({ type: 'start' });
  prompt();

  for await (const rawLine of rl) {
    const line = rawLine.trim();
    try {
      if (QUIT_WORDS.has(line.toLowerCase())) {
        write('Your answers are saved; run npm start again to pick up where you left off.');
        break;
      }
      if (/^ask\b/i.test(line) && parseText(options.service.knowledge, line, null).kind !== 'command') {
        const question = line.replace(/^ask\s*/i, '');
        write('');
        write(renderAsk(askKnowledge(options.service.knowledge, question), style));
      } else if (/^(help|\?|commands)$/i.test(line)) {
        await send({ type: 'help' });
        write(TERMINAL_HELP);
      } else if (line !== '') {
        await send({ type: 'text', text: rawLine });
      }
    } catch (error) {
      log.error({ err: error }, 'terminal turn failed');
      write('Something went wrong saving that answer; nothing was lost. Please try again.');
    }
    prompt();
  }
  rl.close();
}
