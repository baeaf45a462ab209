/** Reading loosely typed JSON. */
export type JsonRecord = Record<string, unknown>;

export function parseJsonOrKeep(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
