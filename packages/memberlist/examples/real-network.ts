import { createMemberlist, createNetTransport, Keyring } from '@ironlb/memberlist';

// Two members on real UDP and TCP sockets, on free ports of an address of this host (default
// loopback): npx tsx examples/real-network.ts [ADDRESS]
const host = process.argv[2] ?? '127.0.0.1';
const keyring = () => Keyring.fromSecrets(['shared secret of any length']);
const start = async (name: string) => {
  // Port 0: any free port (the same number for UDP and TCP); a real deployment uses 7946.
  const transport = await createNetTransport({}, { bindAddr: `${host}:0` });
  const m = createMemberlist({ transport, keyring: keyring() }, { name, profile: 'fast' });
  m.onEvent((e) => console.log(`${name} sees ${e.type} ${e.member.name}`));
  m.start();
  return m;
};
const a = await start('a');
const b = await start('b');
console.log('b reached', await b.join([a.addr]), 'seed');
await new Promise((r) => setTimeout(r, 500));
await b.leave(); // a learns it at once
await a.shutdown();
