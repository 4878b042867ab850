/**
 * What a person would see in Slack, rebuilt from the stand-in's recorded
 * calls: every message posted (chat.postMessage) as last updated
 * (chat.update), per channel and thread, and which of them still carry
 * clickable controls.
 */
import type { JsonObject, SlackWebApiStandIn } from './web-api-stand-in.ts';

export interface ShownMessage {
  channel: string;
  ts: string;
  /** The thread it is in; undefined for a top-level message. */
  threadTs: string | undefined;
  text: string;
  blocks: JsonObject[];
}

export interface Control {
  actionId: string;
  value: string;
  blockId: string;
}

function asObjects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter((v): v is JsonObject => typeof v === 'object' && v !== null) : [];
}

/** Every message as it looks now. */
export function shownMessages(webApi: SlackWebApiStandIn): ShownMessage[] {
  const byTs = new Map<string, ShownMessage>();
  for (const call of webApi.calls) {
    if (call.response['ok'] !== true) continue;
    if (call.method === 'chat.postMessage') {
      const ts = String(call.response['ts']);
      byTs.set(ts, {
        channel: String(call.body['channel']),
        ts,
        threadTs: typeof call.body['thread_ts'] === 'string' ? call.body['thread_ts'] : undefined,
        text: String(call.body['text'] ?? ''),
        blocks: asObjects(call.body['blocks']),
      });
    } else if (call.method === 'chat.update') {
      const shown = byTs.get(String(call.body['ts']));
      if (shown) {
        shown.text = String(call.body['text'] ?? shown.text);
        shown.blocks = asObjects(call.body['blocks']);
      }
    }
  }
  return [...byTs.values()];
}

/** The buttons and selects of a message (action blocks and section accessories). */
export function controlsOf(message: ShownMessage): Control[] {
  const controls: Control[] = [];
  for (const block of message.blocks) {
    const blockId = String(block['block_id'] ?? '');
    const elements = block['type'] === 'actions' ? asObjects(block['elements']) : block['accessory'] ? asObjects([block['accessory']]) : [];
    for (const element of elements) {
      if (typeof element['action_id'] !== 'string') continue;
      const options = asObjects(element['options']).filter((option) => typeof option['value'] === 'string');
      for (const option of options) controls.push({ actionId: element['action_id'], value: String(option['value']), blockId });
      // A button has a value; a conversations select (the channel picker) has none but is a control all the same.
      if (typeof element['value'] === 'string' || options.length === 0) controls.push({ actionId: element['action_id'], value: String(element['value'] ?? ''), blockId });
    }
  }
  return controls;
}

/** Messages in one thread (the parent excluded) that still carry controls. */
export function liveMessages(webApi: SlackWebApiStandIn, channel: string, threadTs: string): ShownMessage[] {
  return shownMessages(webApi).filter((m) => m.channel === channel && m.threadTs === threadTs && controlsOf(m).length > 0);
}
