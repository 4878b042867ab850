/**
 * Loads a knowledge pack (a folder of YAML files), validates each file with zod,
 * merges them and checks every cross reference. Any problem stops loading with
 * a message naming the file, the path inside it and what is wrong.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AdvisorError } from '../errors.ts';
import {
  packFileSchema,
  SKIP,
  type Claim,
  type Criterion,
  type Dispute,
  type Framework,
  type PackFile,
  type Range,
  type Source,
} from './schema.ts';

export interface KnowledgeProblem {
  file: string;
  /** Path inside the file, e.g. `criteria[3].options[1].label`. */
  path: string;
  message: string;
}

/** The validated, merged knowledge with lookup maps. Immutable by convention. */
export interface Knowledge {
  sources: readonly Source[];
  frameworks: readonly Framework[];
  claims: readonly Claim[];
  disputes: readonly Dispute[];
  criteria: readonly Criterion[];
  sourceById: ReadonlyMap<string, Source>;
  frameworkById: ReadonlyMap<string, Framework>;
  claimById: ReadonlyMap<string, Claim>;
  criterionById: ReadonlyMap<string, Criterion>;
  /** Disputes each claim takes part in. */
  disputesByClaim: ReadonlyMap<string, readonly Dispute[]>;
  /** Groups of words that mean the same in typed answers (`vocabulary.same_words` of every file). */
  sameWords: readonly (readonly string[])[];
  /** Kinds of things named by single words (`vocabulary.kinds` of every file, merged by kind). */
  kinds: ReadonlyMap<string, readonly string[]>;
}

export const DEFAULT_KNOWLEDGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../knowledge');

export class KnowledgeError extends AdvisorError {
  readonly problems: readonly KnowledgeProblem[];
  constructor(problems: KnowledgeProblem[]) {
    super(
      'KNOWLEDGE_INVALID',
      `The knowledge base is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file}: ${p.path || '(top level)'}: ${p.message}`).join('\n'),
      { problems },
    );
    this.problems = problems;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function zodProblems(file: string, error: z.ZodError): KnowledgeProblem[] {
  return error.issues.map((issue) => ({ file, path: formatPath(issue.path), message: issue.message }));
}

/** Where each item came from, so cross-reference errors can name its file and path. */
interface Located<T> {
  item: T;
  file: string;
  path: string;
}

/** Parses and validates one file's text; returns problems instead of throwing. */
export function parsePackFile(file: string, text: string): { pack?: PackFile; problems: KnowledgeProblem[] } {
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((e) => ({
        file,
        path: `line ${lines.linePos(e.pos[0]).line}`,
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const raw: unknown = document.toJS() ?? {};
  const result = packFileSchema.safeParse(raw);
  if (!result.success) return { problems: zodProblems(file, result.error) };
  return { pack: result.data, problems: [] };
}

/** Merges validated files and checks ids and references across them. */
export function buildKnowledge(files: ReadonlyArray<{ file: string; pack: PackFile }>): Knowledge {
  const problems: KnowledgeProblem[] = [];
  const collect = <T>(key: keyof PackFile): Located<T>[] =>
    files.flatMap(({ file, pack }) =>
      ((pack[key] as T[] | undefined) ?? []).map((item, index) => ({ item, file, path: `${key}[${index}]` })),
    );

  const sources = collect<Source>('sources');
  const frameworks = collect<Framework>('frameworks');
  const claims = collect<Claim>('claims');
  const disputes = collect<Dispute>('disputes');
  const criteria = collect<Criterion>('criteria');

  const indexById = <T extends { id: string }>(kind: string, list: Located<T>[]): Map<string, T> => {
    const map = new Map<string, T>();
    const firstSeen = new Map<string, Located<T>>();
    for (const entry of list) {
      const earlier = firstSeen.get(entry.item.id);
      if (earlier) {
        problems.push({
          file: entry.file,
          path: `${entry.path}.id`,
          message: `duplicate ${kind} id "${entry.item.id}" (first defined in ${earlier.file} at ${earlier.path})`,
        });
        continue;
      }
      firstSeen.set(entry.item.id, entry);
      map.set(entry.item.id, entry.item);
    }
    return map;
  };

  const sourceById = indexById('source', sources);
  const frameworkById = indexById('framework', frameworks);
  const claimById = indexById('claim', claims);
  indexById('dispute', disputes);
  const criterionById = indexById('criterion', criteria);

  const filesWith = (key: keyof PackFile): string =>
    (files.some(({ pack }) => pack[key] !== undefined) ? files.filter(({ pack }) => pack[key] !== undefined) : files)
      .map(({ file }) => file)
      .join(', ') || '(no files)';
  if (frameworkById.size < 2) {
    problems.push({ file: filesWith('frameworks'), path: 'frameworks', message: 'a knowledge pack needs at least two frameworks to compare' });
  }
  if (criterionById.size === 0) {
    problems.push({ file: filesWith('criteria'), path: 'criteria', message: 'a knowledge pack needs at least one criterion' });
  }

  const checkRefs = (file: string, path: string, ids: readonly string[], map: ReadonlyMap<string, unknown>, kind: string, valid: string): void => {
    ids.forEach((id, index) => {
      if (!map.has(id)) {
        problems.push({ file, path: `${path}[${index}]`, message: `unknown ${kind} "${id}"${valid ? ` (known: ${valid})` : ''}` });
      }
    });
  };
  const known = (map: ReadonlyMap<string, unknown>): string => [...map.keys()].join(', ') || 'none';

  for (const { item, file, path } of claims) {
    checkRefs(file, `${path}.sources`, item.sources, sourceById, 'source', known(sourceById));
    checkRefs(file, `${path}.about`, item.about, frameworkById, 'framework', known(frameworkById));
    if (item.correction) {
      checkRefs(file, `${path}.correction.sources`, item.correction.sources, sourceById, 'source', known(sourceById));
      item.correction.sources.forEach((id, index) => {
        const source = sourceById.get(id);
        if (source && source.kind !== 'official_docs') {
          problems.push({
            file,
            path: `${path}.correction.sources[${index}]`,
            message: `a correction must cite official documentation, but "${id}" is an ${source.kind}`,
          });
        }
      });
    }
  }
  for (const { item, file, path } of frameworks) {
    checkRefs(file, `${path}.claims`, item.claims, claimById, 'claim', '');
  }
  for (const { item, file, path } of disputes) {
    item.sides.forEach((side, index) => checkRefs(file, `${path}.sides[${index}].claims`, side.claims, claimById, 'claim', ''));
  }
  for (const { item, file, path } of criteria) {
    const optionIds = new Set<string>();
    item.options.forEach((option, optionIndex) => {
      const optionPath = `${path}.options[${optionIndex}]`;
      if (option.id === SKIP) {
        problems.push({ file, path: `${optionPath}.id`, message: `"${SKIP}" is reserved: every criterion accepts it automatically` });
      }
      if (optionIds.has(option.id)) {
        problems.push({ file, path: `${optionPath}.id`, message: `duplicate option id "${option.id}" in criterion "${item.id}"` });
      }
      optionIds.add(option.id);
      const effectFrameworks = new Set<string>();
      option.effects.forEach((effect, effectIndex) => {
        const effectPath = `${optionPath}.effects[${effectIndex}]`;
        if (!frameworkById.has(effect.framework)) {
          problems.push({ file, path: `${effectPath}.framework`, message: `effect on unknown framework "${effect.framework}" (known: ${known(frameworkById)})` });
        }
        if (effectFrameworks.has(effect.framework)) {
          problems.push({ file, path: `${effectPath}.framework`, message: `framework "${effect.framework}" has two effects in one option` });
        }
        effectFrameworks.add(effect.framework);
        if (effect.points > 0 && effect.claims.length === 0) {
          problems.push({ file, path: `${effectPath}.claims`, message: 'an effect that gives points must name the claims behind it' });
        }
        checkRefs(file, `${effectPath}.claims`, effect.claims, claimById, 'claim', '');
      });
    });
    checkAnswerVocabulary(file, path, item, problems);
  }
  const sameWords = checkSameWords(files, problems);

  if (problems.length > 0) throw new KnowledgeError(problems);

  const disputesByClaim = new Map<string, Dispute[]>();
  for (const { item } of disputes) {
    for (const side of item.sides) {
      for (const claimId of side.claims) {
        const list = disputesByClaim.get(claimId) ?? [];
        if (!list.includes(item)) list.push(item);
        disputesByClaim.set(claimId, list);
      }
    }
  }

  return {
    sources: [...sourceById.values()],
    frameworks: [...frameworkById.values()],
    claims: [...claimById.values()],
    disputes: disputes.map((d) => d.item),
    criteria: [...criterionById.values()],
    sourceById,
    frameworkById,
    claimById,
    criterionById,
    disputesByClaim,
    sameWords,
    kinds: mergeKinds(files),
  };
}

/** The criterion's answer wording: yes/no/negative options exist, ranges count one thing and do not overlap. */
function checkAnswerVocabulary(file: string, path: string, criterion: Criterion, problems: KnowledgeProblem[]): void {
  const optionIds = criterion.options.map((o) => o.id);
  for (const key of ['negative_option', 'yes_option', 'no_option', 'later_option'] as const) {
    const id = criterion[key];
    if (id !== undefined && !optionIds.includes(id)) {
      problems.push({ file, path: `${path}.${key}`, message: `"${id}" is not an option of criterion "${criterion.id}" (options: ${optionIds.join(', ')})` });
    }
  }
  const ranged = criterion.options.flatMap((option, index) => (option.range ? [{ option, index, range: option.range }] : []));
  const kinds = [...new Set(ranged.map((r) => r.range.quantity))];
  if (kinds.length > 1) {
    problems.push({ file, path: `${path}.options`, message: `the ranges of one criterion must count one thing, but they count ${kinds.join(' and ')}` });
    return;
  }
  const low = (r: Range): number => r.min ?? 0;
  const high = (r: Range): number => r.max ?? Number.POSITIVE_INFINITY;
  const sorted = [...ranged].sort((a, b) => low(a.range) - low(b.range));
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const after = sorted[i]!;
    if (low(after.range) <= high(before.range)) {
      problems.push({
        file,
        path: `${path}.options[${after.index}].range`,
        message: `overlaps the range of option "${before.option.id}": a ${after.range.quantity} amount must pick one option`,
      });
    }
  }
}

function mergeKinds(files: ReadonlyArray<{ pack: PackFile }>): Map<string, string[]> {
  const kinds = new Map<string, string[]>();
  for (const { pack } of files) {
    for (const [kind, words] of Object.entries(pack.vocabulary?.kinds ?? {})) kinds.set(kind, [...new Set([...(kinds.get(kind) ?? []), ...words])]);
  }
  return kinds;
}

/** Every `same_words` group of every file; a word may stand in one group only. */
function checkSameWords(files: ReadonlyArray<{ file: string; pack: PackFile }>, problems: KnowledgeProblem[]): string[][] {
  const groups: string[][] = [];
  const seen = new Map<string, string>();
  for (const { file, pack } of files) {
    (pack.vocabulary?.same_words ?? []).forEach((group, index) => {
      const path = `vocabulary.same_words[${index}]`;
      for (const word of group) {
        const earlier = seen.get(word);
        if (earlier !== undefined) problems.push({ file, path, message: `"${word}" is already in another group (${earlier}); a word may stand in one group only` });
        seen.set(word, `${file} at ${path}`);
      }
      groups.push([...new Set(group)]);
    });
  }
  return groups;
}

/** Reads every `.yaml`/`.yml` file of a folder (sorted by name) into one validated Knowledge. */
export function loadKnowledge(dir: string = DEFAULT_KNOWLEDGE_DIR): Knowledge {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    throw new KnowledgeError([{ file: dir, path: '', message: `cannot read the knowledge folder: ${(error as Error).message}` }]);
  }
  if (names.length === 0) {
    throw new KnowledgeError([{ file: dir, path: '', message: 'no .yaml files in the knowledge folder' }]);
  }
  const problems: KnowledgeProblem[] = [];
  const files: { file: string; pack: PackFile }[] = [];
  for (const name of names) {
    let text: string;
    try {
      if (!statSync(join(dir, name)).isFile()) throw new Error('not a regular file');
      text = readFileSync(join(dir, name), 'utf8');
    } catch (error) {
      problems.push({ file: name, path: '', message: `cannot read this file: ${(error as Error).message}` });
      continue;
    }
    const parsed = parsePackFile(name, text);
    problems.push(...parsed.problems);
    if (parsed.pack) files.push({ file: name, pack: parsed.pack });
  }
  if (problems.length > 0) throw new KnowledgeError(problems);
  return buildKnowledge(files);
}

let cached: Knowledge | undefined;
/** The default pack, loaded once per process. */
export function defaultKnowledge(): Knowledge {
  cached ??= loadKnowledge();
  return cached;
}
