// A container's filesystem view without a container engine (pure script generation): the process
// runs in its own mount namespace (`unshare --mount`), where each volume is bind-mounted at its
// mountPath. A mountPath that does not exist on the machine is made inside an overlay of its
// nearest existing ancestor, so the machine's own folders are never written (/etc stays as it
// is; /etc/ml_secret_key exists only for that pod).

export interface Mount {
  /** Folder (or file, with subPath) prepared by the kubelet stand-in. */
  source: string;
  target: string;
  readOnly: boolean;
  /** True when source and target are single files (subPath mounts). */
  file?: boolean;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A POSIX sh script that sets the mounts up, then execs `argv` with exactly `env`.
 * `scratch` is a per-pod folder for overlay upper/work directories.
 */
export function containerScript(
  mounts: Mount[],
  env: Record<string, string>,
  argv: string[],
  scratch: string,
  cwd?: string,
  /** Runs before `env -i` (setpriv: user and capabilities, applied after the mounts). */
  privilegePrefix: string[] = [],
): string {
  const lines = ['set -e', `scratch=${q(scratch)}`, 'n=0'];
  // ensure_path T KIND: T exists afterwards (a folder or an empty file). When it does not exist,
  // its nearest existing ancestor is overlaid first (never / itself: an overlay of the root would
  // hide the machine's other mounts), so nothing is written to the machine's own folders.
  lines.push(
    'ensure_path() {',
    '  t="$1"; kind="$2"',
    '  [ -e "$t" ] && return 0',
    '  a=$(dirname "$t")',
    '  while [ ! -e "$a" ]; do a=$(dirname "$a"); done',
    '  a=$(readlink -f "$a")',
    '  if [ "$a" = / ]; then echo "lab: cannot create $t (no existing parent below /)" >&2; exit 70; fi',
    '  if ! grep -q " $a overlay " /proc/self/mounts; then',
    '    n=$((n+1)); mkdir -p "$scratch/ov$n/u" "$scratch/ov$n/w"',
    '    mount -t overlay overlay -o "lowerdir=$a,upperdir=$scratch/ov$n/u,workdir=$scratch/ov$n/w" "$a"',
    '  fi',
    '  if [ "$kind" = file ]; then mkdir -p "$(dirname "$t")"; : > "$t"; else mkdir -p "$t"; fi',
    '}',
  );
  for (const m of mounts) {
    lines.push(`ensure_path ${q(m.target)} ${m.file ? 'file' : 'dir'}`);
    lines.push(`mount --bind ${q(m.source)} ${q(m.target)}`);
    if (m.readOnly) lines.push(`mount -o remount,ro,bind ${q(m.target)}`);
  }
  if (cwd) lines.push(`ensure_path ${q(cwd)} dir`, `cd ${q(cwd)}`);
  const envArgs = Object.entries(env).map(([k, v]) => q(`${k}=${v}`));
  const prefix = privilegePrefix.map(q).join(' ');
  lines.push(
    `exec ${prefix ? `${prefix} ` : ''}env -i ${envArgs.join(' ')} ${argv.map(q).join(' ')}`,
  );
  return lines.join('\n') + '\n';
}
