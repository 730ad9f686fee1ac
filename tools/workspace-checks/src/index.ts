// Workspace rules as data, shared by the checks and the scripts that generate docs.
export { libraryManifestProblems, workspacePackages } from './manifests.ts';
export type { WorkspacePackage } from './manifests.ts';
