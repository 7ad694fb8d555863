import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxImages, readIdxLabels } from '../../../experiments/data/idx';
import { defaultMnistDir } from '../../../experiments/data/mnist';

/** An IDX file: big-endian magic and dimensions, then the bytes. */
function idx(magic: number, dims: number[], data: number[]): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([header, Buffer.from(data)]));
}

describe('IDX reader', () => {
  it('reads images: big-endian dimensions, then the pixels in row-major order', () => {
    const pixels = Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 10);
    const images = readIdxImages(idx(IDX_IMAGES_MAGIC, [2, 2, 3], pixels));
    expect(images).to.include({ count: 2, rows: 2, cols: 3 });
    expect(Array.from(images.pixels)).to.deep.equal(pixels);
  });

  it('reads labels, also from a view into a larger buffer', () => {
    const file = idx(IDX_LABELS_MAGIC, [4], [7, 2, 1, 0]);
    const padded = new Uint8Array(file.length + 5);
    padded.set(file, 5);
    expect(Array.from(readIdxLabels(padded.subarray(5)))).to.deep.equal([7, 2, 1, 0]);
  });

  it('reads dimensions above 2^24 without sign or byte-order mistakes', () => {
    expect(() => readIdxLabels(idx(IDX_LABELS_MAGIC, [0x01020304], [1]), 'labels')).to.throw(
      /labels: the header announces 16909060 data bytes but the file has 1 \(truncated\)/);
  });

  it('rejects a wrong magic number, naming the file and both numbers', () => {
    const labels = idx(IDX_LABELS_MAGIC, [1], [3]);
    expect(() => readIdxImages(labels, 'train-images-idx3-ubyte')).to.throw(
      /train-images-idx3-ubyte: wrong magic number 0x00000801; expected 0x00000803 \(unsigned-byte images, 3 dimensions\)/);
    expect(() => readIdxLabels(idx(IDX_IMAGES_MAGIC, [1], [3]), 'l')).to.throw(/wrong magic number 0x00000803; expected 0x00000801/);
    // Little-endian by mistake.
    expect(() => readIdxLabels(new Uint8Array([1, 8, 0, 0, 1, 0, 0, 0, 5]))).to.throw(/IDX label file: wrong magic number 0x01080000/);
  });

  it('rejects truncated headers and bodies, and trailing bytes', () => {
    expect(() => readIdxImages(new Uint8Array([0, 0, 8, 3, 0, 0]), 'img')).to.throw(
      /img: truncated header: an IDX file with 3 dimension\(s\) starts with 16 bytes; the file has 6/);
    expect(() => readIdxLabels(new Uint8Array(0))).to.throw(/truncated header.*starts with 8 bytes; the file has 0/);
    expect(() => readIdxLabels(new Uint8Array([0, 0, 8]))).to.throw(/truncated header.*the file has 3/);
    expect(() => readIdxImages(idx(IDX_IMAGES_MAGIC, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7]), 'img')).to.throw(
      /img: the header announces 8 data bytes but the file has 7 \(truncated\)/);
    expect(() => readIdxLabels(idx(IDX_LABELS_MAGIC, [2], [1, 2, 3]), 'lab')).to.throw(
      /lab: the header announces 2 data bytes but the file has 3 \(trailing bytes\)/);
  });

  it('rejects what is not bytes', () => {
    expect(() => readIdxLabels('file.idx' as unknown as Uint8Array)).to.throw(TypeError, /expected the file's bytes as a Uint8Array or Buffer; received string/);
  });

  it('reads the real MNIST test files', () => {
    const dir = defaultMnistDir();
    const images = readIdxImages(fs.readFileSync(path.join(dir, 't10k-images-idx3-ubyte')));
    const labels = readIdxLabels(fs.readFileSync(path.join(dir, 't10k-labels-idx1-ubyte')));
    expect(images).to.include({ count: 10000, rows: 28, cols: 28 });
    expect(labels.length).to.equal(10000);
    // The first test digits of MNIST.
    expect(Array.from(labels.subarray(0, 5))).to.deep.equal([7, 2, 1, 0, 4]);
  });
});
