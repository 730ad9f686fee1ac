import { createMemberlist, Keyring } from '@ironlb/memberlist';
import { InMemoryNetwork, ManualClock, seededRandom } from '@ironlb/memberlist/testing';

// Three members on an in-memory network and a manual clock (in production: a transport from
// createNetTransport, and no clock or random: the real ones are the defaults).
const clock = new ManualClock();
const net = new InMemoryNetwork({ clock, random: seededRandom(1) });
const members = ['a', 'b', 'c'].map((name, i) =>
  createMemberlist(
    {
      transport: net.createTransport(`198.51.100.${i + 1}:7946`),
      clock,
      random: seededRandom(i),
      keyring: Keyring.fromSecrets(['shared secret of any length']),
    },
    { name, profile: 'fast', meta: { zone: 'z1' } },
  ),
);
members[0]!.onEvent((e) =>
  console.log(`a sees ${e.type} ${e.member.name} at ${e.atMs.toFixed(0)} ms`),
);
for (const m of members) m.start();
const joined = Promise.all(members.slice(1).map((m) => m.join(['198.51.100.1:7946'])));
clock.advance(1000);
await joined;
await members[2]!.shutdown(); // c crashes without a word
clock.advance(2000);
console.log(
  members[0]!
    .members()
    .map((m) => `${m.name}=${m.status}`)
    .join(' '),
);
// A member that was shut down refuses further work with a typed error.
await members[2]!.join(['198.51.100.1:7946']).catch((err) => console.log(err.code));
