// Bundled in place of undici (tsup.config.ts). @kubernetes/client-node's KubeConfig imports it
// for its own HTTP stack (createDispatcher, Watch), which IronLB does not use: @ironlb/k8s-glue
// talks to the API server over node:http(s) with KubeConfig's credentials. Loading undici costs
// ~28 MiB of RSS for nothing; anything that does reach it fails loudly.
function unavailable(): never {
  throw new Error('undici is not bundled into ironlb-controller');
}

export class Agent {
  constructor() {
    unavailable();
  }
}

export class ProxyAgent {
  constructor() {
    unavailable();
  }
}

export function fetch(): never {
  return unavailable();
}
