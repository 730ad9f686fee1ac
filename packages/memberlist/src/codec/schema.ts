// The text of memberlist.proto, embedded so the built package needs no file at run time.
// A unit test keeps it byte-identical to memberlist.proto (which ships too, for other languages).
export const MEMBERLIST_PROTO = `// IronLB memberlist wire format, version 1. This is IronLB's own format: it is NOT hashicorp
// memberlist's msgpack format, so an IronLB speaker cannot join a MetalLB memberlist cluster.
// Every UDP packet and every TCP stream frame carries one Packet, sealed with AES-256-GCM when a
// keyring is configured. Field numbers are append-only: never reuse or renumber them.
syntax = "proto3";

package ironlb.memberlist.v1;

message Packet {
  // Wire version; a receiver drops packets whose version it does not speak.
  uint32 version = 1;
  // Name of the sending member.
  string from = 2;
  // Compound: the primary message first, then piggybacked gossip (SWIM §4 infection style).
  repeated Message messages = 3;
}

message Message {
  oneof body {
    Ping ping = 1;
    IndirectPing indirect_ping = 2;
    Ack ack = 3;
    Nack nack = 4;
    Alive alive = 5;
    Suspect suspect = 6;
    Dead dead = 7;
    PushPull push_pull = 8;
  }
}

message Ping {
  uint32 seq = 1;
  // The member the sender means to probe; a receiver with another name ignores the ping.
  string target = 2;
  // The sender heard of the target second hand and checks that it answers at this address before
  // admitting it (IronLB addition, compatible: older receivers ignore it). Answer with a bare ack.
  bool verify = 3;
}

message IndirectPing {
  uint32 seq = 1;
  string target = 2;
  string target_addr = 3;
  // Lifeguard: ask the intermediary for a nack when the target does not answer.
  bool want_nack = 4;
}

message Ack {
  uint32 seq = 1;
}

message Nack {
  uint32 seq = 1;
}

message Alive {
  string node = 1;
  uint32 incarnation = 2;
  string addr = 3;
  map<string, string> meta = 4;
}

message Suspect {
  string node = 1;
  uint32 incarnation = 2;
  string from = 3;
}

// A Dead whose \`from\` equals \`node\` is a graceful leave.
message Dead {
  string node = 1;
  uint32 incarnation = 2;
  string from = 3;
}

message PushPull {
  bool join = 1;
  repeated NodeState nodes = 2;
}

message NodeState {
  string node = 1;
  uint32 incarnation = 2;
  string addr = 3;
  map<string, string> meta = 4;
  // 0 alive, 1 suspect, 2 dead, 3 left (append-only).
  uint32 state = 5;
}
`;
