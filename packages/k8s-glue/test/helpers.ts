// Shared test helpers: object builders and fixture loading.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export const NS = 'metallb-system';

export function fixture(rel: string): string {
  return readFileSync(new URL(`./fixtures/${rel}`, import.meta.url), 'utf8');
}

export function yamlDocs(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);
}

export const meta = (name: string, labels?: Record<string, string>) => ({
  name,
  namespace: NS,
  ...(labels ? { labels } : {}),
});
