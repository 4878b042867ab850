/**
 * Free-text parsing speed: typical answers, and worst-case messages of the maximum length
 * (pack vocabulary soup, random letters). Figures only; tests never assert timings.
 */
import { MAX_TEXT_LENGTH, parseText } from '../src/conversation/parse.ts';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { fmtMs, nowMs, seeded, summarise } from './stats.ts';

const TYPICAL = [
  'solo dev building a small REST API',
  'only about 20 people in ops will use it',
  'what is an admin panel?',
  'postgress',
  '2 founders, one only knows flask, we need it fast and it should live 10+ years',
  'about 50k readers a month',
  "we don't need an admin panel",
  '3',
  'why database',
  'no idea, as long as I care',
];

export async function benchParse(options: { iterations: number; longMessages: number }): Promise<string[]> {
  const knowledge = loadKnowledge();
  const currents = [null, ...knowledge.criteria.map((c) => c.id)];
  const random = seeded(9);
  const vocabulary = knowledge.criteria.flatMap((c) => [c.title, ...c.options.flatMap((o) => [o.label, ...o.synonyms])]);
  const soup = (): string => {
    let s = '';
    while (s.length < MAX_TEXT_LENGTH) s += `${vocabulary[Math.floor(random() * vocabulary.length)]!}${random() < 0.1 ? ', ' : ' '}`;
    return s.slice(0, MAX_TEXT_LENGTH);
  };
  const letters = (): string => {
    let s = '';
    while (s.length < MAX_TEXT_LENGTH) s += random() < 0.15 ? ' ' : String.fromCharCode(97 + Math.floor(random() * 26));
    return s;
  };
  // Warm up: the vocabulary index and the English word list load on first use.
  const first = nowMs();
  parseText(knowledge, 'postgress', null);
  const warmUp = nowMs() - first;

  const time = (texts: readonly string[], runs: number): ReturnType<typeof summarise> => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const text = texts[i % texts.length]!;
      const start = nowMs();
      parseText(knowledge, text, currents[i % currents.length]!);
      samples.push(nowMs() - start);
    }
    return summarise(samples);
  };
  const typical = time(TYPICAL, options.iterations);
  const longSoup = time(Array.from({ length: 20 }, soup), options.longMessages);
  const longLetters = time(Array.from({ length: 20 }, letters), options.longMessages);
  const line = (name: string, s: ReturnType<typeof summarise>): string => `${name}: median ${fmtMs(s.median)}, p99 ${fmtMs(s.p99)}`;
  return [
    `first parse (vocabulary index and word list): ${fmtMs(warmUp)}`,
    line('typical answers', typical),
    line(`${MAX_TEXT_LENGTH}-character vocabulary soup`, longSoup),
    line(`${MAX_TEXT_LENGTH}-character random letters`, longLetters),
  ];
}
