/**
 * The root URL of a request (Gradio's `config.root` and every file `url`): the first
 * `X-Forwarded-Host` when present (https when `X-Forwarded-Proto: https`), else the request's
 * own scheme and Host. Computed per request and never stored, so no client changes another's.
 * @module
 */

/** Scheme + host of the request, no trailing slash. */
export function rootUrl(request: Request): string {
  const url = new URL(request.url);
  const forwardedHost = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  if (forwardedHost !== undefined && forwardedHost !== '' && /^[A-Za-z0-9.\-:[\]]+$/.test(forwardedHost)) {
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https' ? 'https' : 'http';
    return `${proto}://${forwardedHost}`;
  }
  const host = request.headers.get('host');
  return host !== null && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `${url.protocol}//${host}` : url.origin;
}
