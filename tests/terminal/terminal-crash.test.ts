/**
 * The terminal after a run that was killed between committing a turn and
 * printing it (or in the middle of printing): the next run resumes at the
 * question the interview is on, prints it once, and leaves nothing in the outbox.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { plainStyle } from '../../src/render/text.ts';
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
  await killed.accept(LINE, { kind: 'text', text: 'content site' });
  await store.claimOutbox(LINE.thread, { now: Date.now(), leaseMs: 60_000, owner: `terminal:${USER}` });
  expect(await store.pendingOutboxCount()).toBeGreaterThan(0);

  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => (text += chunk));
  input.end();
  await runTerminal({ store, knowledge, logger: silentLogger(), ttlMs: TTL, input, output, interactive: false, user: USER });

  const architecture = knowledge.criterionById.get('architecture')!.question;
  expect(text).toMatch(new RegExp(`^The advisor: .*\\n.*\\n\\nPicking up where you left off\\.\\n\\nQuestion 2 · verdict not settled yet\\n${architecture.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
  expect(text.split(architecture)).toHaveLength(2);
  expect(text).not.toContain(knowledge.criterionById.get('project_type')!.question);
  expect(await store.pendingOutboxCount()).toBe(0);
  expect((await store.load({ ...LINE.thread, user: USER }))?.session.answers).toEqual({ project_type: 'content_site' });
});
