/**
 * Knowledge packs on disk for tests: copies of the real `knowledge/` folder in
 * temp directories, edited through the `yaml` package, and a helper that
 * returns the problems a load reports.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { KnowledgeError, type KnowledgeProblem } from '../../src/knowledge/load.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REAL_KNOWLEDGE_DIR = join(REPO_ROOT, 'knowledge');

/** A YAML file's data, loosely typed so tests can break it any way they like. */
export type YamlData = Record<string, any>;

const created: string[] = [];

/** An empty temp folder (removed by `removeTempPacks`). */
export function emptyTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'advisor-kb-'));
  created.push(dir);
  return dir;
}

/** A temp copy of the real knowledge folder. */
export function copyRealPack(): string {
  const dir = emptyTempDir();
  cpSync(REAL_KNOWLEDGE_DIR, dir, { recursive: true });
  return dir;
}

export function removeTempPacks(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function readYaml(dir: string, file: string): YamlData {
  return parse(readFileSync(join(dir, file), 'utf8')) as YamlData;
}

/** Parses `file`, lets `mutate` change the data, writes it back. */
export function editYaml(dir: string, file: string, mutate: (data: YamlData) => void): void {
  const data = readYaml(dir, file);
  mutate(data);
  writeFileSync(join(dir, file), stringify(data));
}

export function writeText(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text);
}

export function readText(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

/** Runs `load` and returns the KnowledgeError it throws; fails the test when it does not throw one. */
export function knowledgeErrorOf(load: () => unknown): KnowledgeError {
  try {
    load();
  } catch (error) {
    if (error instanceof KnowledgeError) return error;
    throw new Error(`expected a KnowledgeError, got: ${String(error)}`);
  }
  throw new Error('expected loading to fail with a KnowledgeError, but it succeeded');
}

export function problemsOf(load: () => unknown): readonly KnowledgeProblem[] {
  return knowledgeErrorOf(load).problems;
}

/** Index of the item with `id` in a list of the real pack's file, failing loudly when it is absent. */
export function indexOfId(list: ReadonlyArray<{ id: string }>, id: string): number {
  const index = list.findIndex((item) => item.id === id);
  if (index < 0) throw new Error(`test setup: no item "${id}" in the real pack`);
  return index;
}
