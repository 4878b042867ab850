/**
 * `advisor` command line: criteria, recommend, ask, knowledge check.
 * Exit status: 0 success; 1 a batch had bad lines or knowledge is invalid; 2 usage errors
 * (unknown command, criterion or option).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AdvisorError, isAdvisorError } from '../errors.ts';
import { askKnowledge } from '../engine/ask.ts';
import { validateAnswers } from '../engine/answers.ts';
import { recommend } from '../engine/recommend.ts';
import { loadKnowledge, type Knowledge } from '../knowledge/load.ts';
import { recommendationView } from '../conversation/views.ts';
import { detailsReplies } from '../conversation/details-view.ts';
import { renderAsk, renderDetails, renderRecommendation } from '../render/text.ts';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `Usage:
  advisor criteria [--json]                      list the criteria and their options
  advisor recommend --answer CRITERION=OPTION ... [--json]
  advisor recommend --batch FILE --json          one {"answers": {...}} per line; - reads stdin
  advisor ask "QUESTION" [--json]                answer from the knowledge base, with sources
  advisor knowledge check [--dir DIR]            validate the knowledge files and summarise them
Options: --knowledge DIR uses another knowledge folder.`;

function usage(message: string): never {
  throw new AdvisorError('USAGE', `${message}\n\n${USAGE}`);
}

function parseAnswerFlags(flags: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) usage(`--answer expects CRITERION=OPTION, got "${flag}".`);
    const criterion = flag.slice(0, at).trim();
    if (criterion in raw) usage(`--answer gives "${criterion}" twice; give each criterion once.`);
    raw[criterion] = flag.slice(at + 1).trim();
  }
  return raw;
}

function criteriaJson(knowledge: Knowledge): unknown {
  return {
    criteria: knowledge.criteria.map((c) => ({
      id: c.id,
      question: c.question,
      options: c.options.map((o) => ({ id: o.id, label: o.label })),
    })),
    frameworks: knowledge.frameworks.map((f) => ({ id: f.id, name: f.name })),
  };
}

function runBatch(knowledge: Knowledge, text: string, io: CliIO): number {
  let failures = 0;
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new AdvisorError('USAGE', `line ${lineNumber}: not valid JSON`);
      }
      const answers = (parsed as { answers?: unknown } | null)?.answers;
      if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
        throw new AdvisorError('USAGE', `line ${lineNumber}: expected an object like {"answers": {"scale": "large"}}`);
      }
      io.out(JSON.stringify(recommend(knowledge, validateAnswers(knowledge, answers as Record<string, unknown>))));
    } catch (error) {
      if (!isAdvisorError(error)) throw error;
      failures++;
      const message = error.message.startsWith(`line ${lineNumber}`) ? error.message : `line ${lineNumber}: ${error.message}`;
      io.out(JSON.stringify({ error: { line: lineNumber, code: error.code, message } }));
    }
  });
  if (failures > 0) io.err(`${failures} of ${lines.length} lines had errors.`);
  return failures > 0 ? 1 : 0;
}

function knowledgeCheck(dir: string | undefined, io: CliIO): number {
  const knowledge = loadKnowledge(dir);
  const options = knowledge.criteria.reduce((n, c) => n + c.options.length, 0);
  const corrections = knowledge.claims.filter((c) => c.correction).length;
  io.out(
    [
      'Knowledge base is valid.',
      `  frameworks: ${knowledge.frameworks.length} (${knowledge.frameworks.map((f) => f.name).join(', ')})`,
      `  criteria: ${knowledge.criteria.length}`,
      `  options: ${options} (plus "skip" on every criterion)`,
      `  claims: ${knowledge.claims.length}`,
      `  sources: ${knowledge.sources.length} (${knowledge.sources.filter((s) => s.kind === 'article').length} articles, ${knowledge.sources.filter((s) => s.kind === 'official_docs').length} official docs)`,
      `  disputed claims: ${knowledge.disputesByClaim.size} in ${knowledge.disputes.length} disputes`,
      `  corrections: ${corrections}`,
    ].join('\n'),
  );
  return 0;
}

export async function main(argv: readonly string[], io: CliIO = { out: (t) => console.log(t), err: (t) => console.error(t) }): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        answer: { type: 'string', multiple: true, short: 'a' },
        batch: { type: 'string' },
        dir: { type: 'string' },
        knowledge: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    if (command === undefined) usage('Which command?');
    if (command === 'knowledge') {
      if (rest[0] !== 'check') usage('Did you mean "advisor knowledge check"?');
      return knowledgeCheck(values.dir ?? values.knowledge, io);
    }
    const knowledge = loadKnowledge(values.knowledge);
    switch (command) {
      case 'criteria':
        if (values.json) io.out(JSON.stringify(criteriaJson(knowledge), null, 2));
        else for (const c of knowledge.criteria) io.out(`${c.id}: ${c.question}\n  ${c.options.map((o) => `${o.id} (${o.label})`).join(', ')}, skip`);
        return 0;
      case 'recommend': {
        if (values.batch !== undefined) {
          if (!values.json) usage('--batch writes JSON lines: add --json.');
          if (values.answer?.length) usage('use either --batch or --answer, not both.');
          const text = values.batch === '-' ? readFileSync(0, 'utf8') : readFileSync(values.batch, 'utf8');
          return runBatch(knowledge, text, io);
        }
        const answers = validateAnswers(knowledge, parseAnswerFlags(values.answer ?? []));
        const rec = recommend(knowledge, answers);
        // Readable: the compact result, then everything behind it (every reason with its sources, every caveat and change).
        const readable = () => [renderRecommendation(recommendationView(knowledge, answers, rec)), ...detailsReplies(knowledge, rec).map((d) => renderDetails(d))].join('\n\n');
        io.out(values.json ? JSON.stringify(rec, null, 2) : readable());
        if (!values.json && rec.next_question) io.out(`\nMost useful next question: ${knowledge.criterionById.get(rec.next_question)!.question} (--answer ${rec.next_question}=...)`);
        return 0;
      }
      case 'ask': {
        const question = rest.join(' ').trim();
        if (!question) usage('ask needs a question, e.g. advisor ask "does flask have an ORM?"');
        const answer = askKnowledge(knowledge, question);
        io.out(values.json ? JSON.stringify(answer, null, 2) : renderAsk(answer));
        return 0;
      }
      default:
        usage(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (isAdvisorError(error)) {
      io.err(error.message);
      return error.code === 'KNOWLEDGE_INVALID' || error.code === 'STORE_FAILURE' ? 1 : 2;
    }
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      io.err(`File not found: ${(error as NodeJS.ErrnoException).path ?? ''}`);
      return 2;
    }
    throw error;
  }
}
