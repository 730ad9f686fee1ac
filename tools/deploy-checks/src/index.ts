// @ironlb/deploy-checks: renders deploy/ from the Helm chart and the helpers its tests share.
export {
  NATIVE_NAMESPACE,
  NATIVE_RELEASE,
  NATIVE_SET,
  chartGeneratedFiles,
  renderChart,
  renderNativeManifest,
  renderedFiles,
} from './render.ts';
export {
  DeployCheckError,
  chartDir,
  helm,
  helmPath,
  helmSkipReason,
  kubectlPath,
  nativeManifestPath,
  repoRoot,
  run,
} from './tools.ts';
export type { Run } from './tools.ts';
export { findObject, parseManifests } from './manifests.ts';
export type { K8sObject } from './manifests.ts';
export { allowed, expandGrants, grantsOf } from './rbac.ts';
export type { ApiCall, Grant } from './rbac.ts';
export { parseDockerfile } from './dockerfile.ts';
export type { Dockerfile, DockerStage, Instruction } from './dockerfile.ts';
export {
  APPS,
  ENTRY,
  IMAGE_ROOT,
  ImageTreeError,
  bareImports,
  buildImageTree,
  main as imageTreeMain,
  packageName,
  treeDir,
} from './image-tree.ts';
export type { AppName, ExternalPackage, ImageTreeOptions, ImageTreeResult } from './image-tree.ts';
