import { createMemberlist, createNetTransport, Keyring } from '@ironlb/memberlist';

// Two members on real UDP and TCP sockets. Run it where these addresses exist, e.g. on loopback:
//   npx tsx examples/real-network.ts 127.0.0.1
const host = process.argv[2] ?? '127.0.0.1';
const keyring = () => Keyring.fromSecrets(['shared secret of any length']);
const start = async (name: string, port: number) => {
  const transport = await createNetTransport({}, { bindAddr: `${host}:${port}` });
  const m = createMemberlist({ transport, keyring: keyring() }, { name, profile: 'fast' });
  m.onEvent((e) => console.log(`${name} sees ${e.type} ${e.member.name}`));
  m.start();
  return m;
};
const a = await start('a', 7946);
const b = await start('b', 7947);
console.log('b reached', await b.join([a.addr]), 'seed');
await new Promise((r) => setTimeout(r, 500));
await b.leave(); // a learns it at once
await a.shutdown();
