import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deepSdkImporters,
  deliveryFeatureImports,
  executeToolCallers,
  findCycle,
  forbiddenEdges,
  importGraph,
  reachableFrom,
  standinLeaks,
} from '../helpers/import-graph.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = resolve(ROOT, 'src');

describe('the import graph of src/', () => {
  const graph = importGraph(SRC);

  it('has no cycle', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it('points one way: features never import slack/, http/ or app.ts, and shared/ imports nothing of ours', () => {
    expect(forbiddenEdges(graph)).toEqual([]);
  });

  it('would catch a reintroduced cycle or forbidden edge', () => {
    const broken = new Map(graph);
    broken.set('shared/messages.ts', ['slack/listeners.ts']);
    expect(findCycle(broken)).toEqual(expect.arrayContaining(['shared/messages.ts', 'slack/listeners.ts']));
    expect(forbiddenEdges(broken)).toContainEqual(expect.stringContaining('shared/messages.ts -> slack/listeners.ts'));
  });
});

describe('delivery/ (inbox, queue, recovery, maintenance)', () => {
  const graph = importGraph(SRC);

  it('imports no feature: features register with it through small interfaces', () => {
    expect([...graph.keys()].filter((f) => f.startsWith('delivery/')).length).toBeGreaterThan(3);
    expect(deliveryFeatureImports(graph)).toEqual([]);
  });

  it('would catch delivery/ importing a feature', () => {
    const broken = new Map(graph);
    broken.set('delivery/recovery.ts', [...(graph.get('delivery/recovery.ts') ?? []), 'approvals/approvals.ts']);
    expect(deliveryFeatureImports(broken)).toEqual([
      'delivery/recovery.ts -> approvals/approvals.ts: delivery/ must not import a feature',
    ]);
  });
});

describe('Intercom (src/intercom/)', () => {
  it("is the only place that runs a tool through Scalekit (the port's own wrappers aside)", () => {
    const callers = executeToolCallers(SRC).filter((f) => !f.startsWith('scalekit/') && !f.startsWith('standins/'));
    expect(callers).toHaveLength(1);
    expect(callers[0]).toMatch(/^intercom\/account\.ts:\d+$/);
  });

  it('acts only with identifiers the identity map resolved: nothing else makes a ScalekitIdentifier', () => {
    const makers = [...importGraph(SRC).keys()].filter((file) =>
      /as ScalekitIdentifier\b/.test(readFileSync(resolve(SRC, file), 'utf8')),
    );
    expect(makers).toEqual(['identity/identity-store.ts']);
  });
});

describe('the stand-ins (src/standins/) and the demo (src/demo/)', () => {
  const graph = importGraph(SRC);

  it('exist, so the checks below check something', () => {
    expect([...graph.keys()].filter((f) => f.startsWith('standins/')).length).toBeGreaterThan(3);
  });

  it('are imported by nothing outside src/demo/ and src/standins/', () => {
    expect(standinLeaks(graph)).toEqual([]);
  });

  it('cannot be reached from the production entry points', () => {
    for (const entry of ['main.ts', 'audit/export.ts']) {
      const reached = [...reachableFrom(graph, entry)];
      expect(reached).toContain(entry);
      expect(reached.filter((f) => f.startsWith('standins/') || f.startsWith('demo/'))).toEqual([]);
    }
  });

  it('would catch production code importing a stand-in', () => {
    const broken = new Map(graph);
    broken.set('connect/connect-flow.ts', [
      ...(graph.get('connect/connect-flow.ts') ?? []),
      'standins/slack/emulator.ts',
    ]);
    expect(standinLeaks(broken)).toEqual([
      'connect/connect-flow.ts -> standins/slack/emulator.ts: only src/demo/ may use the stand-ins',
    ]);
    expect([...reachableFrom(broken, 'main.ts')]).toContain('standins/slack/emulator.ts');
  });
});

describe('the environment', () => {
  it('is read only by src/config.ts (the demo builds its own configuration)', () => {
    const readers = [...importGraph(SRC).keys()].filter((file) =>
      readFileSync(resolve(SRC, file), 'utf8').includes('process.env'),
    );
    expect(readers).toEqual(['config.ts']);
  });
});

describe('the benchmarks (bench/)', () => {
  it('import nothing from test/: what they share with tests lives in src/standins', () => {
    const bench = resolve(ROOT, 'bench');
    const importers = [...importGraph(bench)]
      .filter(([, targets]) => targets.some((t) => t.startsWith('../test/')))
      .map(([file]) => file);
    expect(importers).toEqual([]);
    expect(importGraph(bench).size).toBeGreaterThan(3);
  });
});

describe("the Scalekit SDK's generated code", () => {
  it('is imported only through src/scalekit/sdk-internals.ts, in src/, test/ and bench/', () => {
    const importers = ['src', 'test', 'bench'].flatMap((dir) =>
      deepSdkImporters(resolve(ROOT, dir)).map((f) => `${dir}/${f}`),
    );
    expect(importers).toEqual(['src/scalekit/sdk-internals.ts']);
  });
});
