/**
 * The thread invariant, property-tested: after any sequence of turns (clicks
 * on the live message or on old ones, typed text, controls carrying current or
 * stale versions, a bystander, process restarts, and crashes between commit
 * and send followed by a sweep), the thread has exactly one message with live
 * controls, it shows the interview's current state and version, and nothing
 * is left in the outbox.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ConversationEvent } from '../../src/conversation/types.ts';
import type { TurnService } from '../../src/turns/service.ts';
import type { Inbound } from '../../src/turns/types.ts';
import { THREAD, control, delivery, liveMessage, makeWorld, replyOf, start, storedSession, text, type World } from './harness.ts';

/** Replaced for each run of the property. */
let world: World;

beforeEach(() => {
  world = makeWorld();
});

afterEach(async () => {
  await world.close();
});

const TYPED = [
  '1',
  '2',
  '3',
  'skip',
  'back',
  'why',
  'result',
  'continue',
  'restart',
  'cancel',
  'start',
  'help',
  'change team size',
  'ask does flask have an orm?',
  'qwertyuiop',
  'solo dev building a small REST API',
  'we use postgres',
  'content site, one codebase, batteries included, high traffic, we know django',
];

const CONTROLS = ['skip', 'back', 'why', 'result', 'refine', 'restart', 'cancel'] as const;

type Step =
  | { kind: 'clickLive'; pick: number; staleBy: number }
  | { kind: 'clickOld'; pick: number; option: number }
  | { kind: 'control'; type: (typeof CONTROLS)[number]; staleBy: number }
  | { kind: 'text'; text: string }
  | { kind: 'bystander'; text: string }
  | { kind: 'restartProcess' }
  | { kind: 'crash'; text: string };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('clickLive' as const), pick: fc.nat(9), staleBy: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(3)) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clickOld' as const), pick: fc.nat(50), option: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('control' as const), type: fc.constantFrom(...CONTROLS), staleBy: fc.oneof(fc.constant(0), fc.nat(2)) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.constantFrom(...TYPED) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bystander' as const), text: fc.constantFrom(...TYPED) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restartProcess' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), text: fc.constantFrom(...TYPED) }) },
);

/** What clicking the live message does, given what it shows. */
function clickOnLive(step: Extract<Step, { kind: 'clickLive' }>): ConversationEvent | undefined {
  const reply = replyOf(liveMessage(world.port));
  if (!reply) return undefined;
  if (reply.kind === 'question') {
    const options = [...reply.options.map((o) => o.id), 'skip'];
    return { type: 'answer', criterion: reply.criterion, option: options[step.pick % options.length]!, version: reply.version - step.staleBy };
  }
  if (reply.kind === 'settled') return step.pick % 2 === 0 ? { type: 'result', version: reply.version - step.staleBy } : { type: 'refine', version: reply.version - step.staleBy };
  if (reply.kind === 'recommendation') return step.pick % 2 === 0 ? { type: 'restart', version: reply.version - step.staleBy } : { type: 'refine', version: reply.version - step.staleBy };
  return undefined;
}

/** A click on some earlier question message, as its buttons would send it. */
function clickOnOld(step: Extract<Step, { kind: 'clickOld' }>): ConversationEvent | undefined {
  const questions = world.port.thread(THREAD).flatMap((m) => {
    const reply = replyOf(m);
    return reply?.kind === 'question' ? [reply] : [];
  });
  const reply = questions[step.pick % Math.max(1, questions.length)];
  if (!reply) return undefined;
  const option = reply.options[step.option % reply.options.length]!.id;
  return { type: 'answer', criterion: reply.criterion, option, version: reply.version };
}

async function currentVersion(): Promise<number> {
  return (await storedSession(world))?.version ?? 0;
}

async function apply(turns: TurnService<string>, step: Step): Promise<TurnService<string>> {
  switch (step.kind) {
    case 'clickLive': {
      const event = clickOnLive(step);
      if (event) await turns.run(delivery(), control(event));
      return turns;
    }
    case 'clickOld': {
      const event = clickOnOld(step);
      if (event) await turns.run(delivery(), control(event));
      return turns;
    }
    case 'control': {
      const version = (await currentVersion()) - step.staleBy;
      const event: ConversationEvent = step.type === 'why' ? { type: 'why' } : { type: step.type, version };
      await turns.run(delivery(), control(event));
      return turns;
    }
    case 'text':
      await turns.run(delivery(), text(step.text));
      return turns;
    case 'bystander':
      await turns.run(delivery({ actor: 'U2' }), text(step.text));
      return turns;
    case 'restartProcess':
      return world.service();
    case 'crash': {
      // Committed, then the process dies before sending anything; the next one sweeps at start-up.
      const inbound: Inbound = text(step.text);
      await turns.accept(delivery(), inbound);
      const next = world.service();
      await next.outbox.sweep();
      return next;
    }
  }
}

async function checkThread(): Promise<void> {
  const live = liveMessage(world.port);
  const reply = replyOf(live);
  const session = await storedSession(world);
  expect(session).toBeDefined();
  if (session!.phase === 'asking') expect(reply).toMatchObject({ kind: 'question', criterion: session!.current, version: session!.version });
  if (session!.phase === 'settled') expect(reply).toMatchObject({ kind: 'settled', version: session!.version });
  // After the result, an answer that keeps the verdict is shown as a short update (a 'settled' reply) instead of the whole result again.
  if (session!.phase === 'result') expect(reply).toMatchObject({ kind: expect.stringMatching(/^(recommendation|settled)$/), version: session!.version });
  expect(await world.openStore().pendingOutboxCount()).toBe(0);
}

it('exactly one message in the thread has live controls, whatever happens', { timeout: 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 25 }), async (steps) => {
      // A fresh database and platform for each run.
      await world.close();
      world = makeWorld();
      let turns = world.service();
      await turns.run(delivery(), start);
      await checkThread();
      for (const step of steps) {
        turns = await apply(turns, step);
        await checkThread();
      }
    }),
    { numRuns: 60 },
  );
});
