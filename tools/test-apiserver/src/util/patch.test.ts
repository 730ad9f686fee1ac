import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import type { Json } from '../schema/structural.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, deletes on null and replaces lists', () => {
    const doc = { a: 1, b: { c: 2, d: 3 }, l: [1, 2] };
    expect(mergePatch(doc, { b: { c: null, e: 4 }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3, e: 4 },
      l: [3],
    });
    expect(doc).toEqual({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] });
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies add/remove/replace/move/copy/test with escaped pointers', () => {
    const doc = { metadata: { annotations: { 'metallb.io/pool': 'a' } }, l: [1, 2] };
    const out = jsonPatch(doc, [
      { op: 'replace', path: '/metadata/annotations/metallb.io~1pool', value: 'b' },
      { op: 'add', path: '/l/-', value: 3 },
      { op: 'add', path: '/l/0', value: 0 },
      { op: 'remove', path: '/l/1' },
      { op: 'copy', from: '/l/0', path: '/first' },
      { op: 'move', from: '/first', path: '/moved' },
      { op: 'test', path: '/moved', value: 0 },
    ]);
    expect(out).toEqual({
      metadata: { annotations: { 'metallb.io/pool': 'b' } },
      l: [0, 2, 3],
      moved: 0,
    });
  });

  it('fails with 422 when a path is missing or a test fails', () => {
    const fail = (ops: unknown) => {
      try {
        jsonPatch({ a: 1 }, ops);
      } catch (e) {
        return e instanceof ApiError ? [e.status, e.code] : ['other'];
      }
      return ['no error'];
    };
    expect(fail([{ op: 'remove', path: '/b' }])).toEqual([422, 'Invalid']);
    expect(fail([{ op: 'test', path: '/a', value: 2 }])).toEqual([422, 'Invalid']);
    expect(fail([{ op: 'frobnicate', path: '/a' }])).toEqual([400, 'BadRequest']);
    expect(fail({ op: 'add' })).toEqual([400, 'BadRequest']);
  });
});

describe('strategic merge patch', () => {
  const pod: { metadata: { finalizers: string[] }; spec: { containers: Json[] } } & Json = {
    metadata: { finalizers: ['a'] },
    spec: {
      containers: [
        { name: 'c1', image: 'one', env: [{ name: 'X', value: '1' }] },
        { name: 'c2', image: 'two' },
      ],
    },
  };
  it('merges lists by their patchMergeKey and primitive merge lists by value', () => {
    const out = strategicMergePatch(pod, {
      metadata: { finalizers: ['b'] },
      spec: {
        containers: [
          { name: 'c1', env: [{ name: 'Y', value: '2' }] },
          { name: 'c3', image: 'three' },
        ],
      },
    });
    expect(out).toEqual({
      metadata: { finalizers: ['a', 'b'] },
      spec: {
        containers: [
          {
            name: 'c1',
            image: 'one',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
          },
          { name: 'c2', image: 'two' },
          { name: 'c3', image: 'three' },
        ],
      },
    });
  });

  it('honours $patch delete/replace, $deleteFromPrimitiveList and $retainKeys', () => {
    expect(
      strategicMergePatch(pod, { spec: { containers: [{ name: 'c2', $patch: 'delete' }] } }),
    ).toEqual({ ...pod, spec: { containers: [pod.spec.containers[0]] } });
    expect(strategicMergePatch(pod, { spec: { $patch: 'replace', containers: [] } })).toEqual({
      ...pod,
      spec: { containers: [] },
    });
    expect(
      strategicMergePatch(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }),
    ).toEqual({ ...pod, metadata: { finalizers: [] } });
    expect(strategicMergePatch({ a: 1, b: 2, c: 3 }, { $retainKeys: ['a', 'c'], c: 4 })).toEqual({
      a: 1,
      c: 4,
    });
  });

  it('merges Service ports by port and refuses unknown directives', () => {
    const svc = { spec: { ports: [{ port: 80, name: 'http' }] } };
    expect(
      strategicMergePatch(svc, { spec: { ports: [{ port: 80, nodePort: 30001 }, { port: 443 }] } }),
    ).toEqual({
      spec: { ports: [{ port: 80, name: 'http', nodePort: 30001 }, { port: 443 }] },
    });
    expect(() => strategicMergePatch(svc, { $frob: 1 })).toThrow(ApiError);
  });
});
