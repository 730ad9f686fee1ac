/**
 * Checks of what a caller passes to createMemberlist and join(): every mistake is a typed
 * MemberlistError naming the option (issue 12), never a TypeError or a silent wrong result.
 */
import { formatAddress, parseAddress } from '../codec/address.js';
import type { Meta } from '../codec/messages.js';
import { LIMITS } from '../codec/packet.js';
import { MemberlistError, MemberlistErrorCode } from '../errors.js';

function invalid(option: string, message: string, value?: unknown): MemberlistError {
  return new MemberlistError(MemberlistErrorCode.InvalidOption, `${option}: ${message}`, {
    option,
    ...(value !== undefined ? { value } : {}),
  });
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0)
    throw invalid(
      'name',
      'required: a non-empty string (the node name, unique in the cluster)',
      name,
    );
  if (name.length > LIMITS.nameChars)
    throw invalid('name', `longer than ${LIMITS.nameChars} characters`, name.length);
  return name;
}

export function checkMeta(meta: unknown): Meta {
  if (meta === undefined) return {};
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    throw invalid('meta', 'must be an object of string values', meta);
  for (const [k, v] of Object.entries(meta))
    if (typeof v !== 'string') throw invalid('meta', `value of "${k}" is not a string`, v);
  return meta as Meta;
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || /^[0:]+$/.test(host);
}

/**
 * The address others are told to use: `advertiseAddr` when given, else the transport's. Neither
 * may be unspecified (0.0.0.0, ::) or port 0 — peers would be told to send there (issue 12: only
 * the CLI refused it).
 */
export function advertisedAddress(advertiseAddr: unknown, localAddr: string): string {
  if (advertiseAddr !== undefined) {
    if (typeof advertiseAddr !== 'string')
      throw invalid('advertiseAddr', 'must be a "host:port" string', advertiseAddr);
    const a = parseAddress(advertiseAddr);
    if (isUnspecified(a.host))
      throw new MemberlistError(
        MemberlistErrorCode.InvalidAddress,
        `advertiseAddr: ${advertiseAddr} is unspecified; give the address peers should use`,
        { option: 'advertiseAddr', address: advertiseAddr },
      );
    return formatAddress(a);
  }
  const a = parseAddress(localAddr, true);
  if (isUnspecified(a.host) || a.port === 0)
    throw new MemberlistError(
      MemberlistErrorCode.InvalidAddress,
      `the transport is bound to ${localAddr}, which peers cannot reach: bind a concrete address or give advertiseAddr`,
      { option: 'advertiseAddr', address: localAddr },
    );
  return localAddr;
}

/** join()'s seeds: a non-empty list of "host:port" literals (INVALID_ADDRESS names the bad one). */
export function checkSeeds(seeds: unknown): string[] {
  if (!Array.isArray(seeds) || seeds.length === 0)
    throw invalid('seeds', 'join() needs a non-empty array of "host:port" addresses', seeds);
  return seeds.map((seed: unknown) => {
    if (typeof seed !== 'string')
      throw new MemberlistError(MemberlistErrorCode.InvalidAddress, 'seed is not a string', {
        seed,
      });
    try {
      return formatAddress(parseAddress(seed));
    } catch (err) {
      throw new MemberlistError(
        MemberlistErrorCode.InvalidAddress,
        `seed ${JSON.stringify(seed)}: ${(err as Error).message}`,
        { seed },
        { cause: err },
      );
    }
  });
}
