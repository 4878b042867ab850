/**
 * `askKnowledge`: free questions answered from the claims, with sources, ranked
 * by the search library; plain "nothing on that" answers; hostile input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { askKnowledge, MAX_ASK_ITEMS } from '../../src/engine/ask.ts';
import type { AskAnswer } from '../../src/engine/ask-types.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';

const knowledge = loadKnowledge();
const sourceLabels = new Set(knowledge.sources.map((s) => s.label));
const claimByText = new Map(knowledge.claims.map((c) => [c.text, c]));

/** The claim ids an answer shows, in order. */
function claimIds(answer: AskAnswer): string[] {
  return answer.items.map((item) => {
    const claim = claimByText.get(item.text);
    if (!claim) throw new Error(`item is not a claim of the pack: ${item.text}`);
    return claim.id;
  });
}

/** Every answer's citations are real source labels, each item's are its claim's, and `sources` is their union in first-use order. */
function expectWellCited(answer: AskAnswer): void {
  const used: string[] = [];
  const use = (labels: readonly string[]): void => {
    for (const l of labels) if (!used.includes(l)) used.push(l);
  };
  for (const item of answer.items) {
    const claim = claimByText.get(item.text)!;
    expect(item.sources).toEqual(claim.sources.map((id) => knowledge.sourceById.get(id)!.label));
    use(item.sources);
    if (claim.correction) {
      const labels = claim.correction.sources.map((id) => knowledge.sourceById.get(id)!.label);
      expect(item.correction).toBe(`${claim.correction.text} (${labels.join('; ')})`);
      use(labels);
    } else {
      expect(item.correction).toBeUndefined();
    }
  }
  for (const label of answer.sources) expect(sourceLabels.has(label), label).toBe(true);
  expect(answer.sources).toEqual(used);
}

describe('askKnowledge finds what the sources say', () => {
  it('ORM: the claims about each framework\'s database layer, cited', () => {
    const answer = askKnowledge(knowledge, 'does flask have an ORM?');
    expect(answer.found).toBe(true);
    expect(answer.question).toBe('does flask have an ORM?');
    expect(answer.headline).toBe('What the sources say about orm:');
    const ids = claimIds(answer);
    expect(ids).toContain('flask_no_builtin_orm');
    expect(ids).toContain('django_orm');
    expect(answer.items.length).toBeLessThanOrEqual(MAX_ASK_ITEMS);
    expectWellCited(answer);
    expect(answer.sources.length).toBeGreaterThan(0);
  });

  it('admin: Django\'s automatic admin', () => {
    const answer = askKnowledge(knowledge, 'Is there an admin panel for staff?');
    expect(answer.found).toBe(true);
    expect(claimIds(answer)).toContain('django_admin');
    expectWellCited(answer);
  });

  it('security: Django\'s built-in protections, with the security disagreement as a caveat', () => {
    const answer = askKnowledge(knowledge, 'which one is more secure?');
    expect(answer.found).toBe(true);
    const ids = claimIds(answer);
    expect(ids.some((id) => id === 'django_more_secure' || id === 'django_builtin_protections')).toBe(true);
    expect(answer.caveats.some((c) => c.startsWith('Sources disagree on Security:'))).toBe(true);
    expectWellCited(answer);
  });

  it('async: shows the dated claim with its correction from the Django docs', () => {
    const answer = askKnowledge(knowledge, 'does django support async?');
    expect(answer.found).toBe(true);
    const item = answer.items.find((i) => claimByText.get(i.text)?.id === 'django_no_builtin_async');
    expect(item).toBeDefined();
    expect(item!.correction).toMatch(/^Django has supported async views since version 3\.1\./);
    expect(item!.correction).toContain('(Django docs: Asynchronous support)');
    expect(answer.sources).toContain('Django docs: Asynchronous support');
    expectWellCited(answer);
  });

  it('API support: shows "Django does not support APIs" with its correction and the dispute', () => {
    const answer = askKnowledge(knowledge, 'does django support APIs?');
    expect(answer.found).toBe(true);
    const item = answer.items.find((i) => claimByText.get(i.text)?.id === 'django_no_api_support');
    expect(item).toBeDefined();
    expect(item!.correction).toContain('JsonResponse');
    expect(item!.correction).toContain('(Django docs: Request and response objects)');
    // The claim the docs correct never leads, and the disagreement names the one article at odds with itself and the correction.
    expect(claimByText.get(answer.items[0]!.text)?.correction).toBeUndefined();
    const caveat = answer.caveats.find((c) => c.startsWith('Positiwise contradicts itself on APIs in Django:'));
    expect(caveat).toContain('Django does not support APIs. (corrected by Django docs: Request and response objects)');
    expect(answer.caveats.some((c) => c.startsWith('Sources disagree on APIs in Django'))).toBe(false);
    expectWellCited(answer);
  });

  it('comparatives find their topic: "slower" and "quicker" reach the performance claims and their dispute', () => {
    for (const question of ['is django slower than flask?', 'which one is quicker?']) {
      const answer = askKnowledge(knowledge, question);
      expect(answer.found, question).toBe(true);
      expect(answer.items.map((i) => claimByText.get(i.text)?.id)).toContain('flask_faster');
      expect(answer.caveats.some((c) => c.startsWith('Sources disagree on Performance:'))).toBe(true);
    }
  });

  it('"slow to learn" is about learning, not speed: the learning claims only', () => {
    const answer = askKnowledge(knowledge, 'is django slow to learn?');
    expect(answer.found).toBe(true);
    const ids = answer.items.map((i) => claimByText.get(i.text)?.id);
    expect(ids).toEqual(expect.arrayContaining(['flask_easier_to_learn', 'django_steeper_learning', 'positiwise_learning_weeks']));
    expect(ids).not.toContain('flask_faster');
    expect(answer.caveats.some((c) => c.startsWith('Sources disagree on Performance:'))).toBe(false);
  });

  it('a word that only joins the sentence ("instead") finds nothing: a framework outside the pack is not matched by chance', () => {
    const answer = askKnowledge(knowledge, 'should I use fastapi instead?');
    expect(answer.found).toBe(false);
    expect(answer.headline).toContain('"fastapi"');
  });

  it('async: leads with the async claims and their corrections from the Django docs, not with a claim far less on topic', () => {
    const answer = askKnowledge(knowledge, 'does django support async views?');
    expect(claimByText.get(answer.items[0]!.text)?.id).toBe('django_no_builtin_async');
    expect(answer.items[0]!.correction).toContain('(Django docs: Asynchronous support)');
    // The roadmap claim ("Django is working on better async support") carries the docs' answer too.
    const roadmap = answer.items.find((i) => claimByText.get(i.text)?.id === 'frameworks_future');
    expect(roadmap?.correction).toContain('since version 3.1');
    expectWellCited(answer);
  });

  it('the headline names the topic, not the words around it ("whats", "against")', () => {
    expect(askKnowledge(knowledge, 'whats orm').headline).toBe('What the sources say about orm:');
    expect(askKnowledge(knowledge, 'is django secure against csrf?').headline).toBe('What the sources say about secure csrf:');
  });

  it('learning curve: both sides of the disagreement, with their sources, in the caveats', () => {
    const answer = askKnowledge(knowledge, 'what is the learning curve like?');
    expect(answer.found).toBe(true);
    const caveat = answer.caveats.find((c) => c.startsWith('Sources disagree on Learning curve:'));
    expect(caveat).toBeDefined();
    const dispute = knowledge.disputes.find((d) => d.topic === 'Learning curve')!;
    expect(caveat!.split(' Versus: ')).toHaveLength(dispute.sides.length);
    for (const side of dispute.sides) expect(caveat).toContain(side.position);
    // Both the majority and the dissenting article are named.
    expect(caveat).toContain('STX Next: Flask vs. Django');
    expect(caveat).toContain('Positiwise: Django vs Flask');
    // Each caveat appears once.
    expect(new Set(answer.caveats).size).toBe(answer.caveats.length);
    expectWellCited(answer);
  });
});

describe('a question naming a framework prefers claims about it', () => {
  it('"does flask have an ORM?" leads with a Flask claim, "does django have an ORM?" with a Django claim', () => {
    const flask = askKnowledge(knowledge, 'does flask have an ORM?');
    const django = askKnowledge(knowledge, 'does django have an ORM?');
    expect(claimIds(flask)[0]).toBe('flask_no_builtin_orm');
    expect(claimIds(django)[0]).toBe('django_orm');
    // Same topic, so both still show the other framework's side.
    expect(claimIds(flask)).toContain('django_orm');
    expect(claimIds(django)).toContain('flask_no_builtin_orm');
  });

  it('the first item of a Flask question is about Flask', () => {
    for (const q of ['is flask good for microservices?', 'flask security', 'how fast is flask?']) {
      const answer = askKnowledge(knowledge, q);
      expect(answer.found, q).toBe(true);
      expect(knowledge.claimById.get(claimIds(answer)[0]!)!.about, q).toContain('flask');
    }
  });
});

describe('plain answers when there is nothing to look up', () => {
  it.each(['flask', 'Django vs Flask?', 'DJANGO', 'django or flask'])('framework names only: %j', (q) => {
    const answer = askKnowledge(knowledge, q);
    expect(answer).toMatchObject({ found: false, items: [], caveats: [], sources: [] });
    expect(answer.headline).toMatch(/^I need a topic to look up, not just a framework name\. Try a topic such as /);
  });

  it('filler words only: plain, and does not say a framework was named when none was', () => {
    for (const q of ['what is the best?', 'which should we use', 'is it good or bad?']) {
      const answer = askKnowledge(knowledge, q);
      expect(answer, q).toMatchObject({ found: false, items: [], caveats: [], sources: [] });
      expect(answer.headline, q).toMatch(/Try a topic such as the ORM/);
      // Known product bug (src/engine/ask.ts): these get "not just a framework name" though no framework was named.
      expect(answer.headline, q).not.toMatch(/framework name/);
    }
  });

  it.each(['what about graphql', 'xyzzy plugh', 'kubernetes helm charts'])('a topic the pack has nothing on: %j', (q) => {
    const answer = askKnowledge(knowledge, q);
    expect(answer.found).toBe(false);
    expect(answer.items).toEqual([]);
    expect(answer.sources).toEqual([]);
    expect(answer.headline).toMatch(/^The knowledge base has nothing on "[^"]+"\. Try a topic such as /);
  });

  it.each(["what's the weather in Paris?", 'what is the weather in Paris?', 'best pancake recipes'])(
    'off the subject: nothing, rather than claims that share a near spelling with it (%j)',
    (q) => {
      const answer = askKnowledge(knowledge, q);
      expect(answer).toMatchObject({ found: false, items: [] });
      expect(answer.headline).toMatch(/^The knowledge base has nothing on "[a-z ]+"\./);
    },
  );

  it('a typo of a topic still finds it ("secruity")', () => {
    const answer = askKnowledge(knowledge, 'is flask secruity ok?');
    expect(answer.found).toBe(true);
    expect(answer.items[0]?.text).toMatch(/secur/i);
  });

  it('possessives and contractions are not words of the topic', () => {
    const answer = askKnowledge(knowledge, "what's django's ORM like?");
    expect(answer.headline).toBe('What the sources say about orm:');
    expect(askKnowledge(knowledge, "isn't flask's admin weak? it doesn't have one, can't it?").headline).toBe('What the sources say about admin weak:');
    expect(claimIds(answer).length).toBeGreaterThan(0);
  });

  it('"which one should I pick?" points to the interview; with a topic, the topic is looked up', () => {
    for (const q of ['which one should I pick?', 'what would you recommend', 'should I choose flask']) {
      const answer = askKnowledge(knowledge, q);
      expect(answer, q).toMatchObject({ found: false, items: [] });
      expect(answer.headline, q).toMatch(/^Which one fits depends on your project: that is what the interview works out/);
    }
    expect(askKnowledge(knowledge, 'which should we use for a REST API?')).toMatchObject({ found: true, headline: 'What the sources say about rest api:' });
  });

  it('names the looked-up topic in the "nothing" headline', () => {
    expect(askKnowledge(knowledge, 'what about graphql').headline).toMatch(/^The knowledge base has nothing on "graphql"\./);
  });

  it('an empty or blank question asks for one', () => {
    for (const q of ['', '   ', '\n\t']) {
      const answer = askKnowledge(knowledge, q);
      expect(answer.found).toBe(false);
      expect(answer.headline).toMatch(/^Ask me something about the frameworks\./);
    }
  });
});

describe('hostile input never throws', () => {
  it('10,000 characters', () => {
    const long = 'orm '.repeat(2500);
    const answer = askKnowledge(knowledge, long);
    expect(answer.found).toBe(true);
    expect(answer.question.length).toBeLessThanOrEqual(500);
    expect(() => askKnowledge(knowledge, 'x'.repeat(10_000))).not.toThrow();
  });

  it('control characters are removed from the echoed question', () => {
    const answer = askKnowledge(knowledge, 'does\u0000 flask\u0007 have an\u001b[31m ORM?\r\n');
    expect(answer.question).not.toMatch(/\p{Cc}/u);
    expect(answer.found).toBe(true);
    expect(claimIds(answer)).toContain('flask_no_builtin_orm');
  });

  it('markup is not echoed back as markup in the headline', () => {
    for (const q of ['<script>alert(1)</script>', '<@U123> <!channel> *bold* `code` ORM', '```\n| table |\n```', '__proto__ constructor prototype toString']) {
      const answer = askKnowledge(knowledge, q);
      expect(answer.headline, q).not.toMatch(/[<>`*|]/);
      expectWellCited(answer);
    }
  });

  it('any string: no throw, and only real source labels cited (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (q) => {
        const answer = askKnowledge(knowledge, q);
        expect(typeof answer.found).toBe('boolean');
        expect(answer.headline.length).toBeGreaterThan(0);
        expect(answer.items.length).toBeLessThanOrEqual(MAX_ASK_ITEMS);
        if (!answer.found) expect(answer.items).toEqual([]);
        for (const label of answer.sources) expect(sourceLabels.has(label)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
