// `npm run demo` (the README's main command): the seed articles' journey on a virtual bare-metal
// cluster with IronLB installed from deploy/ — see tools/lab/src/demo.ts for the steps.
//   npm run demo [-- --keep] [-- --lab NAME]
import { parseArgs } from 'node:util';
import { netnsSkipReason } from '../netns-kit/src/index.ts';
import { runDemo } from '../lab/src/demo.ts';

const { values } = parseArgs({
  options: { keep: { type: 'boolean', default: false }, lab: { type: 'string', default: 'demo' } },
});
const skip = netnsSkipReason(['nft', 'curl', 'nsenter', 'unshare', 'setpriv', '/usr/lib/frr/bgpd']);
if (skip) {
  console.error(`demo: cannot run here: ${skip}`);
  process.exit(1);
}
const rows = await runDemo({
  name: values.lab as string,
  keep: values.keep as boolean,
  say: (l) => console.log(l),
});
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
