/**
 * Plain-text rendering of the core's view models, shared by the terminal front
 * end and the CLI. Chat adapters have their own renderers (Block Kit, embeds).
 * `wrapText` fits the result to a terminal's width.
 */
import type { AskAnswer } from '../engine/ask-types.ts';
import { summaryFromView } from '../conversation/result-view.ts';
import type { DetailsReply, QuestionReply, RecommendationView, Reply } from '../conversation/types.ts';
import { SECTION_HEADINGS } from '../conversation/views.ts';

export interface TextStyle {
  bold(text: string): string;
  dim(text: string): string;
}

export const plainStyle: TextStyle = { bold: (t) => t, dim: (t) => t };
export const ansiStyle: TextStyle = { bold: (t) => `\u001b[1m${t}\u001b[22m`, dim: (t) => `\u001b[2m${t}\u001b[22m` };

/** The width text is wrapped to when the output is not a terminal (piped, a file). */
export const DEFAULT_WIDTH = 80;

const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a line takes on screen: escape codes take none, every code point one. */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

const LIST_MARKER = /^(?:[•!↻✓…]|\d{1,2}\.) /u;
/** The first column of an indented table row ("  back               undo your last answer"): its padding is kept, and the row's continuation lines hang under the second column. */
const TABLE_CELL = /^\S.*? {2,}(?=\S)/u;

/** One line cut at spaces into lines of at most `width` columns; a list item's continuation lines are indented under its text. */
function wrapLine(line: string, width: number): string[] {
  if (visibleLength(line) <= width) return [line];
  const [, codes = '', spaces = '', rest = ''] = /^((?:\u001b\[[0-9;]*m)*)( *)([\s\S]*)$/u.exec(line) ?? [];
  const marker = LIST_MARKER.exec(rest)?.[0] ?? (spaces === '' ? '' : (TABLE_CELL.exec(rest)?.[0] ?? ''));
  const hang = visibleLength(spaces + marker);
  const indent = ' '.repeat(hang <= width / 2 ? hang : 2);
  const lines: string[] = [];
  let current = codes + spaces + marker;
  let empty = true;
  for (const word of rest.slice(marker.length).split(/ +/)) {
    const candidate = empty ? current + word : `${current} ${word}`;
    if (!empty && visibleLength(candidate) > width) {
      lines.push(current);
      current = indent + word;
    } else current = candidate;
    empty = false;
    // A word longer than a whole line (a long URL, say) is cut where the line ends.
    while (visibleLength(current) > width && !current.includes('\u001b')) {
      const chars = [...current];
      lines.push(chars.slice(0, width).join(''));
      current = indent + chars.slice(width).join('');
    }
  }
  lines.push(current);
  return lines;
}

/** Wraps every line at spaces to `width` columns; a list item's continuation lines are indented under its text. */
export function wrapText(text: string, width: number = DEFAULT_WIDTH): string {
  const columns = Math.max(20, Math.floor(width));
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, columns))
    .join('\n');
}

function renderQuestion(q: QuestionReply, style: TextStyle): string {
  const lines = [style.dim(q.progress.text), style.bold(q.question)];
  if (q.currentAnswer) lines.push(style.dim(`(currently: ${q.currentAnswer.label})`));
  q.options.forEach((o, i) => lines.push(`  ${i + 1}. ${o.label}`));
  lines.push(style.dim(`  type a number or your own words · skip · back · why · result · help`));
  if (q.hint) lines.unshift(q.hint);
  return lines.join('\n');
}

/**
 * Shares (summing to 1, or all 0) as whole percents that add up to 100, by the largest remainders: 7 and 1
 * points read 88% and 12%, not 88% and 13%.
 */
export function wholePercents(shares: readonly number[]): number[] {
  const exact = shares.map((share) => share * 100);
  const percents = exact.map(Math.floor);
  const missing = Math.round(exact.reduce((sum, value) => sum + value, 0)) - percents.reduce((sum, value) => sum + value, 0);
  const byRemainder = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder.slice(0, Math.max(0, missing))) percents[index]! += 1;
  return percents;
}

/** The compact result: verdict, confidence, scores, the strongest reasons for every framework, the caveats and changes that matter most. */
export function renderRecommendation(view: RecommendationView, style: TextStyle = plainStyle): string {
  const summary = view.summary ?? summaryFromView(view);
  const nameWidth = Math.max(...view.bars.map((b) => b.name.length));
  const scoreWidth = Math.max(...view.bars.map((b) => String(b.score).length));
  const lines = [style.bold(view.headline), `Confidence: ${view.confidenceText}`];
  const percents = wholePercents(view.bars.map((bar) => bar.share));
  const bars = view.bars.map((bar, index) => {
    const points = `${String(bar.score).padStart(scoreWidth)} ${bar.score === 1 ? 'point' : 'points'}`;
    return `${bar.name.padEnd(nameWidth)}  ${bar.bar}  ${points} (${percents[index]}%)`;
  });
  // Two frameworks share a line; more get one each.
  if (bars.length === 2) lines.push(`  ${bars.join('   ')}`);
  else lines.push(...bars.map((bar) => `  ${bar}`));
  lines.push(style.dim(view.basis));
  const more = (text: string | null): string[] => (text === null ? [] : [style.dim(`  ${text}`)]);
  for (const group of summary.groups) {
    lines.push(style.bold(`${group.heading}:`));
    for (const r of group.reasons) lines.push(`  • ${r.text}`);
  }
  if (summary.groups.length === 0 && summary.moreReasons !== null) lines.push(style.bold(`${SECTION_HEADINGS.reasons}:`));
  lines.push(...more(summary.moreReasons));
  if (summary.caveats.length > 0 || summary.moreCaveats !== null) {
    lines.push(style.bold(`${SECTION_HEADINGS.caveats}:`));
    for (const c of summary.caveats) lines.push(`  ! ${c}`);
    lines.push(...more(summary.moreCaveats));
  }
  if (summary.flips.length > 0) {
    lines.push(style.bold(`${SECTION_HEADINGS.flips}:`));
    for (const f of summary.flips) lines.push(`  ↻ ${f}`);
    lines.push(...more(summary.moreFlips));
  }
  return lines.join('\n');
}

/** One page of `details`: every item with its text and sources, and on the last page every source. */
export function renderDetails(details: DetailsReply, style: TextStyle = plainStyle): string {
  const lines = [style.bold(details.title)];
  for (const section of details.sections) {
    if (section.heading) lines.push(style.bold(`${section.heading}:`));
    for (const item of section.items) {
      const sources = item.sources?.length ? ` [${item.sources.join('; ')}]` : '';
      // A reason's claims and sources go under it; a caveat or a change follows its title on the same line.
      if (item.title && sources) lines.push(`  • ${item.title}`, `    ${item.text}${sources}`);
      else lines.push(`  • ${item.title ? `${item.title} — ` : ''}${item.text}${sources}`);
    }
  }
  if (details.sources.length > 0) {
    lines.push(style.bold(`${SECTION_HEADINGS.sources}:`));
    for (const source of details.sources) lines.push(`  • ${source}`);
  }
  return lines.join('\n');
}

export function renderAsk(answer: AskAnswer, style: TextStyle = plainStyle): string {
  if (!answer.found) return answer.headline;
  const lines = [style.bold(answer.headline)];
  for (const item of answer.items) {
    lines.push(`  • ${item.text} [${item.sources.join('; ')}]`);
    if (item.correction) lines.push(`    Correction: ${item.correction}`);
  }
  for (const caveat of answer.caveats) lines.push(`  ! ${caveat}`);
  return lines.join('\n');
}

export function renderReply(reply: Reply, style: TextStyle = plainStyle): string {
  switch (reply.kind) {
    case 'question':
      return renderQuestion(reply, style);
    case 'answered':
      return style.dim(`✓ ${reply.title}: ${reply.answer.label}${reply.understoodFrom ? ` (from "${reply.understoodFrom}")` : ''}`);
    case 'settled':
      return `${style.bold(reply.text)}\n${style.dim('  type result to see it, or continue to keep refining')}`;
    case 'recommendation':
      return (
        renderRecommendation(reply.view, style) +
        '\n' +
        style.dim(reply.canRefine ? '  details · continue · change <topic> · restart · quit' : '  details · change <topic> · restart · quit')
      );
    case 'details':
      return renderDetails(reply, style);
    case 'why':
      // "Why it matters: <title>": topic titles are singular or plural ("Security needs"), so no verb follows them.
      return [style.bold(`Why it matters: ${reply.title}`), reply.why, ...reply.impacts.map((l) => `  • ${l}`)].join('\n');
    case 'notice':
      return reply.text;
    case 'help':
      return [reply.text, ...reply.commands.map((c) => `  ${c.command.padEnd(18)} ${c.description}`)].join('\n');
    case 'ask':
      return renderAsk(reply.answer, style);
  }
}
