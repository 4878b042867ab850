/**
 * The real adapter (a real discord.js Client) against the local stand-in, with
 * a TurnService on a fresh store (SQLite in memory or a file two bots share;
 * PostgreSQL with ADVISOR_TEST_STORE=postgres: tests/support/test-store.ts),
 * captured logs and an error watch. Tests get helpers to find the interview's
 * messages and controls in the stand-in's state, to read the store, and to
 * wait for the adapter to finish an interaction.
 */
import { expect } from 'vitest';
import { createDiscordBot, type DiscordBot, type DiscordBotOptions } from '../../../adapters/discord/start.ts';
import { parseCustomId, type ActionKind } from '../../../adapters/discord/custom-id.ts';
import type { DiscordLive } from '../../../adapters/discord/live.ts';
import type { Session, SessionKey } from '../../../src/conversation/types.ts';
import { loadKnowledge, type Knowledge } from '../../../src/knowledge/load.ts';
import type { SessionStore } from '../../../src/sessions/store.ts';
import { openTestStore } from '../../support/test-store.ts';
import type { TurnService } from '../../../src/turns/service.ts';
import type { ThreadKey, ThreadState } from '../../../src/turns/types.ts';
import { FakeDiscord, type FakeUser, type InteractionPayload, type StoredMessage } from './fake-discord.ts';
import { captureLogs, type LogCapture, type LogLine } from './log-capture.ts';
import { buttonClick, stringSelect } from './payloads.ts';
import { watchProcessErrors, type ErrorWatch } from './process-errors.ts';

let knowledgeCache: Knowledge | undefined;
export function testKnowledge(): Knowledge {
  knowledgeCache ??= loadKnowledge();
  return knowledgeCache;
}

export interface BotUnderTestOptions {
  messageContent?: boolean;
  ackBudgetMs?: number;
  restRetries?: number;
  globalRequestsPerSecond?: number;
  /** Log level of the captured logs (default debug). */
  logLevel?: 'debug' | 'info';
  ttlMs?: number;
  clock?: () => number;
  /**
   * A SQLite file instead of a private in-memory database (two bots on one
   * file are two processes sharing a store); with PostgreSQL, bots given the
   * same path share the test file's database.
   */
  databasePath?: string;
  /** Wraps the store the turn layer sees (a slow or failing one); `store` stays the real one, for assertions. */
  wrapStore?: (store: SessionStore) => SessionStore;
  /** Connects to a stand-in another bot already uses (it receives the same dispatches); left open on stop. */
  fake?: FakeDiscord;
}

export interface ComponentRef {
  type: number;
  custom_id: string;
  label?: string;
  options?: { label: string; value: string }[];
}

/** Bots started and not yet stopped by `stopStartedBots`. */
const running = new Set<BotUnderTest>();

/**
 * For `afterEach`: stops every bot a test started, and fails the test if discord.js
 * raised an uncaught error meanwhile (it fails silently on malformed payloads).
 */
export async function stopStartedBots(): Promise<void> {
  // Bots that borrowed another's stand-in stop first, so none loses its gateway while still running.
  const bots = [...running].sort((a, b) => Number(a.ownsFake) - Number(b.ownsFake));
  running.clear();
  for (const bot of bots) {
    await bot.stop();
    expect(bot.errors.errors).toEqual([]);
  }
}

export class BotUnderTest {
  private constructor(
    readonly fake: FakeDiscord,
    readonly bot: DiscordBot,
    readonly store: SessionStore,
    readonly logs: LogCapture,
    readonly errors: ErrorWatch,
    readonly ownsFake: boolean,
  ) {}

  static async start(options: BotUnderTestOptions = {}): Promise<BotUnderTest> {
    const errors = watchProcessErrors();
    const fake = options.fake ?? (await FakeDiscord.start());
    const logs = captureLogs(options.logLevel ?? 'debug');
    const store = await openTestStore({ ...(options.databasePath ? { share: options.databasePath } : {}), callerClock: options.clock !== undefined });
    const botOptions: DiscordBotOptions = {
      config: {
        token: fake.token,
        applicationId: fake.world.applicationId,
        guildId: fake.world.guild.id,
        apiUrl: fake.apiUrl,
        messageContent: options.messageContent ?? false,
      },
      store: options.wrapStore ? options.wrapStore(store) : store,
      knowledge: testKnowledge(),
      logger: logs.logger,
      ttlMs: options.ttlMs ?? 3_600_000,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.ackBudgetMs !== undefined ? { ackBudgetMs: options.ackBudgetMs } : {}),
      ...(options.restRetries !== undefined ? { restRetries: options.restRetries } : {}),
      ...(options.globalRequestsPerSecond !== undefined ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
    };
    const bot = createDiscordBot(botOptions);
    errors.watch(bot.client);
    errors.watch(bot.client, 'shardError');
    await bot.start();
    const started = new BotUnderTest(fake, bot, store, logs, errors, options.fake === undefined);
    running.add(started);
    return started;
  }

  /** Sessions as stored, read the way tests written against the old ConversationService read them. */
  readonly service = {
    get: async (key: SessionKey): Promise<Session | undefined> => (await this.store.load(key))?.session,
  };

  /** The turn layer behind the bot (its outbox can be swept by hand). */
  get turns(): TurnService<DiscordLive> {
    return this.bot.turns;
  }

  get world() {
    return this.fake.world;
  }

  async stop(): Promise<void> {
    try {
      await this.bot.stop();
    } finally {
      this.errors.stop();
      if (this.ownsFake) await this.fake.close();
      await this.store.close();
    }
  }

  /** Waits for the adapter's "interaction handled" line for this interaction and returns its outcome. */
  async handled(interaction: InteractionPayload, sinceLine = 0): Promise<string> {
    const line = await this.logs.waitFor(
      (l: LogLine) => l.msg === 'interaction handled' && l['interactionId'] === interaction.id,
      `interaction ${interaction.id} to be handled`,
      sinceLine,
    );
    return String(line['outcome']);
  }

  /** All "interaction handled" outcomes logged for this interaction id (two for a redelivery). */
  outcomes(interaction: InteractionPayload): string[] {
    return this.logs.lines.filter((l) => l.msg === 'interaction handled' && l['interactionId'] === interaction.id).map((l) => String(l['outcome']));
  }

  /** Starts an interview as `user` in #general; resolves with the thread id once the first question is posted. */
  async startInterview(user: FakeUser = this.world.alice): Promise<{ threadId: string; interaction: InteractionPayload }> {
    const since = this.fake.requests.length;
    const interaction = this.fake.slash(user, this.world.general, 'start');
    const outcome = await this.handled(interaction);
    if (outcome !== 'ok') throw new Error(`start did not succeed: ${outcome}`);
    // A thread started from a message takes the message's id: the reply to this interaction, or, when the
    // start was deferred (its commit outlasted the ack budget, as a slow store may), the message posted for it.
    const reply = this.fake.rest.interactions.get(interaction.id)?.originalMessageId;
    const posted = this.fake.requests.slice(since).find((r) => r.route === 'threadFromMessage')?.params['messageId'];
    const starter = [reply, posted].find((id) => id !== undefined && this.fake.rest.channels.has(id));
    if (!starter) throw new Error('no thread was created from the reply');
    return { threadId: starter, interaction };
  }

  key(threadId: string, user: FakeUser = this.world.alice): SessionKey {
    return { platform: 'discord', workspace: this.world.guild.id, conversation: threadId, user: user.id };
  }

  thread(threadId: string): ThreadKey {
    return { platform: 'discord', workspace: this.world.guild.id, conversation: threadId };
  }

  /** The interview `user` runs in the thread, as stored. */
  async session(threadId: string, user: FakeUser = this.world.alice): Promise<Session | undefined> {
    return (await this.store.load(this.key(threadId, user)))?.session;
  }

  /** The turn layer's record of the thread (live message, question messages). */
  async threadState(threadId: string): Promise<ThreadState | undefined> {
    return (await this.store.loadThread(this.thread(threadId)))?.state;
  }

  /** The Discord message id the outbox posted under `handle` in the thread. */
  messageIdOf(threadId: string, handle: string): Promise<string | undefined> {
    return this.store.messageIdOf(this.thread(threadId), handle);
  }

  /** The newest non-ephemeral message in the thread that carries interview controls (a channel picker is not one). */
  liveMessage(threadId: string): StoredMessage {
    const live = this.fake
      .messagesIn(threadId)
      .filter((m) => (m.flags & 64) === 0 && components(m).some((c) => parseCustomId(c.custom_id)?.kind !== 'shareTo'))
      .at(-1);
    if (!live) throw new Error(`no message with controls in thread ${threadId}`);
    return live;
  }

  /** The newest "Post to channel" picker in the thread. */
  pickerMessage(threadId: string): StoredMessage {
    const picker = this.fake
      .messagesIn(threadId)
      .filter((m) => components(m).some((c) => parseCustomId(c.custom_id)?.kind === 'shareTo'))
      .at(-1);
    if (!picker) throw new Error(`no channel picker in thread ${threadId}`);
    return picker;
  }

  /** Whose interview a message's controls belong to (the owner their custom ids carry). */
  controlsOwner(message: StoredMessage): string | undefined {
    const owners = new Set(components(message).map((c) => parseCustomId(c.custom_id)?.owner));
    if (owners.size !== 1) throw new Error(`message ${message.id} has controls of ${owners.size} owners`);
    return [...owners][0];
  }

  /**
   * The interaction of `user` answering the question on `message` with the option labelled
   * `label`, built but not sent: a click on its button, or its entry in the question's select
   * (whichever the question shows).
   */
  answerPayload(message: StoredMessage, label: string, user: FakeUser = this.world.alice): InteractionPayload {
    const channel = this.fake.channel(message.channel_id);
    const answers = components(message).filter((c) => ['answer', 'select'].includes(parseCustomId(c.custom_id)?.kind ?? ''));
    const button = answers.find((c) => parseCustomId(c.custom_id)?.kind === 'answer' && c.label === label);
    if (button) return buttonClick(this.world, { user, channel, message, customId: button.custom_id });
    for (const select of answers.filter((c) => parseCustomId(c.custom_id)?.kind === 'select')) {
      const option = select.options?.find((o) => o.label === label);
      if (option) return stringSelect(this.world, { user, channel, message, customId: select.custom_id, values: [option.value] });
    }
    throw new Error(`no answer "${label}" on message ${message.id}: ${answers.map((c) => c.label ?? c.options?.map((o) => o.label).join(', ')).join(', ')}`);
  }

  /** `user` answers the question on `message` with the option labelled `label` (see `answerPayload`). */
  answer(message: StoredMessage, label: string, user: FakeUser = this.world.alice): InteractionPayload {
    return this.fake.dispatchInteraction(this.answerPayload(message, label, user));
  }

  /** The control of `kind` on a message (optionally the one whose label is `label`). */
  control(message: StoredMessage, kind: ActionKind, label?: string): ComponentRef {
    const found = components(message).find((c) => parseCustomId(c.custom_id)?.kind === kind && (label === undefined || c.label === label));
    if (!found) throw new Error(`no ${kind}${label ? ` "${label}"` : ''} control on message ${message.id}: ${components(message).map((c) => c.label ?? c.custom_id).join(', ')}`);
    return found;
  }
}

/** Every component on a message (flattened out of its action rows). */
export function components(message: StoredMessage): ComponentRef[] {
  return (message.components as { components?: ComponentRef[] }[]).flatMap((row) => row.components ?? []);
}

/** The first embed of a message, loosely typed for assertions. */
export function firstEmbed(message: StoredMessage | { embeds?: unknown[] }): { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string }; url?: string } {
  const embed = (message.embeds ?? [])[0];
  if (!embed) throw new Error('message has no embed');
  return embed as ReturnType<typeof firstEmbed>;
}
