// Creates Services on command, from inside the lab's API server namespace, and says when each
// request left: the start of the speaker bench's "Service created → prefix held by the router".
//   node api-client.ts --kubeconfig FILE   (stdin: `create NAME POOL`; stdout: {"name","t"} lines)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { systemClock } from '@ironlb/clock';
import { createKubeRest, loadKubeAuth } from '@ironlb/k8s-glue/kube';

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
const rest = createKubeRest(await loadKubeAuth({ kubeconfig: values.kubeconfig as string }), {
  clock: systemClock,
});
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, name, pool] = line.trim().split(/\s+/);
  if (cmd !== 'create' || !name || !pool) continue;
  const t = Date.now();
  await rest.request({
    method: 'POST',
    path: '/api/v1/namespaces/default/services',
    body: {
      metadata: { name, annotations: { 'metallb.io/address-pool': pool } },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'web-back' },
        ports: [{ port: 80, targetPort: 80 }],
      },
    },
  });
  process.stdout.write(`${JSON.stringify({ name, t })}\n`);
}
rest.close();
