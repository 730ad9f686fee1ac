// One source for everything installable: k8s-glue's generator writes deploy/crds and
// deploy/webhooks; this copies them into the chart (files/generated, read by templates/crds.yaml
// and webhooks.yaml) and renders deploy/ironlb-native.yaml from the chart with its defaults plus
// `standalone=true` (the Namespace, no Helm labels). The drift tests compare these bytes with the
// committed files. Fix drift with: npm run render -w tools/deploy-checks
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { chartDir, helm, nativeManifestPath, repoRoot } from './tools.ts';

/** The release name and namespace of the all-in-one manifest (MetalLB's namespace). */
export const NATIVE_RELEASE = 'ironlb';
export const NATIVE_NAMESPACE = 'metallb-system';
/** The values that turn a chart rendering into the all-in-one manifest (and nothing else). */
export const NATIVE_SET = ['standalone=true'] as const;

const NATIVE_HEADER = `# IronLB all-in-one manifest (the counterpart of MetalLB's metallb-native.yaml):
#   kubectl apply -f deploy/ironlb-native.yaml
# Rendered from deploy/charts/ironlb with its default values and standalone=true by
# \`npm run render -w tools/deploy-checks\`. Do not edit: a test fails when it drifts from the chart.
`;

/** Generated files that the chart carries, keyed by path relative to the repository root. */
export function chartGeneratedFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const crds = join(repoRoot, 'deploy', 'crds');
  for (const f of readdirSync(crds).sort()) {
    if (!/^metallb\.io_.+\.yaml$/.test(f)) continue;
    out.set(
      relative(repoRoot, join(chartDir, 'files', 'generated', 'crds', f)),
      readFileSync(join(crds, f), 'utf8'),
    );
  }
  const vwc = join(repoRoot, 'deploy', 'webhooks', 'validatingwebhookconfiguration.yaml');
  out.set(
    relative(
      repoRoot,
      join(chartDir, 'files', 'generated', 'webhooks', 'validatingwebhookconfiguration.yaml'),
    ),
    readFileSync(vwc, 'utf8'),
  );
  return out;
}

/** `helm template` of the chart (as committed on disk) with extra `--set` values. */
export function renderChart(
  opts: { release?: string; namespace?: string; set?: readonly string[]; values?: string[] } = {},
): Promise<string> {
  const args = [
    'template',
    opts.release ?? NATIVE_RELEASE,
    chartDir,
    '--namespace',
    opts.namespace ?? NATIVE_NAMESPACE,
  ];
  for (const s of opts.set ?? []) args.push('--set', s);
  for (const v of opts.values ?? []) args.push('--values', v);
  return helm(args);
}

/** The all-in-one manifest as it must be committed (header + rendering, Prettier-formatted). */
export async function renderNativeManifest(): Promise<string> {
  const rendered = await renderChart({ set: NATIVE_SET });
  const options = (await resolveConfig(nativeManifestPath)) ?? {};
  return format(NATIVE_HEADER + rendered, { ...options, filepath: nativeManifestPath });
}

/** Every file this renderer owns, keyed by path relative to the repository root. */
export async function renderedFiles(): Promise<Map<string, string>> {
  const files = chartGeneratedFiles();
  files.set(relative(repoRoot, nativeManifestPath), await renderNativeManifest());
  return files;
}
