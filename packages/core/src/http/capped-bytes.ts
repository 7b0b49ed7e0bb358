/**
 * Reading a body up to a byte cap, shared by the HTTP clients (answers) and the protocol handlers
 * (request bodies).
 *
 * @packageDocumentation
 */

/** `chunks`, `size` bytes in all, as one array. */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Read a WHATWG stream up to `limit` bytes; `too-large` beyond (the rest is cancelled unread). */
export async function readStreamCapped(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | 'too-large'> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return 'too-large';
    }
    chunks.push(value);
  }
  return concatBytes(chunks, size);
}
