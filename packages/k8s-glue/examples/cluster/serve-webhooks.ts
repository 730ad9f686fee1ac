import { KubeConfig } from '@kubernetes/client-node';
import { CertManager, createWebhookServer, startCertRotation } from '@ironlb/k8s-glue';
import { listClusterResources, webhookKubeClientFromConfig } from '@ironlb/k8s-glue/kube';

const kc = new KubeConfig();
kc.loadFromDefault();
const certs = new CertManager({ client: webhookKubeClientFromConfig(kc) }); // dates: systemWallClock
const { bundle } = await certs.ensure(); // creates/renews the Secret, patches the caBundles
const server = createWebhookServer(
  { resources: () => listClusterResources(kc) }, // the metallb.io objects that exist now
  { cert: bundle.serving.certPem, key: bundle.serving.keyPem },
);
await server.listen();
// Hourly: renew before expiry and hand new certificates to the running server.
startCertRotation({
  manager: certs,
  onCertificate: (b) => server.updateCertificate(b.serving.certPem, b.serving.keyPem),
});
