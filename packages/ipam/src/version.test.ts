import { describe, expect, it } from 'vitest';
import { IPAM_VERSION } from './index.js';

describe('ipam', () => {
  it('exports its version', () => {
    expect(IPAM_VERSION).toBe('0.1.0');
  });
});
