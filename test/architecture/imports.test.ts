import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycle, forbiddenEdges, importGraph } from '../helpers/import-graph.ts';

const SRC = resolve(import.meta.dirname, '../../src');

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
