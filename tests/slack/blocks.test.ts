/**
 * The Block Kit layouts stay within Slack's limits however large the view
 * models get, escape everything that came from outside, and keep their
 * controls when content is cut.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_BUTTONS, limitBlocks, renderContent, section, type SlackMessage } from '../../adapters/slack/blocks.ts';
import { escapeText } from '../../adapters/slack/escape.ts';
import { detailsReplies } from '../../src/conversation/details-view.ts';
import type { DetailsReply, QuestionReply, RecommendationReply, RecommendationView, Reply } from '../../src/conversation/types.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import { blockKitViolations } from './harness/block-kit-rules.ts';
import { controls, readableText } from './harness/recorded.ts';

const long = (n: number, unit = 'word & <b> '): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

function question(options: number, labelLength = 20): QuestionReply {
  return {
    kind: 'question',
    criterion: 'team_size',
    title: long(200),
    question: long(5000),
    options: Array.from({ length: options }, (_, i) => ({ id: `option_${i}`, label: `${i} ${long(labelLength)}` })),
    progress: { answered: 1, remaining: 3, questionNumber: 2, settled: false, text: 'Question 2 · verdict not settled yet' },
    canGoBack: true,
    version: 7,
    hint: long(4000),
  };
}

function view(size: number): RecommendationView {
  return {
    winner: 'django',
    winnerName: 'Django',
    headline: long(400),
    confidence: 'low',
    confidenceText: long(4000),
    decided: false,
    bars: [
      { framework: 'django', name: 'Django', score: 12, share: 0.6, bar: '██████░░░░' },
      { framework: 'flask', name: 'Flask', score: 8, share: 0.4, bar: '████░░░░░░' },
    ],
    reasons: Array.from({ length: size }, (_, i) => ({
      criterion: `c${i}`,
      title: long(300),
      answer: long(300),
      favours: 'django',
      favoursName: 'Django',
      pointsText: '+3 Django',
      text: long(5000),
      sources: Array.from({ length: 30 }, (_, s) => `Source ${s} ${long(100)}`),
    })),
    caveats: Array.from({ length: size }, () => ({ kind: 'dispute' as const, title: long(300), text: long(5000) })),
    flips: Array.from({ length: size }, () => long(2000)),
    basis: long(3000),
    keyAnswers: Array.from({ length: size }, (_, i) => `Key ${i}: ${long(500)}`),
    sources: [],
  };
}

const rendered = (reply: Reply): SlackMessage => renderContent({ kind: 'reply', reply, owner: 'U0ALICE', controls: true });
const questionMessage = rendered;
const recommendationMessage = rendered;

/** Every mrkdwn text in a message (Slack parses markup there; plain_text it shows as typed). */
function mrkdwnTexts(message: SlackMessage): string[] {
  const found: string[] = [message.text];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      const object = value as Record<string, unknown>;
      if (object['type'] === 'mrkdwn' && typeof object['text'] === 'string') found.push(object['text']);
      Object.values(object).forEach(visit);
    }
  };
  visit(message.blocks);
  return found;
}

function assertSafe(message: SlackMessage): void {
  expect(blockKitViolations(message)).toEqual([]);
  // In mrkdwn, every "<" is markup the adapter built (mentions, links), never input.
  for (const text of mrkdwnTexts(message)) expect(text).not.toContain('<b>');
}

describe('question messages', () => {
  it(`up to ${MAX_ANSWER_BUTTONS} options are buttons carrying criterion, option and version`, () => {
    const message = questionMessage(question(MAX_ANSWER_BUTTONS));
    const answers = controls(message.blocks as never).filter((c) => c.actionId.startsWith('advisor:answer'));
    expect(answers.map((c) => c.type)).toEqual(Array(MAX_ANSWER_BUTTONS).fill('button'));
    expect(answers[0]!.value).toBe('7|team_size|option_0');
    expect(new Set(answers.map((c) => c.actionId)).size).toBe(MAX_ANSWER_BUTTONS);
    assertSafe(message);
  });

  it('more options become a static select; beyond 100 the list is cut to 100', () => {
    const six = questionMessage(question(MAX_ANSWER_BUTTONS + 1));
    expect(controls(six.blocks as never).filter((c) => c.type === 'static_select')).toHaveLength(1);
    const many = questionMessage(question(150, 200));
    const select = controls(many.blocks as never).find((c) => c.type === 'static_select')!;
    expect(select.options).toHaveLength(100);
    assertSafe(many);
  });

  it('huge titles, questions, hints and labels are cut to the limits, escaped', () => {
    const message = questionMessage(question(3, 500));
    assertSafe(message);
    expect(readableText(message.blocks as never)).toContain('&amp;');
  });
});

describe('recommendation cards', () => {
  it('stay within 50 blocks and every text limit, and always keep their buttons', () => {
    const reply: RecommendationReply = { kind: 'recommendation', view: view(60), canRefine: true, version: 9 };
    const message = recommendationMessage(reply);
    assertSafe(message);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.blocks.at(-1)?.type).toBe('actions');
    expect(controls(message.blocks as never).map((c) => c.caption)).toEqual(['Keep refining', 'Start over', 'Details', 'Post to channel']);
  });

  it('limitBlocks caps any message at 50 blocks and says how many were left out', () => {
    const many = Array.from({ length: 60 }, (_, i) => section(`block ${i}`));
    const capped = limitBlocks(many);
    expect(capped).toHaveLength(50);
    expect(readableText(capped.slice(-1) as never)).toBe('… 11 more not shown');
    expect(limitBlocks(many.slice(0, 50))).toHaveLength(50);
  });

  it('a small card shows headline, bars, the reasons per framework, caveats and flips; sources wait for Details', () => {
    const small = view(1);
    small.headline = 'Django leads so far';
    small.reasons[0] = { ...small.reasons[0]!, title: 'Admin panel', answer: 'Yes' };
    const message = recommendationMessage({ kind: 'recommendation', view: small, canRefine: false, version: 2 });
    const text = readableText(message.blocks as never);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Django leads so far', emoji: true } });
    expect(text).toContain('`██████░░░░` *Django* 12');
    expect(text).toContain('*For Django*');
    expect(text).toContain('• Admin panel: Yes (+3 Django)');
    expect(text).not.toContain('Sources: Source 0');
    expect(text).toContain('*Caveats*');
    expect(text).toContain('*What would change it*');
    expect(controls(message.blocks as never).map((c) => c.caption)).toEqual(['Start over', 'Details', 'Post to channel']);
  });
});

describe('other messages', () => {
  it('why, answered records, summaries and knowledge answers stay within limits', () => {
    assertSafe(rendered({ kind: 'why', criterion: 'x', title: long(500), why: long(5000), impacts: Array.from({ length: 40 }, () => long(3000)), sources: [long(5000)] }));
    assertSafe(rendered({ kind: 'answered', criterion: 'x', title: long(500), question: long(5000), answer: { id: 'a', label: long(500) }, understoodFrom: long(5000) }));
    const thread = { platform: 'slack', workspace: 'T0TEAM', conversation: 'C0GENERAL:1700000000.000001' };
    const summary = renderContent({ kind: 'summary', owner: 'U0ALICE', view: view(40), thread }, { threadChannel: 'C0GENERAL', permalink: 'https://x.slack.com/archives/C0GENERAL/p1' });
    assertSafe(summary);
    expect(readableText(summary.blocks as never)).toContain('<https://x.slack.com/archives/C0GENERAL/p1|See the whole interview>');
    assertSafe(
      renderContent({
        kind: 'ask',
        asker: 'U0ALICE',
        answer: {
          question: long(3000),
          found: true,
          headline: long(3000),
          items: Array.from({ length: 80 }, () => ({ text: long(4000), sources: [long(2000)], correction: long(2000) })),
          caveats: Array.from({ length: 30 }, () => long(2000)),
          sources: Array.from({ length: 100 }, () => long(200)),
        },
      }),
    );
  });

  it('a retired message keeps its words and loses every control', () => {
    const live = questionMessage(question(3));
    const retired = renderContent({ kind: 'reply', reply: question(3), owner: 'U0ALICE', controls: false });
    expect(controls(retired.blocks as never)).toEqual([]);
    expect(retired.blocks).toEqual(live.blocks.filter((block) => block.type !== 'actions'));
  });

  it('an answered record has no controls and quotes what was typed, escaped', () => {
    const message = rendered({ kind: 'answered', criterion: 'x', title: 'Team size', question: 'How many?', answer: { id: 'small', label: 'Small team' }, understoodFrom: '<!channel> 3 devs' });
    expect(controls(message.blocks as never)).toEqual([]);
    expect(readableText(message.blocks as never)).toContain('_“&lt;!channel&gt; 3 devs”_');
  });
});

describe('details pages', () => {
  const knowledge = loadKnowledge();
  const profiles = [0, 1, 2, 3].map((shift) =>
    Object.fromEntries(knowledge.criteria.map((c, i) => [c.id, c.options[(i + shift) % c.options.length]!.id])),
  );

  it('every page of real details fits one message with nothing cut, each reason a section with its sources', () => {
    for (const answers of profiles) {
      for (const page of detailsReplies(knowledge, recommend(knowledge, answers))) {
        const message = rendered(page);
        assertSafe(message);
        const text = readableText(message.blocks as never);
        expect(text).not.toMatch(/more not shown|…$/m);
        expect(controls(message.blocks as never)).toEqual([]);
        for (const item of page.sections.flatMap((s) => s.items)) expect(text).toContain(escapeText(item.title ?? item.text).slice(0, 60));
      }
    }
  });

  it('a page far past every limit is still cut to fit, saying how much was left out', () => {
    const huge: DetailsReply = {
      kind: 'details',
      title: long(400),
      sections: Array.from({ length: 10 }, () => ({ heading: long(300), items: Array.from({ length: 10 }, () => ({ title: long(300), text: long(5000), sources: [long(4000)] })) })),
      sources: Array.from({ length: 50 }, () => long(300)),
      page: 1,
      pages: 1,
    };
    const message = rendered(huge);
    assertSafe(message);
    expect(readableText(message.blocks as never)).toMatch(/more not shown/);
  });
});
