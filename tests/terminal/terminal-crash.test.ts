/**
 * The terminal after a run that was killed between committing a turn and
 * printing it (or in the middle of printing): the next run resumes at the
 * question the interview is on, prints it once, and leaves nothing in the outbox.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { rankQuestions } from '../../src/engine/recommend.ts';
import { silentLogger } from '../../src/logger.ts';
import { plainStyle, wrapText } from '../../src/render/text.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { TurnService } from '../../src/turns/service.ts';
import type { Delivery } from '../../src/turns/types.ts';
import { runTerminal } from '../../adapters/terminal/terminal.ts';
import { TerminalPort } from '../../adapters/terminal/terminal-port.ts';
import { realKnowledge, tempDir } from '../support/conversation.ts';

const knowledge = realKnowledge();
const TTL = 24 * 3_600_000;
const USER = 'tester';
const LINE: Delivery = { thread: { platform: 'terminal', workspace: 'local', conversation: 'console' }, inThread: true, actor: USER };

let dir: ReturnType<typeof tempDir>;
let store: SqliteSessionStore;

beforeEach(() => {
  dir = tempDir('advisor-terminal-crash-');
  store = SqliteSessionStore.open(join(dir.path, 'sessions.db'));
});

afterEach(async () => {
  await store.close();
  dir.cleanup();
});

it('a run killed before printing its last turns: the next run prints the current question once, after "picking up"', async () => {
  // The killed run: two turns committed, nothing printed, and a claim on the entries from the moment it died.
  const killed = new TurnService({ store, knowledge, port: new TerminalPort(new PassThrough(), plainStyle), logger: silentLogger(), ttlMs: TTL, processId: `terminal:${USER}` });
  await killed.accept(LINE, { kind: 'start' });
  // The first question answered in words (its first option's label).
  const first = rankQuestions(knowledge, {})[0]!;
  const option = knowledge.criterionById.get(first)!.options[0]!;
  await killed.accept(LINE, { kind: 'text', text: option.label });
  await store.claimOutbox(LINE.thread, { now: Date.now(), leaseMs: 60_000, owner: `terminal:${USER}` });
  expect(await store.pendingOutboxCount()).toBeGreaterThan(0);

  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => (text += chunk));
  input.end();
  await runTerminal({ store, knowledge, logger: silentLogger(), ttlMs: TTL, input, output, interactive: false, user: USER });

  const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const second = rankQuestions(knowledge, { [first]: option.id })[0]!;
  const question = wrapText(knowledge.criterionById.get(second)!.question);
  const picking = wrapText('Picking up your unfinished interview (1 answer so far); type restart to start over.');
  expect(text).toMatch(new RegExp(`^The advisor: [\\s\\S]*?\\n\\n${escape(picking)}\\n\\nQuestion 2 · verdict not settled yet\\n${escape(question)}\\n`));
  expect(text.split(question)).toHaveLength(2);
  expect(text).not.toContain(wrapText(knowledge.criterionById.get(first)!.question));
  expect(await store.pendingOutboxCount()).toBe(0);
  expect((await store.load({ ...LINE.thread, user: USER }))?.session.answers).toEqual({ [first]: option.id });
});
