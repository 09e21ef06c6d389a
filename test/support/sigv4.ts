import { createHash, createHmac } from 'node:crypto';

/** A request as a server received it: lower-case header names. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Checks an AWS Signature Version 4 `Authorization` header the way AWS does, written from the
 * specification (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
 * with node:crypto only, independent of the SDK's signer. Query strings are not supported
 * (DynamoDB's JSON protocol has none). Returns what it found wrong, or undefined when the
 * signature is the one the secret key gives.
 */
export function sigV4Problem(request: ReceivedRequest, secretAccessKey: string): string | undefined {
  const auth = request.headers.authorization;
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth ?? '');
  if (match === null) return `malformed Authorization header: ${String(auth)}`;
  const [, , shortDate, region, service, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string, string];
  const amzDate = request.headers['x-amz-date'];
  if (amzDate?.slice(0, 8) !== shortDate) return `x-amz-date ${String(amzDate)} does not match the scope date ${shortDate}`;
  const signedHeaders = signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date']) if (!signedHeaders.includes(required)) return `${required} is not signed`;
  if (request.headers['x-amz-security-token'] !== undefined && !signedHeaders.includes('x-amz-security-token')) return 'the session token is not signed';
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [request.method, request.path, '', canonicalHeaders, signedHeaderList, sha256Hex(request.body)].join('\n');
  const scope = `${shortDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, shortDate);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? undefined : `signature ${signature} is not the expected ${expected}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
