/**
 * Plain-text rendering of the core's view models, shared by the terminal front
 * end and the CLI. Chat adapters have their own renderers (Block Kit, embeds).
 */
import type { AskAnswer } from '../engine/ask-types.ts';
import type { QuestionReply, RecommendationView, Reply } from '../conversation/types.ts';
import { SECTION_HEADINGS } from '../conversation/views.ts';

export interface TextStyle {
  bold(text: string): string;
  dim(text: string): string;
}

export const plainStyle: TextStyle = { bold: (t) => t, dim: (t) => t };
export const ansiStyle: TextStyle = { bold: (t) => `\u001b[1m${t}\u001b[22m`, dim: (t) => `\u001b[2m${t}\u001b[22m` };

/** How many reasons a text recommendation lists before summarising the rest. */
const TEXT_REASONS = 6;

function renderQuestion(q: QuestionReply, style: TextStyle): string {
  const lines = [style.dim(q.progress.text), style.bold(q.question)];
  if (q.currentAnswer) lines.push(style.dim(`(currently: ${q.currentAnswer.label})`));
  q.options.forEach((o, i) => lines.push(`  ${i + 1}. ${o.label}`));
  lines.push(style.dim(`  type a number or your own words · skip · back · why · result · help`));
  if (q.hint) lines.unshift(q.hint);
  return lines.join('\n');
}

export function renderRecommendation(view: RecommendationView, style: TextStyle = plainStyle): string {
  const nameWidth = Math.max(...view.bars.map((b) => b.name.length));
  const lines = [style.bold(view.headline), `Confidence: ${view.confidenceText}`, ''];
  for (const bar of view.bars) {
    lines.push(`  ${bar.name.padEnd(nameWidth)}  ${bar.bar}  ${bar.score} pts (${Math.round(bar.share * 100)}%)`);
  }
  lines.push('', style.dim(view.basis));
  if (view.reasons.length > 0) {
    lines.push('', style.bold(`${SECTION_HEADINGS.reasons}:`));
    for (const r of view.reasons.slice(0, TEXT_REASONS)) {
      lines.push(`  • ${r.title}: ${r.answer} → ${r.pointsText}. ${r.text} [${r.sources.join('; ')}]`);
    }
    if (view.reasons.length > TEXT_REASONS) lines.push(style.dim(`  …and ${view.reasons.length - TEXT_REASONS} smaller reasons.`));
  }
  if (view.caveats.length > 0) {
    lines.push('', style.bold(`${SECTION_HEADINGS.caveats}:`));
    for (const c of view.caveats) lines.push(`  ! ${c.title}. ${c.text}`);
  }
  if (view.flips.length > 0) {
    lines.push('', style.bold(`${SECTION_HEADINGS.flips}:`));
    for (const f of view.flips) lines.push(`  ↻ ${f}`);
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
        style.dim(reply.canRefine ? '  continue · change <topic> · restart · quit' : '  change <topic> · restart · quit')
      );
    case 'why':
      return [style.bold(`Why ${reply.title.toLowerCase()} matters: ${reply.why}`), ...reply.impacts.map((l) => `  • ${l}`)].join('\n');
    case 'notice':
      return reply.text;
    case 'help':
      return [reply.text, ...reply.commands.map((c) => `  ${c.command.padEnd(18)} ${c.description}`)].join('\n');
    case 'ask':
      return renderAsk(reply.answer, style);
  }
}
