// Creates a topology with a namespace and a process inside it, prints the namespace's name, then
// dies by SIGKILL without cleaning up: what a crashed test run leaves behind.
import { Topology } from '../src/index.ts';

const topo = await Topology.create('crash');
const ns = await topo.addNamespace('a');
ns.spawn(['sleep', '300']);
console.log(JSON.stringify({ namespace: ns.name }));
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200);
