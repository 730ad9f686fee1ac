import { describe, expect, it } from 'vitest';
import { LabError } from '../src/errors.ts';
import {
  DEFAULT_SCENARIO,
  hostByName,
  namespaceName,
  parseScenario,
  planLab,
  podAddresses,
  resolveScenario,
} from '../src/plan.ts';

describe('address plan (issue 18: fixed, so scripts and people can rely on it)', () => {
  const plan = planLab(DEFAULT_SCENARIO);

  it('puts three nodes, the client, the router and the API server on the segment', () => {
    expect(plan.nodes.map((n) => [n.name, n.v4, n.v6, n.podCidrV4, n.podCidrV6])).toEqual([
      ['node-1', '198.51.100.11', '2001:db8:1::11', '198.19.1.0/24', '2001:db8:10:1::/64'],
      ['node-2', '198.51.100.12', '2001:db8:1::12', '198.19.2.0/24', '2001:db8:10:2::/64'],
      ['node-3', '198.51.100.13', '2001:db8:1::13', '198.19.3.0/24', '2001:db8:10:3::/64'],
    ]);
    expect([plan.client.v4, plan.client.v6]).toEqual(['198.51.100.100', '2001:db8:1::100']);
    expect([plan.router.v4, plan.router.v6, plan.router.as, plan.nodeAs]).toEqual([
      '198.51.100.1',
      '2001:db8:1::1',
      64512,
      64500,
    ]);
    expect([plan.clientWan.v4, plan.clientWan.v6]).toEqual(['203.0.113.100', '2001:db8:2::100']);
    expect(plan.serviceCidrs).toEqual(['198.18.0.0/16', '2001:db8:ff::/112']);
  });

  it('finds hosts by name or label and says which exist when one does not', () => {
    expect(hostByName(plan, 'client-wan').label).toBe('clientwan');
    expect(hostByName(plan, 'node2').name).toBe('node-2');
    expect(() => hostByName(plan, 'node-9')).toThrow(
      /no host "node-9" in this lab; hosts: router, apiserver/,
    );
  });

  it('names namespaces ilb-lab-<lab>-<host>, which test sweeps (ilb-<pid>-) leave alone', () => {
    expect(namespaceName('default', 'node1')).toBe('ilb-lab-default-node1');
    expect(() => namespaceName('Bad_Name', 'x')).toThrow(LabError);
  });

  it('gives pods addresses from their node’s ranges', () => {
    expect(podAddresses(plan.nodes[1]!, 0)).toEqual({ v4: '198.19.2.10', v6: '2001:db8:10:2::a' });
    expect(podAddresses(plan.nodes[1]!, 239)).toEqual({
      v4: '198.19.2.249',
      v6: '2001:db8:10:2::f9',
    });
    expect(() => podAddresses(plan.nodes[0]!, 240)).toThrow(/no free pod address/);
  });

  it('takes named scenarios and YAML, and lists every problem of a bad one', () => {
    expect(resolveScenario('single').nodes).toBe(1);
    expect(resolveScenario('nodes: 4\nnodeGraceSec: 1').nodes).toBe(4);
    try {
      parseScenario('nodes: 12\nrouter: bird\ncolour: red');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LabError);
      expect((e as LabError).code).toBe('invalid-scenario');
      expect((e as Error).message).toBe(
        'unknown field "colour"; nodes must be an integer from 1 to 9, got 12; router must be frr, got "bird"',
      );
    }
  });
});
