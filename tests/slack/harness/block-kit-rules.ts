/**
 * An independent check of Block Kit limits on a message, written from Slack's
 * reference rather than from the adapter's limits.ts, so the two can disagree
 * and a test can catch it. Returns one line per violation.
 */
type Json = Record<string, unknown>;

const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const textOf = (value: unknown): string => {
  const object = asObject(value);
  return typeof object['text'] === 'string' ? object['text'] : '';
};

export function blockKitViolations(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  const check = (what: string, length: number, max: number): void => {
    if (length > max) problems.push(`${what}: ${length} > ${max}`);
  };
  const blocks = asArray(message.blocks).map(asObject);
  check('blocks per message', blocks.length, 50);
  if (typeof message.text === 'string') check('message text', message.text.length, 40_000);

  const checkElement = (element: Json, where: string): void => {
    const id = element['action_id'];
    if (typeof id === 'string') check(`${where} action_id`, id.length, 255);
    switch (element['type']) {
      case 'button':
        check(`${where} button text`, textOf(element['text']).length, 75);
        if (typeof element['value'] === 'string') check(`${where} button value`, element['value'].length, 2000);
        break;
      case 'static_select': {
        const options = asArray(element['options']).map(asObject);
        check(`${where} select options`, options.length, 100);
        check(`${where} placeholder`, textOf(element['placeholder']).length, 150);
        for (const option of options) {
          check(`${where} option text`, textOf(option['text']).length, 75);
          check(`${where} option value`, String(option['value'] ?? '').length, 150);
        }
        break;
      }
      case 'conversations_select':
        check(`${where} placeholder`, textOf(element['placeholder']).length, 150);
        break;
    }
  };

  blocks.forEach((block, index) => {
    const where = `block ${index} (${String(block['type'])})`;
    if (typeof block['block_id'] === 'string') check(`${where} block_id`, block['block_id'].length, 255);
    switch (block['type']) {
      case 'section':
        check(`${where} text`, textOf(block['text']).length, 3000);
        if (block['accessory']) checkElement(asObject(block['accessory']), where);
        break;
      case 'header':
        check(`${where} text`, textOf(block['text']).length, 150);
        break;
      case 'context':
        check(`${where} elements`, asArray(block['elements']).length, 10);
        break;
      case 'actions': {
        const elements = asArray(block['elements']).map(asObject);
        check(`${where} elements`, elements.length, 25);
        for (const element of elements) checkElement(element, where);
        break;
      }
    }
  });
  return problems;
}
