/**
 * The terminal front end: the same interview as Slack and Discord, on stdin/stdout,
 * through the same turn layer (a TurnService with a TerminalPort). Works both
 * interactively (prompt, colours) and with piped input (no prompt, plain text,
 * clean exit at end of input). Every turn is committed before it is printed, so
 * a killed process resumes where it was.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { resultIsFinal } from '../../src/conversation/views.ts';
import { recommend } from '../../src/engine/recommend.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Logger } from '../../src/logger.ts';
import { DEFAULT_WIDTH, ansiStyle, plainStyle, type TextStyle } from '../../src/render/text.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { TurnService } from '../../src/turns/service.ts';
import type { Delivery, Inbound } from '../../src/turns/types.ts';
import { TerminalPort } from './terminal-port.ts';

export interface TerminalOptions {
  store: SessionStore;
  knowledge: Knowledge;
  logger: Logger;
  /** Idle time after which an interview expires. */
  ttlMs: number;
  input?: Readable;
  output?: Writable;
  /** Defaults to the OS user, so each person on a machine has their own interview. */
  user?: string;
  /** Colours and a prompt; defaults to whether output is a TTY (and NO_COLOR is unset). */
  interactive?: boolean;
  clock?: () => number;
}

const QUIT_WORDS = new Set(['quit', 'exit', 'q', ':q', 'bye']);

function terminalUser(): string {
  try {
    return userInfo().username || 'local';
  } catch {
    return 'local';
  }
}

/** Runs the interview until the user quits or input ends. Resolves when done, with every turn printed. */
export async function runTerminal(options: TerminalOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const isTty = Boolean((output as Writable & { isTTY?: boolean }).isTTY);
  const interactive = options.interactive ?? (isTty && !process.env['NO_COLOR']);
  const style: TextStyle = interactive ? ansiStyle : plainStyle;
  const user = options.user ?? terminalUser();
  const log = options.logger.child({ adapter: 'terminal' });
  // Wrap to the terminal's width, read at every print (it can be resized); 80 columns when piped.
  const width = (): number => {
    const columns = (output as Writable & { columns?: number }).columns;
    return isTty && typeof columns === 'number' && columns > 0 ? columns : DEFAULT_WIDTH;
  };
  const port = new TerminalPort(output, style, width);
  const turns = new TurnService({
    store: options.store,
    knowledge: options.knowledge,
    port,
    logger: log,
    ttlMs: options.ttlMs,
    // One owner per person: a restarted terminal may take over what a killed one left half-printed at once.
    // Encoded: a `#` in a user name would read as one of the outbox's claim tokens (`<owner>#<n>`).
    processId: `terminal:${encodeURIComponent(user)}`,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // No delivery id: a terminal line is never delivered twice.
  const delivery: Delivery = { thread: { platform: 'terminal', workspace: 'local', conversation: 'console' }, inThread: true, actor: user };

  const rl = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  if (interactive) rl.setPrompt('> ');
  const prompt = (): void => {
    if (interactive) rl.prompt();
  };
  const send = async (inbound: Inbound): Promise<void> => {
    port.beginTurn();
    try {
      await turns.run(delivery, inbound);
    } catch (error) {
      log.error({ err: error }, 'terminal turn failed');
      port.line('Something went wrong saving that answer; nothing was lost. Please try again.');
    }
  };

  // What a killed run committed but did not print belongs to a screen that is gone; "picking up where you
  // left off" shows the question it ended on. Taken quietly, so the same question is not printed twice.
  port.mute(true);
  // Its claims too: that run is gone (a run of the same person would otherwise wait for them to lapse, and print nothing).
  await turns.outbox.takeOverEarlierRun(delivery.thread);
  await turns.outbox.drain(delivery.thread);
  port.mute(false);

  // What the next start will do, said truthfully: it picks an interview up, unless that one has ended.
  const farewell = async (): Promise<string> => {
    await turns.idle();
    const session = (await options.store.load({ ...delivery.thread, user }).catch(() => undefined))?.session;
    const phase = session?.phase;
    if (phase === 'result' && session && resultIsFinal(recommend(options.knowledge, session.answers))) return 'This interview has shown its result, so the next npm start begins a new one.';
    if (phase === 'cancelled') return 'This interview was cancelled, so the next npm start begins a new one.';
    if (session === undefined || Object.keys(session.answers).length === 0) return 'No answers yet; run npm start again whenever you are ready.';
    return 'Your answers are saved; run npm start again to pick up where you left off.';
  };

  port.line(style.bold('The advisor: choose a Python web framework, one question at a time.'));
  port.line(style.dim('Type help for commands, ask <question> to query the sources, quit to leave (an unfinished interview is kept).'));
  await send({ kind: 'start' });
  prompt();

  let quit = false;
  for await (const rawLine of rl) {
    const line = rawLine.trim();
    if (QUIT_WORDS.has(line.toLowerCase())) {
      quit = true;
      break;
    }
    // Everything else, `ask …` and help included, is the core's to understand.
    if (line !== '') await send({ kind: 'text', text: rawLine });
    prompt();
  }
  // Ctrl-D at the prompt leaves as quit does, on a line of its own; piped input just ends.
  if (quit || interactive) port.line(`${quit ? '' : '\n'}${await farewell()}`);
  rl.close();
  await turns.idle();
}
