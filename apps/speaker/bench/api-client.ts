// Creates Services on command, from inside the lab's API server namespace, and says when each
// request left: the start of the speaker bench's "Service created → prefix held by the router".
// Each Service comes with its endpoints already there (an EndpointSlice written first, the Service
// without a selector), as for a Service put in front of running pods: the lab's stand-in
// EndpointSlice controller, which reacts in ~100 ms, is not part of the figure.
//   node api-client.ts --kubeconfig FILE   (stdin: `create NAME POOL`; stdout: {"name","t"} lines)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { systemClock } from '@ironlb/clock';
import { createKubeRest, loadKubeAuth } from '@ironlb/k8s-glue/kube';

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
const rest = createKubeRest(await loadKubeAuth({ kubeconfig: values.kubeconfig as string }), {
  clock: systemClock,
});
// A watch on the Services: when each one's address shows (the controller's part of the path).
rest.watch<{
  metadata: { name: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}>(
  '/api/v1/namespaces/default/services',
  {},
  (e) => {
    const ip = e.object?.status?.loadBalancer?.ingress?.[0]?.ip;
    if (ip && e.type === 'MODIFIED')
      process.stdout.write(
        `${JSON.stringify({ allocated: e.object.metadata.name, ip, t: Date.now() })}\n`,
      );
  },
  () => undefined,
);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, name, pool] = line.trim().split(/\s+/);
  if (cmd !== 'create' || !name || !pool) continue;
  await rest.request({
    method: 'POST',
    path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
    body: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-bench`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['198.19.3.10'], nodeName: 'node-3', conditions: { ready: true } }],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    },
  });
  const t = Date.now();
  await rest.request({
    method: 'POST',
    path: '/api/v1/namespaces/default/services',
    body: {
      metadata: { name, annotations: { 'metallb.io/address-pool': pool } },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 80 }] },
    },
  });
  process.stdout.write(`${JSON.stringify({ name, t })}\n`);
}
rest.close();
