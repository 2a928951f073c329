import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildSchema, findBreakingChanges, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

/** The public contract as SDL, committed with the code (issue 5 §7). */
export const SCHEMA_FILE = resolve(__dirname, '../../../schema.graphql');
export const CHANGELOG_FILE = resolve(__dirname, '../../../CHANGELOG.md');

export const printContract = (schema: GraphQLSchema) => `${printSchema(lexicographicSortSchema(schema)).trim()}\n`;

export async function committedContract(): Promise<string | null> {
  try {
    return await readFile(SCHEMA_FILE, 'utf8');
  } catch {
    return null;
  }
}

/** Changes that can break a client written against the committed schema, in words. */
export function breakingChanges(committed: string | null, schema: GraphQLSchema): string[] {
  if (!committed) return [];
  return findBreakingChanges(buildSchema(committed), schema).map((change) => `${change.type}: ${change.description}`);
}

/**
 * Writes the SDL, and records breaking changes under "Unreleased" in the changelog so they are called
 * out for users; their wording is then the developer's to improve.
 */
export async function writeContract(schema: GraphQLSchema): Promise<{ changed: boolean; breaking: string[] }> {
  const committed = await committedContract();
  const sdl = printContract(schema);
  if (committed === sdl) return { changed: false, breaking: [] };
  const breaking = breakingChanges(committed, schema);
  await writeFile(SCHEMA_FILE, sdl);
  if (breaking.length > 0) {
    const changelog = await readFile(CHANGELOG_FILE, 'utf8');
    const marker = '### Breaking changes to the GraphQL schema\n';
    const at = changelog.indexOf(marker);
    const lines = breaking.map((b) => `- ${b}\n`).join('');
    await writeFile(CHANGELOG_FILE, at >= 0 ? changelog.slice(0, at + marker.length) + lines + changelog.slice(at + marker.length) : changelog);
  }
  return { changed: true, breaking };
}
