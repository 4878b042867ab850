/**
 * Issue 10, part 6: Discord sharding. The real program (`node bin/start.js`)
 * with DISCORD_SHARDS=auto asks the stand-in for the recommended count (2),
 * and discord.js's ShardingManager forks two real shard processes over one
 * SQLite file. The stand-in's gateway routes each guild's events to the shard
 * that owns it, as Discord does. Two interviews in two guilds on different
 * shards run at the same time; one shard process is then killed, restarted by
 * the manager, and its interview goes on; SIGTERM on the manager stops both
 * shards gracefully, finishing the turn in flight. Every answer is recorded
 * once and every thread shows its live question.
 *
 * The shards share the store the run chose (tests/support/test-store.ts): a
 * SQLite file, or, in the e2e-postgres project, a PostgreSQL database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCustomId, resolveRef } from '../../adapters/discord/custom-id.ts';
import type { Session } from '../../src/conversation/types.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { openTestStore, postgresTestDatabase, testStoreKind } from '../support/test-store.ts';
import { components, firstEmbed, testKnowledge } from './harness/bot-under-test.ts';
import { discordErrors, FakeDiscord, type FakeUser, type FakeWorld, type InteractionPayload, type StoredMessage } from './harness/fake-discord.ts';
import { shardOfGuild } from './harness/fake-gateway.ts';
import { GuildActions, guildIdOnShard, guildWorld } from './harness/guilds.ts';
import { alive, ShardedAdvisor } from './harness/shard-processes.ts';

const EPHEMERAL = 64;
const SHARDS = 2;

let fake: FakeDiscord;
let folder: string;
let databasePath: string;
/** The test's own connection to the shards' store, for reading what they recorded. */
let store: SessionStore;
let advisor: ShardedAdvisor;
let second: FakeWorld;
let startedMs = 0;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  fake.rest.recommendedShards = SHARDS;
  // Discord's larger bots may identify 16 shards at once; the manager then spaces the shards by 5.5 s / 16.
  fake.rest.maxConcurrency = 16;
  // A second guild on the other shard than the world's own.
  second = guildWorld(fake.world, guildIdOnShard(1 - shardOfGuild(fake.world.guild.id, SHARDS), SHARDS), 'Second Server');
  fake.addGuild(second);
  folder = mkdtempSync(join(tmpdir(), 'advisor-shards-'));
  databasePath = join(folder, 'advisor.db');
  store = await openTestStore({ share: databasePath });
  const database = testStoreKind() === 'postgres' ? { url: (await postgresTestDatabase()).url } : databasePath;
  const began = Date.now();
  advisor = ShardedAdvisor.start({ token: fake.token, applicationId: fake.world.applicationId, apiUrl: fake.apiUrl, shards: 'auto', database, cwd: folder });
  await advisor.ready(SHARDS);
  startedMs = Date.now() - began;
}, 60_000);

afterAll(async () => {
  await advisor?.stop('SIGKILL');
  await store?.close();
  await fake?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

interface Interview {
  guild: GuildActions;
  user: FakeUser;
  shard: number;
  threadId: string;
  interactions: InteractionPayload[];
  answers: number;
}

const criterionIds = (): string[] => testKnowledge().criteria.map((c) => c.id);

/** The thread's newest public message with answer controls: the live question. */
function liveQuestion(threadId: string): StoredMessage | undefined {
  return fake
    .messagesIn(threadId)
    .filter((m) => (m.flags & EPHEMERAL) === 0 && components(m).some((c) => ['select', 'answer'].includes(parseCustomId(c.custom_id)?.kind ?? '')))
    .at(-1);
}

function describeThread(threadId: string): string {
  return fake
    .messagesIn(threadId)
    .map((m) => `  ${m.id} flags=${m.flags} ${JSON.stringify(m.content).slice(0, 80)} [${(m.embeds as { title?: string }[]).map((e) => e.title).join('|')}] {${components(m).map((c) => parseCustomId(c.custom_id)?.kind ?? c.custom_id).join(',')}}`)
    .join('\n');
}

async function expectHandled(interview: Interview, interaction: InteractionPayload): Promise<number> {
  interview.interactions.push(interaction);
  const line = await advisor.handled(interaction.id);
  expect(line['outcome']).toBe('ok');
  expect(line['shard']).toBe(interview.shard);
  return Number(line['pid']);
}

async function startInterview(guild: GuildActions, user: FakeUser): Promise<Interview> {
  const shard = shardOfGuild(guild.world.guild.id, SHARDS);
  const interview: Interview = { guild, user, shard, threadId: '', interactions: [], answers: 0 };
  const start = guild.slash(user, 'start');
  await expectHandled(interview, start);
  interview.threadId = fake.rest.interactions.get(start.id)?.originalMessageId ?? '';
  expect(fake.rest.channels.get(interview.threadId)?.guild_id).toBe(guild.world.guild.id);
  return interview;
}

/**
 * Answers the live question: every other one with its first option (select or
 * button), the others with Skip ("don't know", recorded like an answer), so
 * the verdict stays open. Should the result be offered anyway, "continue"
 * first. Resolves with the pid of the shard process that handled the answer.
 */
async function answer(interview: Interview): Promise<number> {
  const { guild, user, threadId } = interview;
  if (!liveQuestion(threadId)) {
    const offer = fake.messagesIn(threadId).at(-1);
    const refine = offer && components(offer).find((c) => parseCustomId(c.custom_id)?.kind === 'refine');
    if (!offer || !refine) throw new Error(`no live question in ${threadId}:\n${describeThread(threadId)}`);
    await expectHandled(interview, guild.click(user, offer, refine.custom_id));
  }
  const live = liveQuestion(threadId);
  if (!live) throw new Error(`no live question in ${threadId}:\n${describeThread(threadId)}`);
  const controls = components(live);
  const control = (kind: string) => controls.find((c) => parseCustomId(c.custom_id)?.kind === kind);
  const select = control('select');
  const button = control('answer');
  const skip = control('skip');
  const interaction =
    interview.answers % 2 === 1 && skip
      ? guild.click(user, live, skip.custom_id)
      : select
        ? guild.select(user, live, select.custom_id, [select.options![0]!.value])
        : guild.click(user, live, button!.custom_id);
  const pid = await expectHandled(interview, interaction);
  interview.answers += 1;
  return pid;
}

async function answerTimes(interview: Interview, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) await answer(interview);
}

async function storedSession(interview: Interview): Promise<Session | undefined> {
  const key = { platform: 'discord', workspace: interview.guild.world.guild.id, conversation: interview.threadId, user: interview.user.id };
  return (await store.load(key))?.session;
}

/** 0 lost and 0 doubled answers, each interaction answered once, the live question the stored one, nothing posted twice. */
async function expectIntact(interview: Interview): Promise<void> {
  const session = await storedSession(interview);
  expect(session?.history).toHaveLength(interview.answers);
  expect(new Set(session?.history).size).toBe(interview.answers);
  expect(Object.keys(session?.answers ?? {})).toHaveLength(interview.answers);
  for (const interaction of interview.interactions) {
    expect(advisor.handledLines(interaction.id)).toHaveLength(1);
    expect(fake.callbacksFor(interaction)).toHaveLength(1);
  }
  expect(session?.phase).toBe('asking');
  const live = liveQuestion(interview.threadId);
  expect(live).toBeDefined();
  const actions = components(live!).flatMap((c) => parseCustomId(c.custom_id) ?? []);
  expect(new Set(actions.map((a) => a.version))).toEqual(new Set([session?.version]));
  const asked = actions.flatMap((a) => (a.kind === 'select' || a.kind === 'answer') && a.criterion ? [resolveRef(a.criterion, criterionIds())] : []);
  expect(new Set(asked)).toEqual(new Set([session?.current]));
  expect(firstEmbed(live!).footer?.text).toContain(`Question ${session?.shown?.number}`);
  // Only the newest question carries answer controls, and no message was posted twice.
  const withControls = fake.messagesIn(interview.threadId).filter((m) => (m.flags & EPHEMERAL) === 0 && components(m).length > 0);
  expect(withControls.map((m) => m.id)).toEqual([live!.id]);
  const posted = fake.messagesIn(interview.threadId).map((m) => JSON.stringify([m.content, m.embeds, m.components]));
  expect(new Set(posted).size).toBe(posted.length);
}

describe('DISCORD_SHARDS=auto under the ShardingManager', () => {
  let a: Interview;
  let b: Interview;

  test('the manager reads the recommended count through DISCORD_API_URL and forks one process per shard, each identifying as its shard', async () => {
    expect(fake.requests.filter((r) => r.route === 'gatewayBot').length).toBeGreaterThanOrEqual(1 + SHARDS);
    const shards = fake.gateway.identifies.map((i) => i.shard);
    expect(shards).toEqual(expect.arrayContaining([[0, SHARDS], [1, SHARDS]]));
    expect(shards).toHaveLength(SHARDS);
    const pids = [0, 1].map((shard) => advisor.pidOf(shard));
    expect(new Set(pids).size).toBe(SHARDS);
    expect(pids).not.toContain(advisor.child.pid);
    // The manager itself never connects to the gateway: two identifies, one per shard process.
    expect(advisor.lines.filter((l) => l.msg === 'discord bot ready')).toHaveLength(SHARDS);
    // The manager logs it once its own start-up (cleanup, sweep, background work) is done, which may follow the shards' ready lines.
    const started = await advisor.waitFor((l) => l.msg === 'advisor started', 'the manager to start');
    expect(started?.['platforms']).toEqual(['discord-shards']);
    expect(String(started?.['database'])).toMatch(testStoreKind() === 'postgres' ? /^postgres/ : /advisor\.db$/);
    console.info(`sharded start-up (manager + ${SHARDS} shard processes ready): ${startedMs} ms`);
  });

  test('two interviews in two guilds on different shards run at the same time; each guild is served by its own shard', async () => {
    const [ia, ib] = await Promise.all([startInterview(new GuildActions(fake, fake.world), fake.world.alice), startInterview(new GuildActions(fake, second), fake.world.bob)]);
    a = ia;
    b = ib;
    expect(a.shard).not.toBe(b.shard);
    await Promise.all([answerTimes(a, 3), answerTimes(b, 3)]);
    await expectIntact(a);
    await expectIntact(b);
  });

  test('a shard process that dies is restarted by the manager, and its interview goes on where it was', async () => {
    const oldPid = advisor.pidOf(b.shard);
    const readiesBefore = fake.gateway.readies.length;
    const linesBefore = advisor.lines.length;
    process.kill(oldPid, 'SIGKILL');
    await fake.gateway.whenShardReady(b.shard, readiesBefore);
    const ready = await advisor.waitFor((l) => l.msg === 'discord bot ready' && l['shard'] === b.shard, 'the restarted shard', linesBefore);
    expect(ready['pid']).not.toBe(oldPid);
    expect(alive(oldPid)).toBe(false);

    const pid = await answer(b);
    expect(pid).toBe(ready['pid']);
    await Promise.all([answer(a), answer(b)]);
    await expectIntact(a);
    await expectIntact(b);
  });

  test('SIGTERM on the manager: the turn in flight finishes and is sent, both shards stop cleanly, the manager exits 0', async () => {
    const pids = [0, 1].map((shard) => advisor.pidOf(shard));
    const live = liveQuestion(a.threadId)!;
    const before = fake.messagesIn(a.threadId).length;
    // The next question's post is held up by a short rate limit (discord.js waits it out), so SIGTERM finds the turn in flight.
    const inThread = (r: { route: string; params: Record<string, string> }): boolean => r.route === 'channelMessageCreate' && r.params['channelId'] === a.threadId;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === a.threadId, ...discordErrors.rateLimited(0.5) });
    const answering = answer(a);
    const clicked = a.interactions.at(-1)!;
    const limited = await fake.waitForRequest((r) => inThread(r) && r.status === 429, 'the next question to be rate limited');
    const exit = advisor.stop('SIGTERM');
    await answering;
    expect(await exit).toBe(0);
    // The shard was told to stop before its turn had finished, and the post went out after all.
    const stopping = advisor.lines.findIndex((l) => l.msg === 'stopping discord shard' && l['shard'] === a.shard);
    const handled = advisor.lines.findIndex((l) => l.msg === 'interaction handled' && l['interactionId'] === clicked.id);
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(stopping).toBeLessThan(handled);
    expect(fake.requests.some((r) => inThread(r) && r.status === 200 && r.seq > limited.seq)).toBe(true);

    for (const pid of pids) {
      expect(alive(pid)).toBe(false);
      expect(advisor.lines.some((l) => l.msg === 'stopping discord shard' && l['pid'] === pid && l['reason'] === 'SIGTERM')).toBe(true);
      expect(advisor.lines.some((l) => l.msg === 'discord bot stopped' && l['pid'] === pid)).toBe(true);
    }
    expect(advisor.lines.some((l) => l.msg === 'discord shards stopped')).toBe(true);
    // Nothing failed on the way: no Discord call, no sweep of another shard's guild; the one warning is the restart.
    expect(advisor.lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual(['discord shard process ended; starting it again']);
    expect(advisor.text).toEqual([]);
    expect(fake.messagesIn(a.threadId).length).toBeGreaterThan(before);
    expect(liveQuestion(a.threadId)?.id).not.toBe(live.id);
    expect(await store.pendingOutboxCount()).toBe(0);
    await expectIntact(a);
    await expectIntact(b);
  });
});
