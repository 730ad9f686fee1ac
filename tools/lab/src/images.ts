// Which program an image stands for in the lab (there is no container engine): IronLB's own
// images run the apps from an image tree assembled the way the Dockerfiles build them (mounted
// at /opt/ironlb, where the images keep them); every other image (nginx, httpd, static-site...) is
// an application and runs the lab's pod server.
import { join } from 'node:path';
import type { ImageRun } from './cluster/kubelet.ts';

/** Where `tools/scripts/image-tree.ts` assembles an app's image contents. */
export function imageTreeDir(root: string, app: 'controller' | 'speaker'): string {
  return join(root, 'dist', 'images', app);
}

export function imageRun(image: string, root: string): ImageRun {
  const m = /(?:^|\/)ironlb[-/](controller|speaker)(?::|@|$)/.exec(image);
  if (m) {
    const app = m[1] as 'controller' | 'speaker';
    return {
      entrypoint: ['node', `/opt/ironlb/${app}/main.js`],
      tree: { source: imageTreeDir(root, app), target: `/opt/ironlb/${app}` },
      workingDir: `/opt/ironlb/${app}`,
      // The Dockerfiles' USER: non-root (the speaker's manifest asks for root, for NET_RAW).
      user: 65534,
    };
  }
  return { entrypoint: [], appServer: true };
}
