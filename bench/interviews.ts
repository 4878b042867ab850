/**
 * Simulated interviews: how many questions people answer before the interview
 * offers the result, under each next-question rule, and whether stopping there
 * keeps the verdict that answering everything would give.
 *
 * An interview starts with no answers and, until it stops, answers the question
 * the rule ranks first with the profile's answer to it. It stops at the offer
 * (the verdict is decided, or its chance of change is at most 5%) or when
 * everything is answered. The verdict at the stop is then compared with the
 * verdict on the whole profile.
 *
 * Profiles (one answer per criterion, never "don't know"):
 * - random: every option of every criterion equally likely. This is the prior the
 *   chance of change assumes, so the share of chance-stops that end on another
 *   verdict is the promise being checked (at most 5%).
 * - consistent (70% on one side): the profile leans to one framework, drawn
 *   uniformly. An option favours a framework when it gives it more points than it
 *   gives any other framework. For each criterion with an option favouring the
 *   side, the profile picks one of those options (uniformly) with probability 0.7,
 *   otherwise one of the remaining options (uniformly). A criterion with no option
 *   favouring the side is answered uniformly.
 */
import { STOP_CHANCE } from '../src/engine/chance.ts';
import { NEXT_QUESTION_RULES, type NextQuestionRule } from '../src/engine/next-question.ts';
import { rankQuestions, recommend } from '../src/engine/recommend.ts';
import type { Knowledge } from '../src/knowledge/load.ts';
import type { Option } from '../src/knowledge/schema.ts';
import { seeded } from './stats.ts';

type Profile = Record<string, string>;
type Stop = 'decided' | 'chance' | 'complete';

interface Outcome {
  asked: number;
  stop: Stop;
  /** The verdict at the stop differs from the verdict on the whole profile. */
  differs: boolean;
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function points(option: Option, framework: string): number {
  return option.effects.find((e) => e.framework === framework)?.points ?? 0;
}

function favours(knowledge: Knowledge, option: Option, side: string): boolean {
  return knowledge.frameworks.every((f) => f.id === side || points(option, side) > points(option, f.id));
}

function randomProfile(knowledge: Knowledge, random: () => number): Profile {
  return Object.fromEntries(knowledge.criteria.map((c) => [c.id, pick(c.options, random).id]));
}

function consistentProfile(knowledge: Knowledge, random: () => number, lean = 0.7): Profile {
  const side = pick(knowledge.frameworks, random).id;
  const profile: Profile = {};
  for (const c of knowledge.criteria) {
    const forSide = c.options.filter((o) => favours(knowledge, o, side));
    const others = c.options.filter((o) => !forSide.includes(o));
    const pool = forSide.length === 0 ? c.options : random() < lean || others.length === 0 ? forSide : others;
    profile[c.id] = pick(pool, random).id;
  }
  return profile;
}

export function interview(knowledge: Knowledge, profile: Profile, rule: NextQuestionRule): Outcome {
  const answers: Record<string, string> = {};
  for (;;) {
    const rec = recommend(knowledge, answers);
    const stop: Stop | null = rec.unanswered.length === 0 ? 'complete' : rec.decided ? 'decided' : rec.chance_of_change <= STOP_CHANCE ? 'chance' : null;
    if (stop) {
      const differs = rec.winner !== recommend(knowledge, profile).winner;
      return { asked: Object.keys(answers).length, stop, differs };
    }
    const next = rankQuestions(knowledge, answers, rule)[0]!;
    answers[next] = profile[next]!;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function p90(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.9 * sorted.length) - 1]!;
}

function share(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`;
}

interface RuleFigures {
  consistent: Outcome[];
  random: Outcome[];
}

function run(knowledge: Knowledge, rule: NextQuestionRule, runs: number): RuleFigures {
  const randomSeed = seeded(11);
  const consistentSeed = seeded(13);
  return {
    random: Array.from({ length: runs }, () => interview(knowledge, randomProfile(knowledge, randomSeed), rule)),
    consistent: Array.from({ length: runs }, () => interview(knowledge, consistentProfile(knowledge, consistentSeed), rule)),
  };
}

function describe(rule: NextQuestionRule, figures: RuleFigures, criteria: number, chosen: boolean): string[] {
  const asked = (list: Outcome[]) => list.map((o) => o.asked);
  const chanceStops = figures.random.filter((o) => o.stop === 'chance');
  const decidedStops = [...figures.random, ...figures.consistent].filter((o) => o.stop === 'decided');
  const consistentChance = figures.consistent.filter((o) => o.stop === 'chance');
  return [
    `next question by ${rule}${chosen ? ' (the engine\'s rule)' : ''}:`,
    `  consistent profiles (70% on one side): median ${median(asked(figures.consistent))} questions, p90 ${p90(asked(figures.consistent))} of ${criteria} (target median <= 5)`,
    `  random profiles: median ${median(asked(figures.random))} questions, p90 ${p90(asked(figures.random))} of ${criteria}`,
    `  chance-stops on random profiles (the prior): ${chanceStops.filter((o) => o.differs).length} of ${chanceStops.length} end on another verdict than answering everything = ${share(chanceStops.filter((o) => o.differs).length, chanceStops.length)} (promise <= 5%)`,
    `  chance-stops on consistent profiles: ${consistentChance.filter((o) => o.differs).length} of ${consistentChance.length} differ (${share(consistentChance.filter((o) => o.differs).length, consistentChance.length)})`,
    `  decided-stops that differ: ${decidedStops.filter((o) => o.differs).length} of ${decidedStops.length} (must be 0)`,
  ];
}

/** Both next-question rules side by side, `runs` interviews per profile kind and rule. */
export function interviewFigures(knowledge: Knowledge, runs: number, chosen: NextQuestionRule): string[] {
  const rules = NEXT_QUESTION_RULES;
  return [
    `interviews: ${runs} random and ${runs} consistent profiles per rule; stop at the offer (decided, or chance of change <= ${STOP_CHANCE * 100}%)`,
    ...rules.flatMap((rule) => describe(rule, run(knowledge, rule, runs), knowledge.criteria.length, rule === chosen)),
  ];
}
