/**
 * The platform-neutral message plan: which controls each message offers (and
 * with what captions and values), what a retired message keeps, and the words
 * written with a platform's syntax.
 */
import { describe, expect, it } from 'vitest';
import type { QuestionReply, Reply } from '../../src/conversation/types.ts';
import { detailsReplies } from '../../src/conversation/details-view.ts';
import { helpReply, recommendationFor } from '../../src/conversation/views.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { planMessage, type MessagePlan, type PlanOptions } from '../../src/turns/message-plan.ts';
import type { Content } from '../../src/turns/types.ts';
import { realKnowledge } from '../support/conversation.ts';

const knowledge = realKnowledge();
const options: PlanOptions = {
  syntax: { mention: (user) => `@${user}`, channel: (channel) => `#${channel}`, startCommand: '/start' },
  escape: (text) => text.toUpperCase(),
  help: { commands: { heading: 'Commands', items: [{ command: '/start', text: 'start' }] }, typedHeading: 'Typed', footnote: 'Mention me' },
};
const question: QuestionReply = {
  kind: 'question',
  criterion: 'team_size',
  title: 'Team size',
  question: 'How many people?',
  options: [
    { id: 'solo', label: 'Just me' },
    { id: 'small', label: 'Small team' },
  ],
  currentAnswer: { id: 'small', label: 'Small team' },
  progress: { answered: 1, remaining: 3, questionNumber: 2, settled: false, text: 'Question 2' },
  canGoBack: true,
  version: 7,
  hint: "I didn't catch that.",
};

const plan = (content: Content): MessagePlan => planMessage(content, options);
const reply = (r: Reply, controls = true): MessagePlan => plan({ kind: 'reply', reply: r, owner: 'U1', controls });

describe('controls', () => {
  it('a live question offers its options and back, skip, why, result and typing, each carrying its version and criterion', () => {
    const live = reply(question);
    expect(live.answers).toEqual({ criterion: 'team_size', version: 7, options: question.options, current: 'small' });
    expect(live.controls.map((c) => [c.kind, c.caption])).toEqual([
      ['back', 'Back'],
      ['skip', 'Skip'],
      ['why', 'Why?'],
      ['result', 'See result'],
      ['typeAnswer', 'Type an answer'],
    ]);
    for (const control of live.controls) expect(control.value).toEqual({ version: 7, criterion: 'team_size' });
    expect(reply({ ...question, canGoBack: false }).controls.map((c) => c.kind)).not.toContain('back');
  });

  it('retired, the same question keeps its words and offers nothing', () => {
    const live = reply(question);
    const retired = reply(question, false);
    expect(retired.answers).toBeUndefined();
    expect(retired.controls).toEqual([]);
    expect(retired).toEqual({ ...live, answers: undefined, controls: [] });
    expect(retired).toMatchObject({ title: 'Team size', current: 'Small team', hint: "I didn't catch that.", footer: 'Question 2' });
  });

  it('a settled verdict offers the result first; a recommendation offers refining only while there is more to answer, details, and sharing', () => {
    const settled = reply({ kind: 'settled', text: 'Django it is', winnerName: 'Django', progress: question.progress, version: 3 });
    expect(settled.controls.map((c) => [c.kind, c.primary ?? false])).toEqual([
      ['result', true],
      ['refine', false],
    ]);
    const view = recommendationFor(knowledge, { project_type: 'api', admin_panel: 'yes' });
    const open = reply({ kind: 'recommendation', view, canRefine: true, version: 4 });
    expect(open.controls.map((c) => [c.kind, c.caption])).toEqual([
      ['refine', 'Keep refining'],
      ['restart', 'Start over'],
      ['details', 'Details'],
      ['share', 'Post to channel'],
    ]);
    expect(open.controls.every((c) => c.value.version === 4)).toBe(true);
    expect(reply({ kind: 'recommendation', view, canRefine: false, version: 4 }).controls.map((c) => c.kind)).toEqual(['restart', 'details', 'share']);
    // The compact result: one section per framework with its strongest reasons, then caveats and changes.
    // (Tied at 3 points each: the pack's order.)
    expect(open.sections.map((s) => s.heading)).toEqual(['For Django', 'For Flask', 'Caveats', 'What would change it']);
    expect(open.sections[0]!.items.map((i) => i.text)).toEqual(['Admin panel: Yes, from the start (+3 Django)']);
    expect(open.sections[1]!.items.map((i) => i.text)).toEqual(['Project type: API / backend service (+3 Flask)']);
  });

  it('the channel picker carries its version and attempt', () => {
    expect(plan({ kind: 'sharePicker', owner: 'U1', version: 5, attempt: 2 })).toMatchObject({ owner: 'U1', picker: { version: 5, attempt: 2 } });
  });
});

describe('words', () => {
  it("the turn layer's notices are written with the platform's syntax, and a person's own words go through its escaping", () => {
    expect(plan({ kind: 'turnNotice', notice: { code: 'not_owner', owner: 'U2' } }).lead).toBe("This interview is @U2's; start your own with /start.");
    expect(plan({ kind: 'turnNotice', notice: { code: 'unknown_subcommand', text: 'dance' } }).lead).toBe("I don't know “DANCE”.");
    expect(plan({ kind: 'shared', owner: 'U1', channel: 'C9' }).lead).toBe('@U1 posted the summary to #C9');
  });

  it("the help lists the platform's commands, then the typed ones, with its lead and footnote", () => {
    const help = plan({ kind: 'help', reply: helpReply(), lead: 'dance' });
    expect(help.lead).toContain('DANCE');
    expect(help.sections.map((s) => s.heading)).toEqual(['Commands', 'Typed']);
    expect(help.sections[1]!.items.map((i) => i.command)).toContain('back');
    expect(help.notes).toEqual(['Mention me']);
  });

  it('a summary names who asked and links back to its thread', () => {
    const thread = { platform: 'p', workspace: 'w', conversation: 'c' };
    const summary = plan({ kind: 'summary', owner: 'U1', view: recommendationFor(knowledge, { project_type: 'api' }), thread });
    expect(summary.lead).toContain('@U1');
    expect(summary.link).toEqual({ thread });
    expect(summary.controls).toEqual([]);
  });
});

describe('details', () => {
  it('a page of details is an info message of titled items with their sources, no controls, the sources last', () => {
    const pages = detailsReplies(knowledge, recommend(knowledge, { project_type: 'api', admin_panel: 'yes', scale: 'large' }));
    const last = reply(pages.at(-1)!);
    expect(last).toMatchObject({ tone: 'info', title: pages.at(-1)!.title, controls: [] });
    expect(last.sources.length).toBeGreaterThan(0);
    const first = reply(pages[0]!);
    expect(first.sections[0]!.heading).toMatch(/^For (Django|Flask) \(\d+ reasons?\)$/);
    expect(first.sections[0]!.items[0]).toMatchObject({ title: expect.stringMatching(/\(\+\d /), sources: expect.arrayContaining([expect.any(String)]) });
  });
});
