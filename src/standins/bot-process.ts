import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const MAIN = resolve(import.meta.dirname, '../main.ts');

export interface BotProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<the port it listens on> */
  base: string;
  /** Everything the bot wrote to stderr (its log) so far. */
  stderr(): string;
  /** Rejects, with the end of the bot's log, if the process exits before `work` settles. */
  whileUp<T>(work: Promise<T>): Promise<T>;
  /** Resolves with the first log record (JSON on stderr) that matches, seen already or still to come. */
  waitForLog(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/**
 * The real bot as its own process (what `npm start` runs), with exactly the environment given, so it can be
 * killed without warning or die on its own. Resolves once it logs that it is ready.
 */
export async function launchBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', MAIN], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let partial = '';
  const records: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  child.stderr?.on('data', (d) => {
    stderr += String(d);
    partial += String(d);
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log record (a Node warning): kept in `stderr` for failure messages only.
      }
    }
    for (const listener of listeners) listener();
  });
  const waitForLog: BotProcess['waitForLog'] = (match, timeoutMs = 15_000) =>
    new Promise((found, fail) => {
      const check = () => {
        const record = records.find(match);
        if (!record) return;
        listeners.delete(check);
        clearTimeout(timer);
        found(record);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        fail(new Error(`no such log record within ${timeoutMs} ms; the bot's log ends:\n${stderr.slice(-4000)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const ready = await waitForLog((r) => r.msg === 'Bot ready').catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`the bot exited (code ${code}, signal ${signal}); its log ends:\n${stderr.slice(-3000)}`)),
    ),
  );
  // Only a caller waiting on whileUp() hears of the exit.
  exited.catch(() => {});
  return {
    child,
    base: `http://127.0.0.1:${String(ready.port)}`,
    stderr: () => stderr,
    whileUp: (work) => Promise.race([work, exited]),
    waitForLog,
  };
}
