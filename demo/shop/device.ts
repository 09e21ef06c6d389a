/**
 * The device facts the shop keeps in a session at sign-in, for the "Signed in on" list: what the
 * browser says it is and where the request came from. Pure.
 */

/** What the shop stores under `req.session.device`, the key the store's default `deviceOf` reads. */
export interface DeviceFacts {
  /** The User-Agent header, cleaned and cut to {@link DEVICE_LIMITS}. */
  readonly userAgent: string;
  /** The address the sign-in came from (`req.ip`). */
  readonly ip: string;
}

/** Limits on the facts kept: a header is the browser's to fill, so it is cut. */
export const DEVICE_LIMITS = Object.freeze({ userAgentChars: 200, ipChars: 45 });

/** The facts of a sign-in request, cleaned: control characters dropped, lengths capped. */
export function deviceFacts(request: { readonly userAgent: string | undefined; readonly ip: string | undefined }): DeviceFacts {
  const clean = (text: string | undefined, max: number): string =>
    // eslint-disable-next-line no-control-regex
    Array.from((text ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim())
      .slice(0, max)
      .join('');
  return { userAgent: clean(request.userAgent, DEVICE_LIMITS.userAgentChars), ip: clean(request.ip, DEVICE_LIMITS.ipChars) };
}

const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\bFirefox\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\b(Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+ .*Safari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
  [/\bnode\b|undici/i, 'Node.js'],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\b(iPhone|iPad)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * A short name for a device, for people: `Firefox on Linux`, `Safari on iOS`; `Unknown browser`
 * when the header says nothing recognisable. Facts not shaped like {@link DeviceFacts} (another
 * app's, a hand-edited item) count as unknown.
 */
export function describeDevice(device: Readonly<Record<string, unknown>> | undefined): string {
  const userAgent = typeof device?.userAgent === 'string' ? device.userAgent : '';
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser === undefined && system === undefined) return userAgent === '' ? 'Unknown browser' : 'Other browser';
  return `${browser ?? 'A browser'}${system === undefined ? '' : ` on ${system}`}`;
}

/** The address of a device's sign-in, or undefined when none was kept. */
export function deviceAddress(device: Readonly<Record<string, unknown>> | undefined): string | undefined {
  return typeof device?.ip === 'string' && device.ip !== '' ? device.ip : undefined;
}
