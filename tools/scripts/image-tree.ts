// Assembles the final-stage file tree of IronLB's images into dist/images/<app> (what
// deploy/images/<app>.Dockerfile copies to /opt/ironlb/<app>/, and what the lab mounts there).
// The implementation and its tests live in tools/deploy-checks (src/image-tree.ts).
//   node tools/scripts/image-tree.ts [controller] [speaker] [--out DIR] [--root DIR]
import { main } from '../deploy-checks/src/image-tree.ts';

process.exitCode = main(process.argv.slice(2));
