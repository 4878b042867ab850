/**
 * Every kind of the turn layer's `Content` as a Discord message: the core's
 * words with Discord's mention syntax, controls only where the message is
 * live, and every payload within Discord's limits.
 */
import { describe, expect, test } from 'vitest';
import { parseCustomId } from '../../adapters/discord/custom-id.ts';
import { DISCORD_LIMITS, embedLength } from '../../adapters/discord/limits.ts';
import { forEdit, renderContent, type DiscordMessage } from '../../adapters/discord/render.ts';
import { askKnowledge } from '../../src/engine/ask.ts';
import { helpReply, recommendationFor } from '../../src/conversation/views.ts';
import type { QuestionReply } from '../../src/conversation/types.ts';
import type { Content, ThreadKey } from '../../src/turns/types.ts';
import { testKnowledge } from './harness/bot-under-test.ts';

const knowledge = testKnowledge();
const owner = '123456789012345678';
const thread: ThreadKey = { platform: 'discord', workspace: '111111111111111111', conversation: '222222222222222222' };
const question: QuestionReply = {
  kind: 'question',
  criterion: 'architecture',
  title: 'Architecture',
  question: 'One application or many services?',
  options: [
    { id: 'monolith', label: 'One application (monolith)' },
    { id: 'microservices', label: 'Many small services' },
  ],
  progress: { answered: 1, remaining: 5, questionNumber: 2, settled: false, text: 'Question 2' },
  canGoBack: true,
  version: 4,
};
const view = recommendationFor(knowledge, { project_type: 'api', admin_panel: 'yes' });

function render(content: Content): DiscordMessage {
  return renderContent(content, knowledge);
}

function customIds(message: DiscordMessage): string[] {
  return (message.components ?? []).flatMap((row) => row.components.map((c) => ('custom_id' in c ? c.custom_id : '')));
}

function assertFits(message: DiscordMessage): void {
  expect((message.content ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
  const total = (message.embeds ?? []).reduce((sum, embed) => sum + embedLength(embed), 0);
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  expect((message.components ?? []).length).toBeLessThanOrEqual(DISCORD_LIMITS.actionRows);
  for (const id of customIds(message)) expect(id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
}

const ALL: Record<Content['kind'], Content> = {
  reply: { kind: 'reply', reply: question, owner, controls: true },
  ask: { kind: 'ask', answer: askKnowledge(knowledge, 'does flask have an ORM?'), asker: owner },
  help: { kind: 'help', reply: helpReply(), lead: 'frobnicate' },
  turnNotice: { kind: 'turnNotice', notice: { code: 'not_owner', owner } },
  threadParent: { kind: 'threadParent', owner },
  sharePicker: { kind: 'sharePicker', owner, version: 7, attempt: 2 },
  shared: { kind: 'shared', owner, channel: '333333333333333333' },
  summary: { kind: 'summary', owner, view, thread, threadMessage: 'delivery#0' },
  notice: { kind: 'notice', notice: { kind: 'notice', code: 'stale', text: 'That button is from an earlier step, so nothing changed.' } },
};

describe('renderContent', () => {
  test.each(Object.entries(ALL))('%s fits Discord', (_kind, content) => {
    assertFits(render(content));
  });

  test('a live question carries its owner and version in every control; retired, the same question has none', () => {
    const live = render(ALL.reply);
    const ids = customIds(live).map(parseCustomId);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatchObject({ owner, version: 4 });
    const retired = render({ ...ALL.reply, controls: false } as Content);
    expect(forEdit(retired).components).toEqual([]);
    expect(retired.embeds).toEqual(live.embeds);
  });

  test("the turn layer's notices use Discord's mention, channel and command syntax", () => {
    expect(render(ALL.turnNotice).content).toBe(`This interview is <@${owner}>'s; start your own with \`/advisor start\`.`);
    expect(render(ALL.threadParent).content).toContain(`<@${owner}>`);
    expect(render(ALL.shared).content).toBe(`<@${owner}> posted the summary to <#333333333333333333>`);
    expect(render(ALL.help).content).toContain('frobnicate');
  });

  test('the channel picker is a text-channel select for the owner; the summary links to the thread', () => {
    const picker = render(ALL.sharePicker);
    expect(picker.content).toContain('which channel');
    const [select] = picker.components![0]!.components as unknown as { type: number; custom_id: string; channel_types: number[] }[];
    expect(select).toMatchObject({ type: 8, channel_types: [0] });
    expect(parseCustomId(select!.custom_id)).toMatchObject({ kind: 'shareTo', owner, version: 7 });
    expect(render(ALL.summary).embeds![0]!.url).toBe(`https://discord.com/channels/${thread.workspace}/${thread.conversation}`);
  });

  test('an edit replaces everything: a picker turned into "posted to" loses its select, a record loses its buttons', () => {
    expect(forEdit(render(ALL.shared))).toMatchObject({ embeds: [], components: [] });
    expect(forEdit(render({ ...ALL.reply, controls: false } as Content))).toMatchObject({ content: '', components: [] });
  });
});
