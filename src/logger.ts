import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { LogLevelName } from './config.ts';

/** Bolt's logger interface (so Bolt logs through us) plus structured calls: a constant message and a context. */
export interface Logger extends BoltLogger {
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: LogLevelName;
  /** Strings that must never be written (tokens, secrets); replaced wherever they appear. */
  secrets?: readonly string[];
  write?: (line: string) => void;
  now?: () => number;
}

const RANK: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const TO_BOLT: Record<LogLevelName, LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

/** JSON lines on stderr. Errors are reduced to name/code/message/stack: SDK errors can carry request configs with tokens. */
export function createLogger(options: LoggerOptions, bindings: Record<string, unknown> = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  // Shorter values (a stray "x" in a .env) would match inside ordinary words everywhere and protect nothing.
  // Each secret is matched as the line spells it: JSON escapes quotes, backslashes and control characters.
  const secrets = (options.secrets ?? [])
    .filter((s) => s.length >= 6)
    .map((s) => JSON.stringify(s).slice(1, -1))
    .sort((a, b) => b.length - a.length);
  let level = options.level;
  let name: string | undefined;

  const emit = (lvl: LogLevelName, args: unknown[]) => {
    if (RANK[lvl] < RANK[level]) return;
    const record: Record<string, unknown> = { time: new Date(now()).toISOString(), level: lvl };
    if (name) record.logger = name;
    Object.assign(record, bindings);
    const texts: string[] = [];
    for (const arg of args) {
      if (typeof arg === 'string') texts.push(arg);
      else if (arg instanceof Error) record.err = describeError(arg);
      else if (arg !== null && typeof arg === 'object') Object.assign(record, arg);
      else if (arg !== undefined) texts.push(String(arg));
    }
    record.msg = texts.join(' ');
    let line = safeStringify(record);
    for (const secret of secrets) line = line.replaceAll(secret, '[redacted]');
    write(`${line}\n`);
  };

  return {
    debug: (...args: unknown[]) => emit('debug', args),
    info: (...args: unknown[]) => emit('info', args),
    warn: (...args: unknown[]) => emit('warn', args),
    error: (...args: unknown[]) => emit('error', args),
    setLevel: (l: LogLevel) => {
      level = l as LogLevelName;
    },
    getLevel: () => TO_BOLT[level],
    setName: (n: string) => {
      name = n;
    },
    child: (more) => createLogger({ ...options, level }, { ...bindings, ...more }),
  };
}

export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (error.stack) out.stack = error.stack.split('\n').slice(0, 6).join('\n');
  if (error.cause !== undefined) out.cause = describeError(error.cause);
  return out;
}

function safeStringify(value: unknown): string {
  const seen = new WeakSet();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Error) return describeError(v);
    if (typeof v === 'bigint') return v.toString();
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}
