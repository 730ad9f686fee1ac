// Fakes shipped with k8s-glue (DESIGN.md §3): an in-memory implementation of the Kubernetes
// operations the webhook certificate manager uses. Clocks come from @ironlb/clock/testing
// (ManualWallClock for CertManager, ManualClock for the rotation timer).
export { InMemoryWebhookKubeClient } from './fake-kube-client.js';
