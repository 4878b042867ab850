/**
 * Issue 8: INTERACTION_CREATE payloads discord.js cannot build an Interaction
 * from used to throw inside the gateway handler and end the process (Slack's
 * bot with it). Through the real client and the stand-in gateway: each
 * malformed shape is dropped with one warning naming the field, nothing
 * escapes as an uncaught error (the shared teardown checks), and the next
 * valid interaction is served as usual.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { checkInteractionPayload } from '../../adapters/discord/packet-guard.ts';
import { BotUnderTest, stopStartedBots } from './harness/bot-under-test.ts';
import type { InteractionPayload, StoredMessage } from './harness/fake-discord.ts';
import type { LogLine } from './harness/log-capture.ts';
import { buttonClick, channelSelect, modalSubmit, slashCommand, stringSelect } from './harness/payloads.ts';
import { ChannelTypes, createWorld, type FakeWorld } from './harness/world.ts';
import { FIRST, FIRST_ANSWER } from './harness/first-question.ts';

type RawPayload = Record<string, unknown>;

const DROPPED = 'dropped a malformed INTERACTION_CREATE';
const UNBUILDABLE = 'discord.js could not build an interaction; dropped it';
const WARN = 40;

/** A deep copy of a well-formed payload, as a plain record to break. */
function raw(payload: InteractionPayload): RawPayload {
  return structuredClone({ ...payload }) as RawPayload;
}

function record(value: unknown): RawPayload {
  if (typeof value !== 'object' || value === null) throw new Error('expected an object');
  return value as RawPayload;
}

interface MalformedCase {
  name: string;
  /** The field the warning must name. */
  field: string;
  /** Which valid interaction it is a broken copy of (and which one follows it). */
  kind: 'command' | 'component' | 'modal';
  breakIt(payload: RawPayload): void;
}

const CASES: MalformedCase[] = [
  { name: '`member` missing', field: 'member', kind: 'command', breakIt: (p) => delete p['member'] },
  { name: '`member.user` missing', field: 'member.user', kind: 'command', breakIt: (p) => delete record(p['member'])['user'] },
  { name: '`data` missing', field: 'data', kind: 'command', breakIt: (p) => delete p['data'] },
  { name: '`message` missing on a component interaction', field: 'message', kind: 'component', breakIt: (p) => delete p['message'] },
  { name: '`entitlements` missing', field: 'entitlements', kind: 'command', breakIt: (p) => delete p['entitlements'] },
  {
    name: '`authorizing_integration_owners` missing',
    field: 'authorizing_integration_owners',
    kind: 'command',
    breakIt: (p) => delete p['authorizing_integration_owners'],
  },
  { name: '`app_permissions` not a number', field: 'app_permissions', kind: 'command', breakIt: (p) => (p['app_permissions'] = 'not-a-number') },
  { name: 'modal submit with `components: null`', field: 'data.components', kind: 'modal', breakIt: (p) => (record(p['data'])['components'] = null) },
];

let t: BotUnderTest;
afterEach(stopStartedBots);

function droppedLine(id: string): (line: LogLine) => boolean {
  return (line) => line.msg === DROPPED && line['interactionId'] === id;
}

/** Nothing was done for the dropped interaction: no handler run, no callback, no error past the guard. */
function expectIgnored(id: string): void {
  expect(t.logs.lines.filter((l) => l.msg === 'interaction handled' && l['interactionId'] === id)).toEqual([]);
  expect(t.fake.requests.filter((r) => r.params['interactionId'] === id)).toEqual([]);
  expect(t.logs.lines.filter((l) => l.msg === UNBUILDABLE)).toEqual([]);
  expect(t.errors.errors).toEqual([]);
}

/** Starts an interview as Alice and returns its first question. */
async function firstQuestion(): Promise<{ threadId: string; q1: StoredMessage }> {
  const { threadId } = await t.startInterview();
  const q1 = t.liveMessage(threadId);
  return { threadId, q1 };
}

/** Clicks "Type an answer" on a question; returns the modal's custom id and its text input's. */
async function openModal(question: StoredMessage): Promise<{ modalId: string; inputId: string }> {
  const open = t.fake.click(t.world.alice, question, t.control(question, 'typeAnswer').custom_id);
  expect(await t.handled(open)).toBe('ok');
  const body = t.fake.callbacksFor(open)[0]?.body as { type: number; data: { custom_id: string; components: { component: { custom_id: string } }[] } } | undefined;
  expect(body?.type).toBe(9);
  const inputId = body?.data.components[0]?.component.custom_id;
  if (!body || !inputId) throw new Error('the modal callback has no text input');
  return { modalId: body.data.custom_id, inputId };
}

describe('malformed INTERACTION_CREATE payloads are dropped and the bot keeps serving', () => {
  test.each(CASES)('$name', async ({ field, kind, breakIt }) => {
    t = await BotUnderTest.start();
    const { world, fake } = t;

    if (kind === 'command') {
      const broken = raw(slashCommand(world, { user: world.alice, channel: world.general, subcommand: 'help' }));
      breakIt(broken);
      const sent = fake.dispatchRawInteraction(broken);
      const warning = await t.logs.waitFor(droppedLine(String(sent['id'])), `the drop warning for ${field}`);
      expect(warning).toMatchObject({ level: WARN, platform: 'discord', interactionType: 2, field });

      const help = fake.slash(world.alice, world.general, 'help');
      expect(await t.handled(help)).toBe('ok');
      expect(fake.callbacksFor(help)[0]?.body).toMatchObject({ type: 4, data: { flags: 64 } });
      expectIgnored(String(sent['id']));
      return;
    }

    const { threadId, q1 } = await firstQuestion();
    if (kind === 'component') {
      // A broken copy of answering the first question (with the control it shows: a button or its select).
      const broken = raw(t.answerPayload(q1, FIRST_ANSWER.label));
      breakIt(broken);
      const sent = fake.dispatchRawInteraction(broken);
      const warning = await t.logs.waitFor(droppedLine(String(sent['id'])), `the drop warning for ${field}`);
      expect(warning).toMatchObject({ level: WARN, interactionType: 3, field });
      expect((await t.service.get(t.key(threadId)))?.answers).toEqual({});

      const choose = t.answer(q1, FIRST_ANSWER.label);
      expect(await t.handled(choose)).toBe('ok');
      expect((await t.service.get(t.key(threadId)))?.answers).toEqual({ [FIRST]: FIRST_ANSWER.id });
      expectIgnored(String(sent['id']));
      return;
    }

    const { modalId, inputId } = await openModal(q1);
    const broken = raw(modalSubmit(world, { user: world.alice, channel: fake.channel(threadId), message: q1, customId: modalId, fields: { [inputId]: 'an API' } }));
    breakIt(broken);
    const sent = fake.dispatchRawInteraction(broken);
    const warning = await t.logs.waitFor(droppedLine(String(sent['id'])), `the drop warning for ${field}`);
    expect(warning).toMatchObject({ level: WARN, interactionType: 5, field });

    const submit = fake.submitModal(world.alice, q1, modalId, { [inputId]: 'a JSON API for a mobile app' });
    expect(await t.handled(submit)).toBe('ok');
    expect(fake.callbacksFor(submit)).toHaveLength(1);
    expectIgnored(String(sent['id']));
  });

  test('eight malformed payloads in a row, then a whole /advisor start is served', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    const { threadId, q1 } = await firstQuestion();
    const sent = CASES.map(({ kind, breakIt }) => {
      const base =
        kind === 'command'
          ? slashCommand(world, { user: world.bob, channel: world.general, subcommand: 'start' })
          : kind === 'component'
            ? buttonClick(world, { user: world.alice, channel: fake.channel(threadId), message: q1, customId: t.control(q1, 'skip').custom_id })
            : modalSubmit(world, { user: world.alice, channel: fake.channel(threadId), message: q1, customId: 'x', fields: { answer: 'x' } });
      const broken = raw(base);
      breakIt(broken);
      return fake.dispatchRawInteraction(broken);
    });
    for (const payload of sent) await t.logs.waitFor(droppedLine(String(payload['id'])), 'a drop warning');
    expect(t.logs.lines.filter((l) => l.msg === DROPPED)).toHaveLength(CASES.length);

    const { threadId: bobThread } = await t.startInterview(world.bob);
    expect(t.liveMessage(bobThread)).toBeDefined();
    for (const payload of sent) expectIgnored(String(payload['id']));
  });
});

describe('what the guard lets through', () => {
  test('a DM interaction (user, no member, no guild) reaches the handler and is refused politely', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    const dm = raw(slashCommand(world, { user: world.alice, channel: world.general, subcommand: 'start' }));
    const dmChannel = { id: '1111111111111111111', type: 1, flags: 0 };
    delete dm['member'];
    delete dm['guild_id'];
    Object.assign(dm, { user: world.alice, channel: dmChannel, channel_id: dmChannel.id, context: 1, authorizing_integration_owners: { '1': world.alice.id } });
    const sent = fake.dispatchRawInteraction(dm);
    expect(await t.handled(sent as unknown as InteractionPayload)).toBe('not_in_guild');
    expect(fake.callbacksFor(sent as unknown as InteractionPayload)[0]?.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(t.logs.lines.filter((l) => l.msg === DROPPED)).toEqual([]);
  });

  test('a payload the schema passes but discord.js still cannot build is logged and dropped, not fatal', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    // GuildMember turns `flags` into a bitfield; a non-numeric string throws there (a field the schema leaves alone).
    const odd = raw(slashCommand(world, { user: world.alice, channel: world.general, subcommand: 'help' }));
    record(odd['member'])['flags'] = 'garbage';
    expect(checkInteractionPayload(odd)).toEqual({ ok: true });
    const sent = fake.dispatchRawInteraction(odd);
    const line = await t.logs.waitFor((l) => l.msg === UNBUILDABLE && l['interactionId'] === sent['id'], 'the backstop error');
    expect(line['level']).toBe(50);

    const help = fake.slash(world.alice, world.general, 'help');
    expect(await t.handled(help)).toBe('ok');
    expect(t.errors.errors).toEqual([]);
  });
});

describe('checkInteractionPayload', () => {
  const world: FakeWorld = createWorld();
  const thread = { id: '2222222222222222222', type: ChannelTypes.PublicThread, name: 'interview', guild_id: world.guild.id, parent_id: world.general.id };
  const message: StoredMessage = {
    id: '3333333333333333333',
    channel_id: thread.id,
    author: world.bot,
    content: '',
    embeds: [],
    components: [],
    flags: 0,
  } as unknown as StoredMessage;
  const valid: Record<string, InteractionPayload> = {
    'slash command': slashCommand(world, { user: world.alice, channel: world.general, subcommand: 'ask', strings: { question: 'ORM?' } }),
    'button in a guild thread': buttonClick(world, { user: world.alice, channel: thread, message, customId: 'b' }),
    'string select': stringSelect(world, { user: world.alice, channel: thread, message, customId: 's', values: ['api'] }),
    'channel select': channelSelect(world, { user: world.alice, channel: thread, message, customId: 'c', selected: world.announcements }),
    'modal submit': modalSubmit(world, { user: world.alice, channel: thread, message, customId: 'm', fields: { answer: 'x' } }),
  };

  test.each(Object.entries(valid))('accepts a well-formed %s', (_name, payload) => {
    expect(checkInteractionPayload(payload)).toEqual({ ok: true });
  });

  test('accepts what discord.js tolerates: no app_permissions, an unknown interaction type, extra fields', () => {
    const noPermissions = raw(valid['slash command']!);
    delete noPermissions['app_permissions'];
    expect(checkInteractionPayload(noPermissions)).toEqual({ ok: true });
    expect(checkInteractionPayload({ ...raw(valid['slash command']!), type: 99, data: undefined, future_field: { x: 1 } })).toEqual({ ok: true });
  });

  test.each(CASES)('rejects $name, naming $field', ({ field, kind, breakIt }) => {
    const payload = raw(kind === 'command' ? valid['slash command']! : kind === 'component' ? valid['button in a guild thread']! : valid['modal submit']!);
    breakIt(payload);
    const check = checkInteractionPayload(payload);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problems[0]?.field).toBe(field);
  });

  test('rejects payloads that are not objects at all', () => {
    expect(checkInteractionPayload(null).ok).toBe(false);
    expect(checkInteractionPayload('INTERACTION_CREATE').ok).toBe(false);
  });
});
