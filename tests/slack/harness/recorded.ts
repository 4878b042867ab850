/**
 * Reading what the app sent to the Web API stand-in: posted messages with their
 * ts, the controls on them, and the text a person would read.
 */
import type { JsonObject, RecordedCall, SlackWebApiStandIn } from './web-api-stand-in.ts';

export interface PostedMessage {
  ts: string;
  channel: string;
  threadTs: string | undefined;
  text: string;
  blocks: JsonObject[];
}

export interface Control {
  actionId: string;
  type: string;
  /** Button caption, or the select's placeholder. */
  caption: string;
  value: string | undefined;
  options: { text: string; value: string }[];
  /** The block it is in, when the app named it. */
  blockId: string | undefined;
}

function asObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function blocksOf(call: RecordedCall): JsonObject[] {
  return asArray(call.body['blocks']).map(asObject);
}

export function postedMessage(call: RecordedCall): PostedMessage {
  return {
    ts: str(call.response['ts']),
    channel: str(call.body['channel']),
    threadTs: typeof call.body['thread_ts'] === 'string' ? call.body['thread_ts'] : undefined,
    text: str(call.body['text']),
    blocks: blocksOf(call),
  };
}

/** Successful chat.postMessage calls, as messages with their ts. */
export function posts(webApi: SlackWebApiStandIn): PostedMessage[] {
  return webApi.callsTo('chat.postMessage').filter((call) => call.status === 200 && call.response['ok'] === true).map(postedMessage);
}

export function lastPost(webApi: SlackWebApiStandIn): PostedMessage {
  const all = posts(webApi);
  const last = all.at(-1);
  if (!last) throw new Error('no message was posted');
  return last;
}

/** Every text a person would read in these blocks (section text, fields, context, header), joined by newlines. */
export function readableText(blocks: readonly JsonObject[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    const text = asObject(block['text']);
    if (text['text']) parts.push(str(text['text']));
    for (const element of asArray(block['elements'])) {
      const el = asObject(element);
      if (el['type'] === 'mrkdwn' || el['type'] === 'plain_text') parts.push(str(el['text']));
    }
    for (const field of asArray(block['fields'])) parts.push(str(asObject(field)['text']));
  }
  return parts.join('\n');
}

/** Buttons, selects and accessories on a message. */
export function controls(blocks: readonly JsonObject[]): Control[] {
  const found: Control[] = [];
  const add = (element: JsonObject, block: JsonObject): void => {
    const type = str(element['type']);
    if (!['button', 'static_select', 'conversations_select'].includes(type)) return;
    found.push({
      actionId: str(element['action_id']),
      type,
      caption: str(asObject(element['text'])['text']) || str(asObject(element['placeholder'])['text']),
      value: typeof element['value'] === 'string' ? element['value'] : undefined,
      options: asArray(element['options']).map((o) => ({ text: str(asObject(asObject(o)['text'])['text']), value: str(asObject(o)['value']) })),
      blockId: typeof block['block_id'] === 'string' ? block['block_id'] : undefined,
    });
  };
  for (const block of blocks) {
    for (const element of asArray(block['elements'])) add(asObject(element), block);
    if (block['accessory']) add(asObject(block['accessory']), block);
  }
  return found;
}

export function control(message: { blocks: readonly JsonObject[] }, caption: string): Control {
  const found = controls(message.blocks).find((c) => c.caption === caption);
  if (!found) throw new Error(`no control "${caption}" on the message; have: ${controls(message.blocks).map((c) => c.caption).join(', ')}`);
  return found;
}

export type AnswerChoice = { actionId: string } & ({ button: { value: string } } | { select: { value: string } });

/** What a person picks to answer with the option labelled `label` on a question message: its button, or its entry in the select. */
export function answerChoice(message: { blocks: readonly JsonObject[] }, label: string): AnswerChoice {
  const answers = controls(message.blocks).filter((c) => c.actionId.startsWith('advisor:answer'));
  const button = answers.find((c) => c.type === 'button' && c.caption === label);
  if (button) return { actionId: button.actionId, button: { value: button.value ?? '' } };
  for (const select of answers.filter((c) => c.type === 'static_select')) {
    const option = select.options.find((o) => o.text === label);
    if (option) return { actionId: select.actionId, select: { value: option.value } };
  }
  throw new Error(`no answer "${label}" on the message; have: ${answers.map((c) => (c.type === 'button' ? c.caption : c.options.map((o) => o.text).join(', '))).join(', ')}`);
}
