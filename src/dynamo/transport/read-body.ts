/**
 * Reads a whole response body as text. The SDK's Node handler answers a Node `Readable`
 * (read with listeners, the cheapest way); other handlers may answer a web `ReadableStream`,
 * bytes or a string.
 */
export async function readBodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const stream = body as NodeJS.ReadableStream;
  if (typeof stream.on === 'function') {
    return await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
      stream.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
      stream.once('error', reject);
    });
  }
  return await new Response(body as ReadableStream).text();
}
