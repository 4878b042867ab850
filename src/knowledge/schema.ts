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

export const optionSchema = z
  .object({
    id: idSchema,
    label: nonEmptyText,
    /** Words and phrases a user might type for this option (matched case-insensitively by the free-text parser). */
    synonyms: z.array(nonEmptyText).default([]),
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
  })
  .strict();

export const packFileSchema = z
  .object({
    sources: z.array(sourceSchema).optional(),
    frameworks: z.array(frameworkSchema).optional(),
    claims: z.array(claimSchema).optional(),
    disputes: z.array(disputeSchema).optional(),
    criteria: z.array(criterionSchema).optional(),
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
export type PackFile = z.infer<typeof packFileSchema>;

/** The reserved option every criterion accepts: "don't know", which counts for no side. */
export const SKIP = 'skip';
