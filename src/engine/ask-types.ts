/** The answer to a free question about the frameworks (`/advisor ask ...`). */
export interface AskItem {
  /** A claim from the knowledge base, paraphrased. */
  text: string;
  /** Labels of the sources that make it. */
  sources: string[];
  /** When the claim is dated or wrong: what the official documentation says, with its source labels inline. */
  correction?: string;
}

export interface AskAnswer {
  question: string;
  /** False when the knowledge base has nothing on the question. */
  found: boolean;
  /** One line to lead with, e.g. "Here is what the sources say about ORM:" or the plain "nothing on that" answer. */
  headline: string;
  items: AskItem[];
  /** Disagreements between sources that the items touch, one line each with sources named. */
  caveats: string[];
  /** Every source label cited, in first-use order. */
  sources: string[];
}
