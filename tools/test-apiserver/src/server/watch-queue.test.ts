// A watch's ordered output while objects need a conversion first: order kept, one conversion
// call for everything waiting, straight writes otherwise, and an ERROR line when converting fails.
import { describe, expect, it } from 'vitest';
import { Conversions, type ConversionHook } from '../conversion/conversions.ts';
import type { KubeObject } from '../registry/types.ts';
import type { CustomResourceDefinition } from '../schema/types.ts';
import { Store } from '../store.ts';
import { watchQueue } from './watch-queue.ts';

const crd = {
  metadata: { name: 'peers.example.io' },
  spec: {},
} as unknown as CustomResourceDefinition;
const peer = (name: string): KubeObject => ({
  apiVersion: 'example.io/v1',
  kind: 'Peer',
  metadata: { name },
  spec: { n: name },
});

function setup(hook: ConversionHook) {
  const calls: number[] = [];
  const conversions = new Conversions(new Store(), {
    conversionHook: (c, objects, to) => {
      calls.push(objects.length);
      return hook(c, objects, to);
    },
  });
  const lines: string[] = [];
  const failed: string[] = [];
  const q = watchQueue(
    conversions,
    (l) => lines.push(l),
    (l) => failed.push(l),
  );
  const converted = (o: KubeObject) => () =>
    JSON.stringify(conversions.convertSync(crd, o, 'example.io/v2').apiVersion) + o.metadata.name;
  return { q, lines, failed, calls, converted };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('watchQueue', () => {
  it('writes at once when nothing needs converting', () => {
    const { q, lines, calls } = setup((_c, o) => o);
    q.push(() => 'a');
    q.push(() => 'b');
    expect(lines).toEqual(['a', 'b']);
    expect(calls).toEqual([]);
  });

  it('keeps order behind a conversion and converts what waits in one call', async () => {
    const { q, lines, calls, converted } = setup((_c, objects, to) =>
      objects.map((o) => ({ ...o, apiVersion: to })),
    );
    q.push(converted(peer('one')));
    q.push(() => 'plain');
    q.push(converted(peer('two')));
    expect(lines).toEqual([]);
    await settle();
    await settle();
    expect(lines).toEqual(['"example.io/v2"one', 'plain', '"example.io/v2"two']);
    expect(calls.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3);
    expect(calls[0]).toBe(1);
  });

  it('ends with an ERROR event when the conversion fails', async () => {
    const { q, lines, failed, converted } = setup(() => {
      throw new Error('webhook down');
    });
    q.push(converted(peer('x')));
    q.push(() => 'after');
    await settle();
    await settle();
    expect(lines).toEqual([]);
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0] as string)).toMatchObject({
      type: 'ERROR',
      object: {
        kind: 'Status',
        code: 500,
        message:
          'Internal error occurred: conversion webhook for example.io/v1, Kind=Peer failed: webhook down',
      },
    });
    q.push(() => 'ignored');
    expect(lines).toEqual([]);
  });
});
