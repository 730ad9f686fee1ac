// Fakes shipped with k8s-glue (DESIGN.md §3): a manual clock and an in-memory implementation
// of the Kubernetes operations the webhook certificate manager uses.
export { ManualClock } from './clock.js';
export { InMemoryWebhookKubeClient } from './fake-kube-client.js';
