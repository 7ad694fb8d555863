// Reader for the IDX format of the original MNIST files (http://yann.lecun.com/exdb/mnist/):
// a big-endian header (magic number, then one uint32 per dimension) followed by
// the unsigned bytes of the data in row-major order.

/** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** Images read from an IDX file: `count` images of `rows` x `cols` bytes, row-major. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** `count * rows * cols` pixel values in 0..255. */
  pixels: Uint8Array;
}

/**
 * Reads an IDX image file (magic 0x00000803). Throws a clear error, naming
 * `source`, when the magic number is wrong or the size does not match the header.
 *
 * ```ts
 * const images = readIdxImages(fs.readFileSync('train-images-idx3-ubyte'), 'train-images-idx3-ubyte');
 * ```
 */
export function readIdxImages(buffer: Uint8Array, source = 'IDX image file'): IdxImages {
  const [count, rows, cols] = readHeader(buffer, IDX_IMAGES_MAGIC, 3, source);
  return { count, rows, cols, pixels: body(buffer, 16, count * rows * cols, source) };
}

/**
 * Reads an IDX label file (magic 0x00000801): one byte per example. Throws a
 * clear error, naming `source`, when the magic number is wrong or the size does
 * not match the header.
 *
 * ```ts
 * const labels = readIdxLabels(fs.readFileSync('train-labels-idx1-ubyte'), 'train-labels-idx1-ubyte');
 * ```
 */
export function readIdxLabels(buffer: Uint8Array, source = 'IDX label file'): Uint8Array {
  const [count] = readHeader(buffer, IDX_LABELS_MAGIC, 1, source);
  return body(buffer, 8, count, source);
}

function readHeader(buffer: Uint8Array, magic: number, rank: number, source: string): number[] {
  const headerBytes = 4 + 4 * rank;
  if (!(buffer instanceof Uint8Array)) {
    throw new TypeError(`${source}: expected the file's bytes as a Uint8Array or Buffer; received ${typeof buffer}.`);
  }
  const truncated = () => new Error(`${source}: truncated header: an IDX file with ${rank} dimension(s) starts with ` +
    `${headerBytes} bytes; the file has ${buffer.length}.`);
  if (buffer.length < 4) throw truncated();
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    throw new Error(`${source}: wrong magic number ${hex(found)}; expected ${hex(magic)} ` +
      `(${magic === IDX_IMAGES_MAGIC ? 'unsigned-byte images, 3 dimensions' : 'unsigned-byte labels, 1 dimension'}). ` +
      'Is this the right file?');
  }
  if (buffer.length < headerBytes) throw truncated();
  return Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
}

function body(buffer: Uint8Array, offset: number, expected: number, source: string): Uint8Array {
  const actual = buffer.length - offset;
  if (actual !== expected) {
    throw new Error(`${source}: the header announces ${expected} data bytes but the file has ${actual} ` +
      `(${actual < expected ? 'truncated' : 'trailing bytes'}).`);
  }
  return buffer.subarray(offset);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
