// ironlb-convert-configmap: MetalLB's pre-0.13 ConfigMap (or just its `config` text) on stdin,
// IronLB/MetalLB custom resources as YAML on stdout. Exit 0 on success; on invalid input the
// problems go to stderr, one per line, and the exit status is 1 (2 for usage errors).
import { convertConfigMap } from './configmap.js';

const USAGE = `Usage: ironlb-convert-configmap [--namespace NS] < configmap.yaml > resources.yaml

Converts MetalLB's legacy ConfigMap (address-pools, peers, bgp-communities, bfd-profiles)
into metallb.io custom resources. Reads a whole ConfigMap or only its "config" text.

  --namespace NS   namespace of the output (default: the ConfigMap's, else metallb-system)
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const args = [...argv];
  let namespace: string | undefined;
  const at = args.indexOf('--namespace');
  if (at >= 0) {
    namespace = args[at + 1];
    if (!namespace || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
      process.stderr.write(`--namespace needs a namespace name\n${USAGE}`);
      return 2;
    }
    args.splice(at, 2);
  }
  if (args.length > 0) {
    process.stderr.write(`unexpected arguments: ${args.join(' ')}\n${USAGE}`);
    return 2;
  }
  const result = convertConfigMap(await readStdin(), namespace ? { namespace } : {});
  if (!result.ok) {
    process.stderr.write(
      `ironlb-convert-configmap: the configuration is invalid:\n${result.problems.map((p) => `  - ${p.replace(/\n/g, '\n    ')}`).join('\n')}\n`,
    );
    return 1;
  }
  process.stdout.write(result.yaml);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
