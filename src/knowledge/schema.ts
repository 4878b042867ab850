/**
 * The shape of a knowledge pack, validated with zod on load.
 *
 * A pack is a folder of YAML files. Every file may hold any of the top-level
 * sections below; the loader merges them and then checks cross references
 * (claims -> sources, effects -> frameworks and claims, disputes -> claims).
 */
import { z } from 'zod';

/** Lower-case identifiers: `web_app`, `django`, `stx_next`. Public contract for scripts and saved sessions. */
export const idSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case id (letters, digits, underscores; starting with a letter)');

const nonEmptyText = z.string().trim().min(1, 'must not be empty');

export const sourceSchema = z
  .object({
    id: idSchema,
    /** `article`: one of the comparison articles the knowledge is written from. `official_docs`: a framework's own documentation, used for corrections. */
    kind: z.enum(['article', 'official_docs']),
    /** Publisher as the article names itself; null when the article does not say. */
    publisher: z.string().trim().min(1).nullable(),
    /** Title as the article gives it; null when it gives none. */
    title: z.string().trim().min(1).nullable(),
    /** How the bot names the source in a citation, e.g. "STX Next: Flask vs. Django". */
    label: nonEmptyText,
    author: z.string().trim().min(1).optional(),
    /** Only where the source itself is public documentation with a known address; never invented for articles. */
    url: z.url().optional(),
    /** Free-form note about the source (e.g. that it sells development services). */
    note: z.string().trim().min(1).optional(),
  })
  .strict();

export const frameworkSchema = z
  .object({
    id: idSchema,
    name: nonEmptyText,
    /** A short paraphrased description with the claims it rests on. */
    summary: nonEmptyText,
    claims: z.array(idSchema).default([]),
  })
  .strict();

export const correctionSchema = z
  .object({
    /** What is actually true today, in our own words. */
    text: nonEmptyText,
    /** Must name at least one `official_docs` source. */
    sources: z.array(idSchema).min(1, 'a correction must cite at least one source'),
  })
  .strict();

export const claimSchema = z
  .object({
    id: idSchema,
    /** The claim, paraphrased in our own words. */
    text: nonEmptyText,
    /** The article(s) that make the claim. */
    sources: z.array(idSchema).min(1, 'a claim must name at least one source'),
    /** Frameworks the claim is about. */
    about: z.array(idSchema).min(1, 'a claim must be about at least one framework'),
    /** Extra search words for `ask` (synonyms, abbreviations) that the text may not contain. */
    keywords: z.array(nonEmptyText).default([]),
    /** Present when the claim is dated or wrong: the claim stays as the article said it, and the bot shows both. */
    correction: correctionSchema.optional(),
  })
  .strict();

export const disputeSideSchema = z
  .object({
    /** One position in the disagreement, paraphrased. */
    position: nonEmptyText,
    claims: z.array(idSchema).min(1, 'a side must rest on at least one claim'),
  })
  .strict();

export const disputeSchema = z
  .object({
    id: idSchema,
    topic: nonEmptyText,
    /** One line saying what the disagreement is about. */
    summary: nonEmptyText,
    sides: z.array(disputeSideSchema).min(2, 'a dispute needs at least two sides'),
  })
  .strict();

export const effectSchema = z
  .object({
    framework: idSchema,
    /**
     * Points this answer gives the framework, 0 to 3. Points are never negative: an answer
     * that speaks against a framework gives points to the others instead, so answering can
     * never lower a framework's score.
     */
    points: z.number().int().min(0).max(3),
    /** The claims that justify these points; required whenever points > 0. */
    claims: z.array(idSchema).default([]),
  })
  .strict();

/**
 * What a number in a typed answer counts. `people`: developers on the team ("4 devs", "2 founders",
 * a bare "3" at that question); `users`: people using the product ("50k readers a month");
 * `deadline`: how soon the first version must ship ("ship in three weeks"); `lifespan`: how long the
 * project lives ("for the next decade", "10+ years").
 */
export const QUANTITY_KINDS = ['people', 'users', 'deadline', 'lifespan'] as const;
export type QuantityKind = (typeof QUANTITY_KINDS)[number];
const DURATION_KINDS: readonly QuantityKind[] = ['deadline', 'lifespan'];

/** Days per duration unit, for range bounds such as "3 months". */
export const DAYS_PER_UNIT: Readonly<Record<string, number>> = {
  day: 1,
  week: 7,
  month: 365.25 / 12,
  quarter: 365.25 / 4,
  year: 365.25,
  decade: 3652.5,
};

const DURATION_TEXT = /^(\d+(?:\.\d+)?)\s*(day|week|month|quarter|year|decade)s?$/;

/** A bound: a count for people and users, a duration ("3 months", "2.5 years") for deadline and lifespan. */
const boundSchema = z.union([z.number().nonnegative('must not be negative'), z.string().trim().min(1)]);

export const rangeSchema = z
  .object({
    quantity: z.enum(QUANTITY_KINDS, { error: `must be one of: ${QUANTITY_KINDS.join(', ')}` }),
    /** Smallest amount this option stands for (inclusive); none means from zero. */
    min: boundSchema.optional(),
    /** Largest amount (inclusive); none means no upper limit. */
    max: boundSchema.optional(),
  })
  .strict()
  .transform((range, ctx) => {
    const duration = DURATION_KINDS.includes(range.quantity);
    const read = (bound: number | string | undefined, key: 'min' | 'max'): number | undefined => {
      if (bound === undefined || typeof bound === 'number') return bound;
      const m = duration ? DURATION_TEXT.exec(bound) : null;
      if (m) return Number(m[1]) * DAYS_PER_UNIT[m[2]!]!;
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: duration
          ? `"${bound}" is not a duration: write a number and a unit, e.g. "3 weeks", "2.5 years" (or a number of days)`
          : `a ${range.quantity} bound must be a number, not "${bound}"`,
      });
      return undefined;
    };
    const min = read(range.min, 'min');
    const max = read(range.max, 'max');
    if (range.min === undefined && range.max === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a range needs a min, a max or both' });
    }
    if (min !== undefined && max !== undefined && min > max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${String(range.max)}) is below min (${String(range.min)})` });
    }
    return { quantity: range.quantity, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
  });

export const optionSchema = z
  .object({
    id: idSchema,
    label: nonEmptyText,
    /** Words and phrases a user might type for this option (matched case-insensitively by the free-text parser). */
    synonyms: z.array(nonEmptyText).default([]),
    /**
     * Words that mean this option only while its question is asked, or its topic is named in the
     * same clause: too common to fill it from another answer ("long" in "as long as I care").
     */
    synonyms_when_asked: z.array(nonEmptyText).optional(),
    /** The amounts this option stands for, e.g. `{ quantity: people, min: 2, max: 5 }`. */
    range: rangeSchema.optional(),
    effects: z.array(effectSchema).default([]),
  })
  .strict();

export const criterionSchema = z
  .object({
    id: idSchema,
    /** Short name for lists and summaries, e.g. "Admin panel". */
    title: nonEmptyText,
    question: nonEmptyText,
    /** One line: why this criterion matters for the choice. */
    why: nonEmptyText,
    options: z.array(optionSchema).min(2, 'a criterion needs at least two options'),
    /** The option a negated answer selects: "we don't need an admin panel" -> `no`. Without it, a negated phrase is dropped. */
    negative_option: idSchema.optional(),
    /**
     * The other options are alternatives, not degrees of one thing: a negated option phrase ("we don't use
     * MongoDB") rules that option out and picks none, while a negated mention of the criterion itself ("no
     * database") still picks `negative_option`.
     */
    options_are_alternatives: z.boolean().optional(),
    /** The option a bare "yes" (or "sure", "yep", ...) picks while this question is asked. */
    yes_option: idSchema.optional(),
    /** The option a bare "no" (or "nope", "not really", ...) picks while this question is asked. */
    no_option: idSchema.optional(),
    /** The option a "not for now" / "not yet" answer picks while this question is asked, instead of the negative or "no" one. */
    later_option: idSchema.optional(),
  })
  .strict();

/** Pack-wide wording for typed answers. */
export const vocabularySchema = z
  .object({
    /**
     * Groups of single words that mean the same in an answer ("app", "application"; "lib",
     * "library", "tool"): a synonym written with one matches a message written with another.
     */
    same_words: z
      .array(
        z
          .array(
            z
              .string()
              .trim()
              .toLowerCase()
              .regex(/^[\p{L}\p{N}]+$/u, 'must be a single word (letters and digits only)'),
          )
          .min(2, 'a group needs at least two words'),
      )
      .default([]),
    /**
     * Kinds of things named by single words (`languages: [english, welsh, ...]`): two or more
     * different words of one kind in a sentence read as the phrase "several <kind>".
     */
    kinds: z
      .record(
        z.string().regex(/^[a-z]+$/, 'must be a lower-case word'),
        z.array(z.string().trim().toLowerCase().regex(/^[\p{L}\p{N}]+$/u, 'must be a single word (letters and digits only)')).min(2, 'a kind needs at least two words'),
      )
      .default({}),
  })
  .strict();

export const packFileSchema = z
  .object({
    sources: z.array(sourceSchema).optional(),
    frameworks: z.array(frameworkSchema).optional(),
    claims: z.array(claimSchema).optional(),
    disputes: z.array(disputeSchema).optional(),
    criteria: z.array(criterionSchema).optional(),
    vocabulary: vocabularySchema.optional(),
  })
  .strict();

export type Source = z.infer<typeof sourceSchema>;
export type Framework = z.infer<typeof frameworkSchema>;
export type Claim = z.infer<typeof claimSchema>;
export type Correction = z.infer<typeof correctionSchema>;
export type Dispute = z.infer<typeof disputeSchema>;
export type Effect = z.infer<typeof effectSchema>;
export type Option = z.infer<typeof optionSchema>;
export type Criterion = z.infer<typeof criterionSchema>;
export type Range = z.infer<typeof rangeSchema>;
export type Vocabulary = z.infer<typeof vocabularySchema>;
export type PackFile = z.infer<typeof packFileSchema>;

/** The reserved option every criterion accepts: "don't know", which counts for no side. */
export const SKIP = 'skip';
