/** Reads the import graph of a source tree and checks its direction (used by test/architecture). */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Transport and composition: the only places allowed to import feature folders and each other. The demo is another
 * entry point that starts the bot (and nothing imports it: see standinLeaks).
 */
const EDGE = ['app.ts', 'bot.ts', 'main.ts', 'http/', 'slack/', 'demo/'];

/** Every `import … from '…'`, `export … from '…'` and `import('…')` of ours, type-only ones included. */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const source = readFileSync(join(root, file), 'utf8');
    const targets = [...source.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(root, resolve(root, dirname(file), m[1] as string)),
    );
    graph.set(file, targets);
  }
  return graph;
}

export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Imports that break the one-way rules: features never reach up into transport or composition. */
export function forbiddenEdges(graph: Map<string, string[]>): string[] {
  const isEdge = (file: string) => EDGE.some((e) => file === e || file.startsWith(e));
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const problem =
        (!isEdge(from) && isEdge(to) && `a feature imports transport/composition`) ||
        (from.startsWith('shared/') && !to.startsWith('shared/') && 'shared/ must be a leaf') ||
        (to.startsWith('..') && 'src imports from outside src');
      if (problem) bad.push(`${from} -> ${to}: ${problem}`);
    }
  }
  return bad;
}

/** Folders only the demo may use: the loopback stand-ins for Slack, Scalekit, Intercom and the model, and the demo. */
const DEMO_ONLY = ['standins/', 'demo/'];

/**
 * Imports of the stand-ins (or of the demo) from anywhere but the demo and the stand-ins themselves: production code
 * must never be able to reach a fake Slack or a fake Scalekit.
 */
export function standinLeaks(graph: Map<string, string[]>): string[] {
  const demoOnly = (file: string) => DEMO_ONLY.some((folder) => file.startsWith(folder));
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    if (demoOnly(from)) continue;
    for (const to of targets) if (demoOnly(to)) bad.push(`${from} -> ${to}: only src/demo/ may use the stand-ins`);
  }
  return bad;
}

/** Every file reachable from `start` through imports, `start` included. */
export function reachableFrom(graph: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  for (let file = stack.pop(); file !== undefined; file = stack.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(graph.get(file) ?? []));
  }
  return seen;
}

/** Files under `root` that import the Scalekit SDK's generated code (`@scalekit-sdk/node/lib/…`) directly. */
export function deepSdkImporters(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => /(?:from\s+|import\s*\(\s*)'@scalekit-sdk\/node\/lib\//.test(readFileSync(join(root, f), 'utf8')));
}

/** What delivery/ (the inbox, the queue, recovery, maintenance) may import: infrastructure, never a feature. */
const DELIVERY_MAY_IMPORT = ['delivery/', 'shared/', 'db/', 'logger.ts', 'errors.ts'];

/** Imports from delivery/ of anything but infrastructure: features register with delivery, never the reverse. */
export function deliveryFeatureImports(graph: Map<string, string[]>): string[] {
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    if (!from.startsWith('delivery/')) continue;
    for (const to of targets) {
      if (!DELIVERY_MAY_IMPORT.some((allowed) => to === allowed || to.startsWith(allowed))) {
        bad.push(`${from} -> ${to}: delivery/ must not import a feature`);
      }
    }
  }
  return bad;
}

/** Files under `root` (and where in them) that call `executeTool(`, the Scalekit tool execution. */
export function executeToolCallers(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) =>
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\.executeTool\(/.test(line) ? [`${f}:${i + 1}`] : [])),
    );
}
