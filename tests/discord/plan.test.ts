/**
 * Where a turn's replies go in the thread: records, new live messages,
 * private notes, and restatements that are not posted twice.
 */
import { describe, expect, test } from 'vitest';
import { META_KEYS, metaAfter, planTurn } from '../../adapters/discord/plan.ts';
import type { AnsweredReply, NoticeReply, QuestionReply, Reply } from '../../src/conversation/types.ts';
import { testKnowledge } from './harness/bot-under-test.ts';

const context = { knowledge: testKnowledge(), owner: '123456789012345678' };
const where = { guildId: '111111111111111111', threadId: '222222222222222222' };

function question(criterion: string, version: number, extra: Partial<QuestionReply> = {}): QuestionReply {
  return {
    kind: 'question',
    criterion,
    title: criterion,
    question: `${criterion}?`,
    options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }],
    progress: { answered: 1, remaining: 3, questionNumber: 2, settled: false, text: 'Question 2' },
    canGoBack: true,
    version,
    ...extra,
  };
}
const answered = (criterion: string): AnsweredReply => ({ kind: 'answered', criterion, title: criterion, question: `${criterion}?`, answer: { id: 'yes', label: 'Yes' } });
const notice = (code: NoticeReply['code'], text: string): NoticeReply => ({ kind: 'notice', code, text });

function plan(replies: Reply[], meta: Record<string, string>) {
  return planTurn(context, { replies, meta, ...where });
}

describe('planTurn', () => {
  test('an answer turns its question into a record and posts the next question as the live message', () => {
    const meta = { 'q:admin_panel': 'm1', [META_KEYS.live]: 'm1', [META_KEYS.liveVersion]: '3' };
    const result = plan([answered('admin_panel'), question('database', 4)], meta);
    expect(result.edits).toHaveLength(1);
    expect(result.edits[0]).toMatchObject({ messageId: 'm1', message: { components: [] } });
    expect(result.posts).toEqual([expect.objectContaining({ criterion: 'database', live: true, version: 4 })]);
    expect(result.notes).toEqual([]);
    expect(metaAfter(result.posts, ['m2'])).toEqual({ 'q:database': 'm2', live: 'm2', liveVersion: '4' });
  });

  test('the previous live message loses its controls when a new one is posted without an answer (Back)', () => {
    const result = plan([question('admin_panel', 5)], { live: 'm2', liveVersion: '4' });
    expect(result.edits).toEqual([{ messageId: 'm2', message: { components: [] } }]);
  });

  test('a stale click: the notice is private and the open question is not posted again', () => {
    const result = plan([notice('stale', 'That button is from an earlier step, so nothing changed.'), question('database', 4)], { live: 'm2', liveVersion: '4' });
    expect(result.posts).toEqual([]);
    expect(result.edits).toEqual([]);
    expect(result.notes).toEqual([{ content: 'That button is from an earlier step, so nothing changed.' }]);
  });

  test('a restatement with nothing to say links to the live message', () => {
    const result = plan([question('database', 4)], { live: 'm2', liveVersion: '4' });
    expect(result.notes).toEqual([{ content: 'https://discord.com/channels/111111111111111111/222222222222222222/m2' }]);
  });

  test('a hint on an unchanged question is private', () => {
    const result = plan([question('database', 4, { hint: "I didn't catch that." })], { live: 'm2', liveVersion: '4' });
    expect(result.notes).toEqual([{ content: "I didn't catch that." }]);
    expect(result.posts).toEqual([]);
  });

  test('notices that go with a change are posted in the thread, in order', () => {
    const result = plan([answered('team_size'), answered('admin_panel'), notice('recorded_several', 'Got several answers from that.'), question('database', 6)], { live: 'm2', liveVersion: '5' });
    expect(result.posts.map((p) => p.live)).toEqual([false, true]);
    expect(result.posts[0]!.message.content).toBe('Got several answers from that.');
  });

  test('a lost post is not remembered, so the next restatement is posted again', () => {
    const posts = plan([question('database', 4)], {}).posts;
    expect(metaAfter(posts, [undefined])).toEqual({});
    expect(plan([question('database', 4)], {}).posts).toHaveLength(1);
  });

  test('Why? is private', () => {
    const result = plan([{ kind: 'why', criterion: 'database', title: 'Database', why: 'Because.', impacts: ['Yes: +3 Django'], sources: ['USSLLC'] }], { live: 'm2', liveVersion: '4' });
    expect(result.posts).toEqual([]);
    expect(result.notes).toHaveLength(1);
  });
});
