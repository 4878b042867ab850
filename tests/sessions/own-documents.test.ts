import { describe, expect, it } from 'vitest';
import { OwnDocuments } from '../../src/sessions/own-documents.ts';

describe('OwnDocuments', () => {
  const checked: string[] = [];
  const check = (text: string): { n: number } => {
    checked.push(text);
    return { n: (JSON.parse(text) as { n: number }).n };
  };

  it('checks any text but the one it last wrote for the row, and parses that one afresh each time', () => {
    checked.length = 0;
    const documents = new OwnDocuments<{ n: number }>();
    documents.wrote('a', '{"n":1}');
    const first = documents.decode('a', '{"n":1}', check);
    const second = documents.decode('a', '{"n":1}', check);
    expect(first).toEqual({ n: 1 });
    expect(second).not.toBe(first);
    expect(checked).toEqual([]);

    expect(documents.decode('a', '{"n":2}', check)).toEqual({ n: 2 }); // written by someone else
    expect(documents.decode('b', '{"n":1}', check)).toEqual({ n: 1 }); // another row, same text
    documents.wrote('a', '{"n":3}');
    expect(documents.decode('a', '{"n":1}', check)).toEqual({ n: 1 }); // an older text is no longer ours
    expect(checked).toEqual(['{"n":2}', '{"n":1}', '{"n":1}']);
  });

  it('remembers at most its capacity, forgetting the row written longest ago', () => {
    checked.length = 0;
    const documents = new OwnDocuments<{ n: number }>(2);
    documents.wrote('a', '{"n":1}');
    documents.wrote('b', '{"n":2}');
    documents.wrote('a', '{"n":1}');
    documents.wrote('c', '{"n":3}');
    expect(documents.size).toBe(2);
    documents.decode('a', '{"n":1}', check);
    documents.decode('c', '{"n":3}', check);
    documents.decode('b', '{"n":2}', check);
    expect(checked).toEqual(['{"n":2}']);
  });
});
