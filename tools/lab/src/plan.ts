// The lab's fixed address plan (issue 18), derived from a short scenario. Pure: the same scenario
// always gives the same plan, so scripts, tests and people can rely on the addresses.
//
//   segment   198.51.100.0/24, 2001:db8:1::/64   router .1, apiserver .2, node-n .(10+n), client .100
//   WAN       203.0.113.0/24,  2001:db8:2::/64   router .1, client-wan .100
//   pods      node n: 198.19.n.0/24, 2001:db8:10:n::/64 (bridge cbr0 at .1 / ::1)
//   services  198.18.0.0/16, 2001:db8:ff::/112 (cluster IPs; the test API server allocates them)
//   BGP       router AS 64512, nodes AS 64500
// Documentation ranges only (RFC 5737, RFC 3849) plus the benchmarking range 198.18.0.0/15 for
// cluster-internal addresses (DESIGN.md §4).
import { parse as parseYaml } from 'yaml';
import { LabError } from './errors.ts';

export interface Scenario {
  /** How many nodes (node-1 .. node-N), 1 to 9. */
  nodes: number;
  /** The router's BGP daemon: FRR, whose zebra installs what it learns with ECMP. */
  router: 'frr';
  /** Extra labels per node name, e.g. { 'node-2': { zone: 'b' } }. */
  nodeLabels: Record<string, Record<string, string>>;
  /** Seconds a crashed node's pods stay Ready before the stand-in marks them NotReady. */
  nodeGraceSec: number;
}

export const DEFAULT_SCENARIO: Scenario = {
  nodes: 3,
  router: 'frr',
  nodeLabels: {},
  nodeGraceSec: 5,
};

/** Named scenarios `npm run lab -- up NAME` accepts; a file path works too. */
export const SCENARIOS: Record<string, Partial<Scenario>> = {
  default: {},
  single: { nodes: 1 },
  five: { nodes: 5 },
};

export function parseScenario(text: string): Scenario {
  const raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set(Object.keys(DEFAULT_SCENARIO));
  for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(`unknown field "${k}"`);
  const s: Scenario = { ...DEFAULT_SCENARIO, ...(raw as Partial<Scenario>) };
  if (!Number.isInteger(s.nodes) || s.nodes < 1 || s.nodes > 9)
    problems.push(`nodes must be an integer from 1 to 9, got ${JSON.stringify(s.nodes)}`);
  if (s.router !== 'frr') problems.push(`router must be frr, got ${JSON.stringify(s.router)}`);
  if (!(typeof s.nodeGraceSec === 'number' && s.nodeGraceSec >= 0))
    problems.push(`nodeGraceSec must be a number ≥ 0`);
  if (problems.length) throw new LabError('invalid-scenario', problems.join('; '));
  return s;
}

export function resolveScenario(nameOrYaml: string | undefined): Scenario {
  if (nameOrYaml === undefined) return { ...DEFAULT_SCENARIO };
  const named = SCENARIOS[nameOrYaml];
  if (named) return { ...DEFAULT_SCENARIO, ...named };
  return parseScenario(nameOrYaml);
}

export interface HostPlan {
  /** The name people use: node-1, client, router, client-wan, apiserver. */
  name: string;
  /** Namespace label (netns names allow more, but interface and label rules keep it short). */
  label: string;
  v4: string;
  v6: string;
}

export interface NodePlan extends HostPlan {
  index: number;
  podCidrV4: string;
  podCidrV6: string;
  /** The node's own address on its pod bridge (the pods' default gateway). */
  bridgeV4: string;
  bridgeV6: string;
}

export interface LabPlan {
  scenario: Scenario;
  segmentV4: string;
  segmentV6: string;
  wanV4: string;
  wanV6: string;
  serviceCidrs: [string, string];
  router: HostPlan & { as: number; wanV4: string; wanV6: string };
  apiserver: HostPlan & { port: number };
  client: HostPlan;
  clientWan: HostPlan;
  nodes: NodePlan[];
  nodeAs: number;
}

export function planLab(scenario: Scenario): LabPlan {
  const nodes: NodePlan[] = [];
  for (let n = 1; n <= scenario.nodes; n++) {
    nodes.push({
      index: n,
      name: `node-${n}`,
      label: `node${n}`,
      v4: `198.51.100.${10 + n}`,
      v6: `2001:db8:1::${10 + n}`,
      podCidrV4: `198.19.${n}.0/24`,
      podCidrV6: `2001:db8:10:${n}::/64`,
      bridgeV4: `198.19.${n}.1`,
      bridgeV6: `2001:db8:10:${n}::1`,
    });
  }
  return {
    scenario,
    segmentV4: '198.51.100.0/24',
    segmentV6: '2001:db8:1::/64',
    wanV4: '203.0.113.0/24',
    wanV6: '2001:db8:2::/64',
    serviceCidrs: ['198.18.0.0/16', '2001:db8:ff::/112'],
    router: {
      name: 'router',
      label: 'router',
      v4: '198.51.100.1',
      v6: '2001:db8:1::1',
      wanV4: '203.0.113.1',
      wanV6: '2001:db8:2::1',
      as: 64512,
    },
    apiserver: {
      name: 'apiserver',
      label: 'apiserver',
      v4: '198.51.100.2',
      v6: '2001:db8:1::2',
      port: 6443,
    },
    client: { name: 'client', label: 'client', v4: '198.51.100.100', v6: '2001:db8:1::100' },
    clientWan: {
      name: 'client-wan',
      label: 'clientwan',
      v4: '203.0.113.100',
      v6: '2001:db8:2::100',
    },
    nodes,
    nodeAs: 64500,
  };
}

/** Every host by the name people use. */
export function hosts(plan: LabPlan): HostPlan[] {
  return [plan.router, plan.apiserver, plan.client, plan.clientWan, ...plan.nodes];
}

export function hostByName(plan: LabPlan, name: string): HostPlan {
  const h = hosts(plan).find((x) => x.name === name || x.label === name);
  if (!h)
    throw new LabError(
      'unknown-host',
      `no host "${name}" in this lab; hosts: ${hosts(plan)
        .map((x) => x.name)
        .join(', ')}`,
    );
  return h;
}

export function nodeByName(plan: LabPlan, name: string): NodePlan {
  const n = plan.nodes.find((x) => x.name === name || x.label === name);
  if (!n)
    throw new LabError(
      'unknown-host',
      `no node "${name}"; nodes: ${plan.nodes.map((x) => x.name).join(', ')}`,
    );
  return n;
}

const LAB_NAME = /^[a-z0-9]{1,10}$/;

/** Namespace name of a host: `ilb-lab-<lab>-<label>` (not `ilb-<pid>-`, so test sweeps leave a running lab alone). */
export function namespaceName(lab: string, label: string): string {
  if (!LAB_NAME.test(lab))
    throw new LabError('invalid-argument', `lab name must match ${LAB_NAME}: ${lab}`);
  return `ilb-lab-${lab}-${label}`;
}

export function checkLabName(lab: string): string {
  if (!LAB_NAME.test(lab))
    throw new LabError('invalid-argument', `lab name must match ${LAB_NAME}: ${lab}`);
  return lab;
}

/** Pod n on a node: 198.19.<node>.<10+n>, 2001:db8:10:<node>::<hex 10+n>. */
export function podAddresses(node: NodePlan, slot: number): { v4: string; v6: string } {
  if (!(slot >= 0 && slot < 240))
    throw new LabError('pods-exhausted', `node ${node.name} has no free pod address`);
  const host = 10 + slot;
  return {
    v4: `198.19.${node.index}.${host}`,
    v6: `2001:db8:10:${node.index}::${host.toString(16)}`,
  };
}
