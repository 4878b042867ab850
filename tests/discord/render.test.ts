/**
 * The layout of the core's view models as Discord payloads, at Discord's
 * limits: button/select thresholds, 5 rows of 5, 25 options per select,
 * 80-character labels, 100-character custom ids, embed sizes.
 */
import { describe, expect, test } from 'vitest';
import { parseCustomId } from '../../adapters/discord/custom-id.ts';
import { DISCORD_LIMITS, embedLength } from '../../adapters/discord/limits.ts';
import { renderContent, typeAnswerModal, type ActionRow, type DiscordMessage } from '../../adapters/discord/render.ts';
import { detailsReplies } from '../../src/conversation/details-view.ts';
import type { DetailsReply, QuestionReply, RecommendationReply, RecommendationView, Reply } from '../../src/conversation/types.ts';
import { recommend } from '../../src/engine/recommend.ts';
import type { AskAnswer } from '../../src/engine/ask-types.ts';
import { testKnowledge } from './harness/bot-under-test.ts';

const owner = '123456789012345678';
const context = { knowledge: testKnowledge(), owner };
const rendered = (reply: Reply): DiscordMessage => renderContent({ kind: 'reply', reply, owner, controls: true }, context.knowledge);
const questionMessage = rendered;
const recommendationMessage = rendered;
const askMessage = (answer: AskAnswer): DiscordMessage => renderContent({ kind: 'ask', answer }, context.knowledge);

function question(optionCount: number, overrides: Partial<QuestionReply> = {}): QuestionReply {
  return {
    kind: 'question',
    criterion: 'project_type',
    title: 'Project type',
    question: 'What kind of project are you building?',
    options: Array.from({ length: optionCount }, (_, i) => ({ id: `option_${i}`, label: `Option ${i}` })),
    progress: { answered: 0, remaining: 16, questionNumber: 1, settled: false, text: 'Question 1 · verdict not settled yet' },
    canGoBack: true,
    version: 7,
    ...overrides,
  };
}

type AnyComponent = { type: number; custom_id?: string; label?: string; options?: { label: string; value: string; default?: boolean }[]; style?: number };
function rows(message: DiscordMessage): AnyComponent[][] {
  return (message.components ?? []).map((row: ActionRow) => row.components as AnyComponent[]);
}

function assertWithinComponentLimits(message: DiscordMessage): void {
  const all = rows(message);
  expect(all.length).toBeLessThanOrEqual(DISCORD_LIMITS.actionRows);
  const ids = new Set<string>();
  for (const row of all) {
    expect(row.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonsPerRow);
    for (const component of row) {
      expect(component.custom_id!.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
      expect(ids.has(component.custom_id!)).toBe(false);
      ids.add(component.custom_id!);
      if (component.label) expect(component.label.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonLabel);
      if (component.options) expect(component.options.length).toBeLessThanOrEqual(DISCORD_LIMITS.selectOptions);
    }
  }
}

describe('question messages', () => {
  test('five options are buttons, six are a select; controls stay one row of five', () => {
    const five = rows(questionMessage(question(5)));
    expect(five).toHaveLength(2);
    expect(five[0]!.every((c) => c.type === 2)).toBe(true);
    expect(five[1]!.map((c) => c.label)).toEqual(['Back', 'Skip', 'Why?', 'See result', 'Type an answer']);
    const six = rows(questionMessage(question(6)));
    expect(six[0]).toEqual([expect.objectContaining({ type: 3 })]);
    expect(six[0]![0]!.options).toHaveLength(6);
  });

  test('Back is left out on the first question', () => {
    const first = rows(questionMessage(question(2, { canGoBack: false })));
    expect(first[1]!.map((c) => c.label)).toEqual(['Skip', 'Why?', 'See result', 'Type an answer']);
  });

  test('25 options fit one select; 26 spill into a second select with its own custom id; 100 options still fit 4 selects + controls', () => {
    expect(rows(questionMessage(question(25)))[0]![0]!.options).toHaveLength(25);
    const spilled = questionMessage(question(26));
    expect(rows(spilled).slice(0, 2).map((row) => row[0]!.options!.length)).toEqual([25, 1]);
    expect(parseCustomId(rows(spilled)[1]![0]!.custom_id!)).toMatchObject({ kind: 'select', group: 1 });
    const hundred = questionMessage(question(100));
    expect(rows(hundred)).toHaveLength(5);
    for (const message of [spilled, hundred, questionMessage(question(5))]) assertWithinComponentLimits(message);
  });

  test('an 81-character option label is cut to 80 with an ellipsis; the current answer is highlighted', () => {
    const long = question(2, { currentAnswer: { id: 'option_1', label: 'Option 1' } });
    long.options[0] = { id: 'option_0', label: 'x'.repeat(81) };
    const [options] = rows(questionMessage(long));
    expect(options![0]!.label).toHaveLength(80);
    expect(options![0]!.label!.endsWith('…')).toBe(true);
    expect(options!.map((c) => c.style)).toEqual([1, 3]);
  });

  test('ids too long for a custom id fall back to indexes, and every control still parses', () => {
    const reply = question(3, { criterion: 'project_type' });
    reply.options = reply.options.map((o, i) => ({ ...o, id: `${'o'.repeat(90)}${i}` }));
    const message = questionMessage(reply);
    assertWithinComponentLimits(message);
    const answer = parseCustomId(rows(message)[0]![0]!.custom_id!);
    expect(answer).toMatchObject({ kind: 'answer', owner, version: 7, criterion: '#0', option: '#0' });
  });

  test('the hint and the progress are shown', () => {
    const embed = questionMessage(question(2, { hint: "I didn't catch that." })).embeds![0]!;
    expect(embed.description).toContain("I didn't catch that.");
    expect(embed.footer?.text).toBe('Question 1 · verdict not settled yet');
  });

  test('the Type an answer modal stays within the modal limits', () => {
    const modal = typeAnswerModal(context, { criterion: 'project_type', title: 'T'.repeat(60), question: 'Q'.repeat(200), version: 3 });
    expect(modal.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.modalTitle);
    const label = modal.components[0] as { label: string; description: string; component: { max_length: number } };
    expect(label.label.length).toBeLessThanOrEqual(DISCORD_LIMITS.labelText);
    expect(label.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.labelDescription);
    expect(label.component.max_length).toBeLessThanOrEqual(DISCORD_LIMITS.textInputValue);
    expect(parseCustomId(modal.custom_id)).toMatchObject({ kind: 'modal', criterion: 'project_type', version: 3 });
  });
});

function hugeView(): RecommendationView {
  const long = 'Django ships an admin interface, an ORM and authentication. '.repeat(40);
  return {
    winner: 'django',
    winnerName: 'Django',
    headline: 'Django is the better fit for this project '.repeat(10),
    confidence: 'medium',
    confidenceText: long,
    decided: false,
    bars: [
      { framework: 'django', name: 'Django', score: 12, share: 0.75, bar: '████████░░' },
      { framework: 'flask', name: 'Flask', score: 4, share: 0.25, bar: '██░░░░░░░░' },
    ],
    reasons: Array.from({ length: 12 }, (_, i) => ({
      criterion: `c${i}`,
      title: `Criterion ${i}`,
      answer: 'Yes',
      favours: 'django',
      favoursName: 'Django',
      pointsText: '+3 Django',
      text: long,
      sources: ['USSLLC: Choosing Your Python Web Framework', 'STX Next: Flask vs. Django'],
    })),
    caveats: Array.from({ length: 10 }, (_, i) => ({ kind: 'dispute' as const, title: `Sources disagree ${i}`, text: long })),
    flips: Array.from({ length: 5 }, () => long.slice(0, 300)),
    basis: 'Based on 12 answers; 4 questions left unanswered.',
    keyAnswers: Array.from({ length: 40 }, (_, i) => `Criterion ${i}: a fairly long answer label number ${i}`),
    sources: Array.from({ length: 30 }, (_, i) => `Source number ${i} with a long label`),
  };
}

describe('recommendation, summary and ask', () => {
  test('an oversized recommendation is fitted into one embed of at most 6000 characters and 25 fields, the strongest reasons first', () => {
    const reply: RecommendationReply = { kind: 'recommendation', view: hugeView(), canRefine: true, version: 9 };
    const message = recommendationMessage(reply);
    const embed = message.embeds![0]!;
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(embed.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedTitle);
    expect(embed.fields!.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFields);
    expect(embed.fields![0]!.name).toMatch(/^For Django(?: \(\d+ of \d+ reasons\))?$/);
    expect(embed.fields![0]!.value).toMatch(/^• Criterion 0: Yes \(\+3 Django\)\n/);
    for (const field of embed.fields!) expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFieldValue);
    assertWithinComponentLimits(message);
    expect(rows(message)[0]!.map((c) => c.label)).toEqual(['Keep refining', 'Start over', 'Details', 'Post to channel']);
  });

  test('Keep refining is offered only when there is something left to answer', () => {
    const message = recommendationMessage({ kind: 'recommendation', view: hugeView(), canRefine: false, version: 9 });
    expect(rows(message)[0]!.map((c) => c.label)).toEqual(['Start over', 'Details', 'Post to channel']);
  });

  test('the summary names who asked, links the thread and stays compact', () => {
    const thread = { platform: 'discord', workspace: '111111111111111111', conversation: '222222222222222222' };
    const message = renderContent({ kind: 'summary', owner, view: hugeView(), thread }, context.knowledge);
    const embed = message.embeds![0]!;
    expect(embed.url).toBe('https://discord.com/channels/111111111111111111/222222222222222222');
    expect(message.content).toContain(`<@${owner}>`);
    expect(embed.description).toContain(`(${embed.url})`);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(message.components).toBeUndefined();
  });

  test('an ask answer with many long items fits, with its sources in the footer', () => {
    const item = { text: 'Flask has no ORM of its own. '.repeat(60), sources: ['USSLLC'], correction: 'Today: see the docs. '.repeat(20) };
    const message = askMessage({ question: 'orm? '.repeat(200), found: true, headline: 'What the sources say about orm:', items: Array.from({ length: 5 }, () => item), caveats: ['Sources disagree about speed (A; B)'], sources: ['USSLLC'] });
    const embed = message.embeds![0]!;
    expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(embed.footer?.text).toBe('Sources: USSLLC');
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  });
});

describe('details pages', () => {
  const knowledge = context.knowledge;
  const profiles = [0, 1, 2, 3].map((shift) =>
    Object.fromEntries(knowledge.criteria.map((c, i) => [c.id, c.options[(i + shift) % c.options.length]!.id])),
  );

  test('every page of real details is one embed within the limits, nothing cut: a long reason goes on in an unnamed field', () => {
    for (const answers of profiles) {
      for (const page of detailsReplies(knowledge, recommend(knowledge, answers))) {
        const message = rendered(page);
        const embed = message.embeds![0]!;
        expect(message.embeds).toHaveLength(1);
        expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
        expect(embed.fields!.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFields);
        for (const field of embed.fields!) {
          expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFieldValue);
          expect(field.value.endsWith('…')).toBe(false);
        }
        const named = embed.fields!.filter((f) => f.name !== '\u200b');
        expect(named).toHaveLength(page.sections.reduce((n, s) => n + s.items.length, 0));
        expect(message.components).toBeUndefined();
        expect(embed.title).toBe(page.title);
      }
    }
  });

  test('a page far past every limit is still fitted into one embed', () => {
    const long = 'A claim with its sources. '.repeat(200);
    const huge: DetailsReply = {
      kind: 'details',
      title: long,
      sections: Array.from({ length: 8 }, () => ({ heading: long.slice(0, 300), items: Array.from({ length: 8 }, () => ({ title: long.slice(0, 300), text: long, sources: [long.slice(0, 2000)] })) })),
      sources: Array.from({ length: 40 }, () => long.slice(0, 200)),
      page: 1,
      pages: 1,
    };
    const embed = rendered(huge).embeds![0]!;
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(embed.fields!.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFields);
  });
});
