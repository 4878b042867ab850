/**
 * Discord adapter benchmark: interview turns through a real discord.js client
 * against the loopback stand-in (REST + gateway on 127.0.0.1), with the
 * in-memory SQLite store. Each turn is a button or select click dispatched as
 * INTERACTION_CREATE; latency runs from the dispatch to the moment the
 * stand-in receives the interaction callback (the clock Discord's 3-second
 * rule runs on). Throughput counts fully handled turns (callback, follow-up,
 * stored message ids) per second.
 *
 * A turn makes two REST calls: the callback (exempt from discord.js's global
 * limiter) and a webhook follow-up (not exempt), so with discord.js's default
 * client-side limit of 50 requests/s throughput tops out near 50 turns/s; the
 * run with the limiter raised shows what the adapter itself can do. Client,
 * stand-in and core share one process: the figures include their contention
 * and no network.
 */
import { parseCustomId } from '../adapters/discord/custom-id.ts';
import { BotUnderTest, components } from '../tests/discord/harness/bot-under-test.ts';
import type { FakeUser, InteractionPayload } from '../tests/discord/harness/fake-discord.ts';
import { buttonClick, stringSelect } from '../tests/discord/harness/payloads.ts';

const CONCURRENT_INTERVIEWS = 8;
const RAISED_GLOBAL_LIMIT = 100_000;
const LIMITED_RUN_TURNS = 200;

interface RunStats {
  turns: number;
  perSecond: number;
  median: number;
  p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function benchUser(bot: BotUnderTest, index: number): FakeUser {
  if (index === 0) return bot.world.alice;
  return { ...bot.world.bob, id: (100_000_000_000_000_000n + BigInt(index)).toString(), username: `user${index}`, global_name: `User ${index}` };
}

/** The click that moves the interview on: the first option, or refine / start over at the end. Built, not yet dispatched. */
function nextClick(bot: BotUnderTest, threadId: string, user: FakeUser): InteractionPayload {
  const live = bot.liveMessage(threadId);
  const channel = bot.fake.channel(threadId);
  const controls = components(live);
  const byKind = (kind: string) => controls.find((c) => parseCustomId(c.custom_id)?.kind === kind);
  const select = byKind('select');
  if (select) return stringSelect(bot.world, { user, channel, message: live, customId: select.custom_id, values: [select.options![0]!.value] });
  const control = byKind('answer') ?? byKind('restart') ?? byKind('refine');
  if (!control) throw new Error(`nothing to click on message ${live.id}`);
  return buttonClick(bot.world, { user, channel, message: live, customId: control.custom_id });
}

async function turn(bot: BotUnderTest, threadId: string, user: FakeUser): Promise<number> {
  const interaction = nextClick(bot, threadId, user);
  const requestsBefore = bot.fake.requests.length;
  const linesBefore = bot.logs.lines.length;
  const dispatchedAt = performance.now();
  bot.fake.dispatchInteraction(interaction);
  const callback = await bot.fake.waitForRequest(
    (r) => r.route === 'interactionCallback' && r.params['interactionId'] === interaction.id,
    'the callback',
    requestsBefore,
  );
  const outcome = await bot.handled(interaction, linesBefore);
  if (outcome !== 'ok') throw new Error(`a bench turn ended with ${outcome}`);
  return callback.at - dispatchedAt;
}

async function measure(bot: BotUnderTest, interviews: number, turnsEach: number, firstUser: number): Promise<RunStats> {
  const users = Array.from({ length: interviews }, (_, i) => benchUser(bot, firstUser + i));
  const threads = await Promise.all(users.map(async (user) => (await bot.startInterview(user)).threadId));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    threads.map(async (threadId, i) => {
      for (let n = 0; n < turnsEach; n++) latencies.push(await turn(bot, threadId, users[i]!));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return { turns: sorted.length, perSecond: sorted.length / seconds, median: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

function line(label: string, stats: RunStats): string {
  return (
    `discord: ${label}: ${stats.perSecond.toFixed(0)} interactions/s over ${stats.turns} turns; ` +
    `INTERACTION_CREATE -> callback median ${stats.median.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms`
  );
}

async function withBot<T>(globalRequestsPerSecond: number | undefined, work: (bot: BotUnderTest) => Promise<T>): Promise<T> {
  const bot = await BotUnderTest.start({ logLevel: 'info', ...(globalRequestsPerSecond ? { globalRequestsPerSecond } : {}) });
  try {
    // Warm-up: JIT, prepared SQLite statements, discord.js caches.
    await measure(bot, 1, 10, 900);
    return await work(bot);
  } finally {
    await bot.stop();
    if (bot.errors.errors.length > 0) throw new AggregateError(bot.errors.errors, 'the Discord bench saw uncaught errors');
  }
}

export async function benchDiscord(options: { iterations: number }): Promise<string[]> {
  const iterations = Math.max(CONCURRENT_INTERVIEWS, Math.floor(options.iterations));
  const perInterview = Math.ceil(iterations / CONCURRENT_INTERVIEWS);
  // Under the default limiter the rate is known in advance (about 50/s), so a few hundred turns tell enough.
  const limited = Math.min(iterations, LIMITED_RUN_TURNS);
  const [sequential, concurrent] = await withBot(undefined, async (bot) => [
    await measure(bot, 1, limited, 1),
    await measure(bot, CONCURRENT_INTERVIEWS, Math.ceil(limited / CONCURRENT_INTERVIEWS), 100),
  ]);
  const [sequentialRaised, concurrentRaised] = await withBot(RAISED_GLOBAL_LIMIT, async (bot) => [
    await measure(bot, 1, iterations, 1),
    await measure(bot, CONCURRENT_INTERVIEWS, perInterview, 100),
  ]);
  return [
    'discord: interview turns (click -> record edit + next question) through discord.js against the loopback stand-in, in-memory SQLite',
    line('1 interview, default discord.js limiter (50 req/s)', sequential!),
    line(`${CONCURRENT_INTERVIEWS} interviews at once, default limiter`, concurrent!),
    line('1 interview, limiter raised', sequentialRaised!),
    line(`${CONCURRENT_INTERVIEWS} interviews at once, limiter raised`, concurrentRaised!),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const text of await benchDiscord({ iterations: Number(process.argv[2] ?? 200) })) process.stdout.write(`${text}\n`);
}
