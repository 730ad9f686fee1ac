// BGPPeer, BFDProfile and Community parsing with MetalLB's rules and messages
// (internal/config/config.go peerFromCR, parseTimers, bfdProfileFromCR, communitiesFromCrs;
// internal/config/validation.go DiscardNativeOnly / peersCanRunOnSameNode for the FRR-K8s-mode
// peer conflicts, in MetalLB's current wording).
import type { BFDProfile, BGPPeer, Community as CommunityCR } from '../api/types.generated.js';
import type { NodeObject, SecretObject } from '../api/meta.js';
import { parseCommunity, type Community } from './community.js';
import { formatGoDuration, parseGoDuration } from './duration.js';
import { parseAddress } from '@ironlb/ipam';
import { Problems, byName, refOf } from './resources.js';
import { selectorError } from './labels.js';
import { canonicalSelectors, duplicateSelectorError, nodeNames } from './selector.js';
import type { BfdProfileConfig, PeerConfig } from './types.js';

const q = (s: string) => JSON.stringify(s);

export function parseBfdProfiles(
  list: readonly BFDProfile[] | undefined,
  ns: string,
  p: Problems,
): BfdProfileConfig[] {
  const out: BfdProfileConfig[] = [];
  const names = new Set<string>();
  byName(list, p).forEach((b, i) => {
    const ref = refOf('BFDProfile', b, ns);
    const name = b.metadata.name ?? '';
    const wrap = (m: string) => `parsing bfd profile #${i + 1}: ${m}`;
    if (name === '') {
      p.add(ref, 'metadata.name', wrap('missing bfd profile name'));
      return;
    }
    const spec = b.spec ?? {};
    let ok = true;
    const range = (
      field: keyof typeof spec,
      what: string,
      min: number,
      max: number,
    ): number | undefined => {
      const v = spec[field] as number | undefined;
      if (v === undefined) return undefined;
      if (v < min || v > max) {
        p.add(
          ref,
          `spec.${field}`,
          wrap(`invalid value ${v}, must be in ${min}-${max} range\ninvalid ${what} value`),
        );
        ok = false;
      }
      return v;
    };
    const detectMultiplier = range('detectMultiplier', 'detect multiplier', 2, 255);
    const receiveIntervalMs = range('receiveInterval', 'receive interval', 10, 60000);
    const transmitIntervalMs = range('transmitInterval', 'transmit interval', 10, 60000);
    const minimumTtl = range('minimumTtl', 'minimum ttl', 1, 254);
    const echoIntervalMs = range('echoInterval', 'echo interval', 10, 60000);
    if (names.has(name)) {
      p.add(ref, 'metadata.name', `found duplicate bfd profile name ${name}`);
      return;
    }
    names.add(name);
    if (!ok) return;
    out.push({
      name,
      ...(receiveIntervalMs !== undefined ? { receiveIntervalMs } : {}),
      ...(transmitIntervalMs !== undefined ? { transmitIntervalMs } : {}),
      ...(detectMultiplier !== undefined ? { detectMultiplier } : {}),
      ...(echoIntervalMs !== undefined ? { echoIntervalMs } : {}),
      ...(minimumTtl !== undefined ? { minimumTtl } : {}),
      echoMode: spec.echoMode ?? false,
      passiveMode: spec.passiveMode ?? false,
    });
  });
  return out;
}

/** Community aliases from every Community object (names unique across all of them). */
export function parseCommunityAliases(
  list: readonly CommunityCR[] | undefined,
  ns: string,
  p: Problems,
): Map<string, Community> {
  const aliases = new Map<string, Community>();
  for (const c of byName(list, p)) {
    const ref = refOf('Community', c, ns);
    (c.spec?.communities ?? []).forEach((a, i) => {
      const name = a.name ?? '';
      const r = parseCommunity(a.value ?? '');
      if (!r.ok) {
        p.add(ref, `spec.communities[${i}].value`, `parsing community ${q(name)}: ${r.message}`);
        return;
      }
      if (aliases.has(name)) {
        p.add(ref, `spec.communities[${i}].name`, `duplicate definition of community ${q(name)}`);
        return;
      }
      aliases.set(name, r.community);
    });
  }
  return aliases;
}

/** MetalLB parseTimers: derive the missing timer, check hold 0 or >= 3 s and keepalive <= hold. */
export function parseTimers(
  holdText: string | undefined,
  keepaliveText: string | undefined,
): { holdTimeMs?: number; keepaliveTimeMs?: number } | { error: string; field: string } {
  if (holdText === undefined && keepaliveText === undefined) return {};
  const hold = holdText === undefined ? undefined : parseGoDuration(holdText);
  if (holdText !== undefined && hold === undefined) {
    return { error: `time: invalid duration ${q(holdText)}`, field: 'spec.holdTime' };
  }
  const ka = keepaliveText === undefined ? undefined : parseGoDuration(keepaliveText);
  if (keepaliveText !== undefined && ka === undefined) {
    return { error: `time: invalid duration ${q(keepaliveText)}`, field: 'spec.keepaliveTime' };
  }
  const holdMs = hold ?? (ka as number) * 3;
  const kaMs = ka ?? Math.trunc(holdMs / 3);
  const roundedSec = Math.trunc(holdMs / 1000);
  if (roundedSec !== 0 && roundedSec < 3) {
    return {
      error: `invalid hold time ${q(holdText ?? formatGoDuration(holdMs))}: must be 0 or >=3s`,
      field: 'spec.holdTime',
    };
  }
  if (kaMs > holdMs) {
    return {
      error: `invalid keepaliveTime ${q(keepaliveText ?? formatGoDuration(kaMs))}, must be lower than holdTime ${q(holdText ?? formatGoDuration(holdMs))}`,
      field: 'spec.keepaliveTime',
    };
  }
  return { holdTimeMs: holdMs, keepaliveTimeMs: kaMs };
}

function decodeSecretValue(s: SecretObject, key: string): string | undefined {
  const d = s.data?.[key];
  if (d !== undefined) return Buffer.from(d, 'base64').toString('utf8');
  return s.stringData?.[key];
}

export interface PeerParseInput {
  readonly peers: readonly BGPPeer[] | undefined;
  readonly secrets: readonly SecretObject[];
  readonly nodes: readonly NodeObject[];
  readonly bfdProfiles: ReadonlySet<string>;
  readonly ns: string;
}

export function parsePeers(input: PeerParseInput, p: Problems): PeerConfig[] {
  const out: PeerConfig[] = [];
  const { ns } = input;
  for (const cr of byName(input.peers, p)) {
    const ref = refOf('BGPPeer', cr, ns);
    const name = cr.metadata.name ?? '';
    const s = cr.spec ?? { myASN: 0 };
    const start = p.count;
    const fail = (path: string, msg: string, transient = false) =>
      p.add(ref, path, `parsing peer ${name} ${msg}`, transient);

    // What IronLB does not implement is refused, never accepted and ignored (DESIGN.md §2).
    if (s.vrf) p.add(ref, 'spec.vrf', `peer ${name}: vrf is not supported by IronLB`);
    if (s.interface)
      p.add(
        ref,
        'spec.interface',
        `peer ${name}: unnumbered BGP (interface) is not supported by IronLB`,
      );
    if (s.localASN)
      p.add(ref, 'spec.localASN', `peer ${name}: localASN is not supported by IronLB`);

    if (!s.myASN) fail('spec.myASN', 'missing local ASN');
    if (!s.peerASN && !s.dynamicASN) fail('spec.peerASN', 'missing peer ASN and dynamicASN');
    if (s.peerASN && s.dynamicASN)
      fail('spec.dynamicASN', 'both peer ASN and dynamicASN specified');
    if (s.dynamicASN && s.dynamicASN !== 'internal' && s.dynamicASN !== 'external') {
      fail('spec.dynamicASN', `invalid dynamicASN ${s.dynamicASN as string}`);
    }
    if ((s.peerASN ?? 0) === s.myASN && s.ebgpMultiHop) {
      fail('spec.ebgpMultiHop', 'invalid ebgp-multihop parameter set for an ibgp peer');
    }
    if (!s.peerAddress && !s.interface)
      fail('spec.peerAddress', 'peer has no Address or Interface specified');
    if (s.peerAddress && s.interface)
      fail('spec.interface', 'peer has both Address and Interface specified');
    const timers = parseTimers(s.holdTime, s.keepaliveTime);
    if ('error' in timers) fail(timers.field, `invalid BGPPeer timers: ${timers.error}`);
    if (s.peerAddress && parseAddress(s.peerAddress) === undefined)
      fail('spec.peerAddress', `invalid BGPPeer address ${q(s.peerAddress)}`);
    if (s.routerID && parseAddress(s.routerID) === undefined)
      fail('spec.routerID', `invalid router ID ${q(s.routerID)}`);
    if (s.sourceAddress && parseAddress(s.sourceAddress) === undefined)
      fail('spec.sourceAddress', `invalid source IP ${q(s.sourceAddress)}`);
    const dupSel = duplicateSelectorError(s.nodeSelectors, 'nodeSelectors');
    if (dupSel) fail('spec.nodeSelectors', dupSel);
    (s.nodeSelectors ?? []).forEach((sel, i) => {
      const e = selectorError(sel);
      if (e) fail(`spec.nodeSelectors[${i}]`, `${e}\nfailed to convert peer ${name} node selector`);
    });
    if (s.password && s.passwordSecret?.name) {
      fail(
        'spec.passwordSecret',
        `can not have both password and secret ref set in peer config ${q(ref.namespace)}/${q(name)}`,
      );
    }
    if (s.password && /[\r\n]/.test(s.password)) {
      fail(
        'spec.password',
        `password for peer ${q(ref.namespace)}/${q(name)} contains invalid characters`,
      );
    }
    if (s.passwordSecret?.name) {
      const secret = input.secrets.find((x) => x.metadata.name === s.passwordSecret?.name);
      if (!secret) {
        fail(
          'spec.passwordSecret',
          `secret ref not found for peer config ${q(ref.namespace)}/${q(name)}\nfailed to parse peer ${name} password secret`,
          true,
        );
      } else if (secret.type !== 'kubernetes.io/basic-auth') {
        fail(
          'spec.passwordSecret',
          `secret type mismatch on ${q(secret.metadata.namespace ?? ns)}/${q(secret.metadata.name ?? '')}, type "kubernetes.io/basic-auth" is expected\nfailed to parse peer ${name} password secret`,
        );
      } else if (decodeSecretValue(secret, 'password') === undefined) {
        fail(
          'spec.passwordSecret',
          `password not specified in the secret ${q(secret.metadata.namespace ?? ns)}/${q(secret.metadata.name ?? '')}\nfailed to parse peer ${name} password secret`,
        );
      } else if (/[\r\n]/.test(decodeSecretValue(secret, 'password') ?? '')) {
        fail(
          'spec.passwordSecret',
          `password secret for peer ${q(ref.namespace)}/${q(name)} contains invalid characters`,
        );
      }
    }
    let connectTimeMs: number | undefined;
    if (s.connectTime !== undefined) {
      // The CRD's CEL rules (1..65535 whole seconds) guard the API; repeat them here so that
      // objects that never went through the API server (the converter, tests) get the same answer.
      connectTimeMs = parseGoDuration(s.connectTime);
      if (connectTimeMs === undefined)
        fail('spec.connectTime', `time: invalid duration ${q(s.connectTime)}`);
      else if (connectTimeMs < 1000 || connectTimeMs >= 65536_000) {
        fail('spec.connectTime', 'connect time should be between 1 seconds to 65535');
      } else if (connectTimeMs % 1000 !== 0)
        fail('spec.connectTime', 'connect time should contain a whole number of seconds');
    }
    if (s.bfdProfile && !input.bfdProfiles.has(s.bfdProfile)) {
      p.add(
        ref,
        'spec.bfdProfile',
        `peer ${name} referencing non existing bfd profile ${s.bfdProfile}`,
        true,
      );
    }
    if (p.count > start) continue;

    const password = s.passwordSecret?.name
      ? decodeSecretValue(
          input.secrets.find((x) => x.metadata.name === s.passwordSecret?.name) as SecretObject,
          'password',
        )
      : s.password || undefined;
    const t = timers as { holdTimeMs?: number; keepaliveTimeMs?: number };
    out.push({
      name,
      myASN: s.myASN,
      ...(s.peerASN ? { peerASN: s.peerASN } : {}),
      ...(s.dynamicASN ? { dynamicASN: s.dynamicASN } : {}),
      address: s.peerAddress ?? '',
      ...(s.sourceAddress ? { sourceAddress: s.sourceAddress } : {}),
      port: s.peerPort || 179,
      ...(t.holdTimeMs !== undefined
        ? { holdTimeMs: t.holdTimeMs, keepaliveTimeMs: t.keepaliveTimeMs as number }
        : {}),
      ...(connectTimeMs !== undefined ? { connectTimeMs } : {}),
      ...(s.routerID ? { routerID: s.routerID } : {}),
      nodes: nodeNames(input.nodes, s.nodeSelectors),
      nodeSelectors: canonicalSelectors(s.nodeSelectors ?? []),
      ...(password !== undefined ? { password } : {}),
      ...(s.passwordSecret?.name
        ? {
            passwordSecret: {
              name: s.passwordSecret.name,
              namespace: s.passwordSecret.namespace ?? ns,
            },
          }
        : {}),
      ...(s.bfdProfile ? { bfdProfile: s.bfdProfile } : {}),
      enableGracefulRestart: s.enableGracefulRestart ?? false,
      ebgpMultiHop: s.ebgpMultiHop ?? false,
      // disableMP is deprecated and now the default behaviour; dualStackAddressFamily replaces it.
      dualStackAddressFamily: s.dualStackAddressFamily ?? false,
    });
  }
  return out;
}

/**
 * Peer pair rules of MetalLB's FRR modes, which IronLB's own speaker shares because one node
 * runs one BGP instance: peers that can land on the same node must agree on routerID and
 * myASN, and may not dial the same address twice. If no nodes are known, assume they share.
 */
export function checkPeerConflicts(
  peers: readonly PeerConfig[],
  crs: readonly BGPPeer[] | undefined,
  ns: string,
  nodesKnown: boolean,
  p: Problems,
): void {
  const refs = new Map(byName(crs, p).map((c) => [c.metadata.name ?? '', refOf('BGPPeer', c, ns)]));
  for (let i = 0; i < peers.length; i++) {
    for (let j = i + 1; j < peers.length; j++) {
      const a = peers[i] as PeerConfig;
      const b = peers[j] as PeerConfig;
      const ref = refs.get(b.name) ?? { kind: 'BGPPeer', namespace: ns, name: b.name };
      const { name: _an, nodes: _anodes, ...ra } = a;
      const { name: _bn, nodes: _bnodes, ...rb } = b;
      if (
        JSON.stringify(ra) === JSON.stringify(rb) &&
        JSON.stringify(a.nodes) === JSON.stringify(b.nodes)
      ) {
        p.add(ref, 'spec', `peer ${b.name} already exists`);
        continue;
      }
      const share = !nodesKnown || a.nodes.some((n) => b.nodes.includes(n));
      if (!share) continue;
      if ((a.routerID ?? '') !== (b.routerID ?? '')) {
        p.add(
          ref,
          'spec.routerID',
          `peer ${b.routerID ?? ''} has RouterID different from ${a.routerID ?? ''}, in FRR mode peers selecting the same node must all have the same RouterID`,
        );
      }
      if (a.address === b.address) {
        p.add(
          ref,
          'spec.peerAddress',
          `peer ${b.address} already exists, FRR mode doesn't support duplicate BGPPeers selecting the same node`,
        );
      }
      if (a.myASN !== b.myASN) {
        p.add(
          ref,
          'spec.myASN',
          `peer ${b.address} has myAsn different from ${a.address}, in FRR mode peers selecting the same node must have the same myAsn within the same VRF`,
        );
      }
    }
  }
}
