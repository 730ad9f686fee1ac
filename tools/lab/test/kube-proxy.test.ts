import { describe, expect, it } from 'vitest';
import { proxyRules, type ProxyService } from '../src/cluster/kube-proxy.ts';

const ep = (addr: string, node: string, over: Partial<ProxyService['endpoints'][number]> = {}) => ({
  addresses: [addr],
  nodeName: node,
  ready: true,
  serving: true,
  terminating: false,
  ports: { http: 8080 },
  ...over,
});

const svc = (over: Partial<ProxyService> = {}): ProxyService => ({
  namespace: 'default',
  name: 'web',
  type: 'LoadBalancer',
  clusterIPs: ['198.18.0.10', '2001:db8:ff::a'],
  loadBalancerIPs: ['198.51.100.200', '2001:db8:1::200'],
  externalTrafficPolicy: 'Cluster',
  ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30080 }],
  endpoints: [
    ep('198.19.1.10', 'node-1'),
    ep('198.19.2.10', 'node-2'),
    ep('2001:db8:10:1::a', 'node-1'),
  ],
  ...over,
});
const node = { name: 'node-1', addresses: ['198.51.100.11', '2001:db8:1::11'] };
const rules = (s: ProxyService, family: 4 | 6 = 4) => proxyRules(node, [s], family).split('\n');

describe('kube-proxy stand-in rules', () => {
  it('ETP=Cluster: cluster IP, LB IP and NodePort spread over all ready endpoints; outside traffic is masqueraded', () => {
    const r = rules(svc());
    expect(r).toContain(
      'add rule ip ilbproxy services ip daddr 198.18.0.10 tcp dport 80 goto svc_default_web_TCP_80_all',
    );
    expect(r).toContain(
      'add rule ip ilbproxy services ip daddr 198.51.100.200 tcp dport 80 goto svc_default_web_TCP_80_all_ext',
    );
    expect(r).toContain(
      'add rule ip ilbproxy services ip daddr 198.51.100.11 tcp dport 30080 goto svc_default_web_TCP_80_all_ext',
    );
    expect(r).toContain(
      'add rule ip ilbproxy svc_default_web_TCP_80_all_ext meta mark set mark or 0x4000',
    );
    expect(r).toContain(
      'add rule ip ilbproxy svc_default_web_TCP_80_all_ext meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 198.19.1.10 . 8080, 1 : 198.19.2.10 . 8080 }',
    );
    // Cluster-IP traffic from pods keeps its source.
    expect(
      r.filter(
        (l) =>
          l.startsWith('add rule ip ilbproxy svc_default_web_TCP_80_all ') && l.includes('mark'),
      ),
    ).toEqual([]);
  });

  it('ETP=Local: LoadBalancer and NodePort only to this node’s endpoints, source kept', () => {
    const r = rules(svc({ externalTrafficPolicy: 'Local' }));
    expect(r).toContain(
      'add rule ip ilbproxy svc_default_web_TCP_80_local_ext meta l4proto tcp dnat to 198.19.1.10:8080',
    );
    expect(r.some((l) => l.includes('local_ext meta mark'))).toBe(false);
    const other = proxyRules(
      { name: 'node-3', addresses: ['198.51.100.13'] },
      [svc({ externalTrafficPolicy: 'Local' })],
      4,
    ).split('\n');
    expect(other).toContain('add rule ip ilbproxy svc_default_web_TCP_80_local_ext reject');
  });

  it('IPv6 rules carry only IPv6 addresses', () => {
    const r = rules(svc(), 6);
    expect(r).toContain(
      'add rule ip6 ilbproxy services ip6 daddr 2001:db8:1::200 tcp dport 80 goto svc_default_web_TCP_80_all_ext',
    );
    expect(r).toContain(
      'add rule ip6 ilbproxy svc_default_web_TCP_80_all meta l4proto tcp dnat to [2001:db8:10:1::a]:8080',
    );
    expect(r.join('\n')).not.toContain('198.');
  });

  it('not-ready endpoints are skipped; serving terminating ones are used only when nothing is ready (KEP-1669)', () => {
    const r = rules(
      svc({
        endpoints: [
          ep('198.19.1.10', 'node-1', { ready: false, serving: false }),
          ep('198.19.2.10', 'node-2'),
        ],
      }),
    );
    expect(r).toContain(
      'add rule ip ilbproxy svc_default_web_TCP_80_all meta l4proto tcp dnat to 198.19.2.10:8080',
    );
    const t = rules(
      svc({
        endpoints: [
          ep('198.19.1.10', 'node-1', { ready: false, serving: true, terminating: true }),
        ],
      }),
    );
    expect(t).toContain(
      'add rule ip ilbproxy svc_default_web_TCP_80_all meta l4proto tcp dnat to 198.19.1.10:8080',
    );
  });

  it('a Service without endpoints rejects instead of black-holing; ClusterIP services get no LB rules', () => {
    const r = rules(svc({ endpoints: [] }));
    expect(r).toContain('add rule ip ilbproxy svc_default_web_TCP_80_all reject');
    const c = rules(svc({ type: 'ClusterIP' }));
    expect(c.some((l) => l.includes('198.51.100.200'))).toBe(false);
  });

  it('rebuilds the table atomically in one script', () => {
    expect(rules(svc()).slice(0, 3)).toEqual([
      'add table ip ilbproxy',
      'delete table ip ilbproxy',
      'add table ip ilbproxy',
    ]);
  });
});
