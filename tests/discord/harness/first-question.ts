/**
 * The interview's opening as the engine asks it (not hard-coded): the first
 * question, the answer these tests give it (its first option), and the question
 * asked next. Embeds of questions are titled with the criterion's title.
 */
import { askedAfter, firstQuestion, optionOf } from '../../support/questions.ts';
import { testKnowledge } from './bot-under-test.ts';

/** The first question of every interview. */
export const FIRST = firstQuestion(testKnowledge());
/** The answer the tests give the first question: its first option (id and label). */
export const FIRST_ANSWER = optionOf(testKnowledge(), FIRST);
/** The question asked after that answer. */
export const SECOND = askedAfter(testKnowledge(), { [FIRST]: FIRST_ANSWER.id });

/** A criterion's title: the title of its question's embed. */
export function titleOf(criterion: string): string {
  return testKnowledge().criterionById.get(criterion)!.title;
}
