// The default field manager: kube-apiserver takes the User-Agent's program name (everything
// before the first `/`, e.g. `kubectl` for `kubectl/v1.35.2 (linux/amd64) kubernetes/...`), cut
// to 128 bytes (k8s.io/apiserver/pkg/endpoints/handlers/rest.go prefixFromUserAgent).
export function fieldManagerFor(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const prefix = ua.split('/')[0] ?? '';
  return (prefix || 'unknown').slice(0, 128);
}
