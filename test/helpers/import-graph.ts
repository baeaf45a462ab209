/** Reads the import graph of a source tree and checks its direction (used by test/architecture). */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Transport and composition: the only places allowed to import feature folders and each other. */
const EDGE = ['app.ts', 'bot.ts', 'main.ts', 'http/', 'slack/'];

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
