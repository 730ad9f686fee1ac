// API paths of the objects the controller (and later the speaker) watches and writes.
export const paths = {
  services: () => '/api/v1/services',
  serviceStatus: (ns: string, name: string) => `/api/v1/namespaces/${ns}/services/${name}/status`,
  namespaces: () => '/api/v1/namespaces',
  nodes: () => '/api/v1/nodes',
  secrets: (ns: string) => `/api/v1/namespaces/${ns}/secrets`,
  configMaps: (ns: string) => `/api/v1/namespaces/${ns}/configmaps`,
  pod: (ns: string, name: string) => `/api/v1/namespaces/${ns}/pods/${name}`,
  deployment: (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
  metallb: (ns: string, version: string, plural: string) =>
    `/apis/metallb.io/${version}/namespaces/${ns}/${plural}`,
} as const;

/** The metallb.io kinds and the versions the controller reads them at. */
export const METALLB_KINDS = {
  pools: { version: 'v1beta1', plural: 'ipaddresspools' },
  communities: { version: 'v1beta1', plural: 'communities' },
  peers: { version: 'v1beta2', plural: 'bgppeers' },
  bfdProfiles: { version: 'v1beta1', plural: 'bfdprofiles' },
  bgpAdvertisements: { version: 'v1beta1', plural: 'bgpadvertisements' },
  l2Advertisements: { version: 'v1beta1', plural: 'l2advertisements' },
  configurationStates: { version: 'v1beta1', plural: 'configurationstates' },
} as const;
