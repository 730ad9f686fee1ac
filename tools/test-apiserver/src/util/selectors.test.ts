import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';

describe('label selectors', () => {
  const labels = { app: 'speaker', 'metallb.io/node': 'n1', tier: '' };
  const m = (s: string) => matchesLabels(parseLabelSelector(s), labels);
  it('supports equality, set-based and existence requirements', () => {
    expect(m('')).toBe(true);
    expect(m('app=speaker')).toBe(true);
    expect(m('app==speaker,metallb.io/node=n1')).toBe(true);
    expect(m('app!=speaker')).toBe(false);
    expect(m('app in (controller, speaker)')).toBe(true);
    expect(m('app notin (speaker)')).toBe(false);
    expect(m('metallb.io/node')).toBe(true);
    expect(m('!missing')).toBe(true);
    expect(m('!app')).toBe(false);
    expect(m('missing!=x')).toBe(true);
    expect(m('tier=')).toBe(true);
  });
  it('refuses malformed selectors with 400 BadRequest', () => {
    for (const bad of ['a in (', 'a=b=c', '=x', 'a,,b', 'a in (x y)']) {
      let err: unknown;
      try {
        parseLabelSelector(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
    }
  });
});

describe('field selectors', () => {
  it('matches =, == and != conjunctions', () => {
    const f = { 'metadata.name': 'web', 'spec.nodeName': 'n1' };
    expect(matchesFields(parseFieldSelector('metadata.name=web,spec.nodeName==n1'), f)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.nodeName!=n1'), f)).toBe(false);
    expect(matchesFields(parseFieldSelector('spec.nodeName='), { 'spec.nodeName': '' })).toBe(true);
  });
});
