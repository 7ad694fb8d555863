// AssemblyScript source of the sparse kernels (compiled by ../build.ts with
// `asc --enable simd`; not TypeScript: tsconfig excludes this folder).
//
// A layer's weights, W [in, out] (a Dense kernel, a 1x1 convolution's), are
// stored by output unit as in XNNPACK's f32-spmm: for output o, its nonzeros'
// values and inputs, as byte offsets into the input row (4 x the input's
// index: 16 bits when the input has at most 16384 entries, else 32), padded
// with zeros to a multiple of 4 so that the batch-1 loop reads whole SIMD
// vectors; `rows[o]..rows[o+1]` (u32) delimit them.
// A padding entry has value 0 and the index of a real entry of its row (or 0);
// the batched loops skip it (`ends[o]` is row o's last real entry + 1).
//
// y[b, o] = act(bias[o] + sum over nonzeros of x[b, i] * W[i, o]).
// Activations: 0 linear, 1 relu, 2 relu6, applied as x < 0 ? 0 : x (NaN stays NaN).

/**
 * Where matVec16 reads its input row: a static block of 16384 floats, the
 * most 16-bit offsets reach. At a constant address, each gathered input is
 * one load (the address folds into the instruction) instead of an add and a load.
 */
const INPUT: usize = memory.data(65536, 16);

/** The address of the batch-1 input row of matVec16. */
export function inputRow(): usize {
  return INPUT;
}

/** Allocates `size` bytes (16-byte aligned) outside the garbage collector. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Frees a block from {@link alloc}. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

// @ts-ignore: decorator
@inline function activate(s: f32, act: i32): f32 {
  if (act == 1) return s < 0 ? 0 : s;
  if (act == 2) return s < 0 ? 0 : (s > 6 ? 6 : s);
  return s;
}

// @ts-ignore: decorator
@inline function sum4(v: v128): f32 {
  // Lanes summed pairwise: (0 + 2) + (1 + 3).
  const h = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1);
}

// @ts-ignore: decorator
@inline function gather32(x: usize, p: usize): v128 {
  // Each input loaded straight into its lane (load32_lane): 10-15% faster than a scalar load and replace_lane.
  let v = v128.load32_zero(x + <usize>load<u32>(p));
  v = v128.load32_lane(x + <usize>load<u32>(p, 4), v, 1);
  v = v128.load32_lane(x + <usize>load<u32>(p, 8), v, 2);
  return v128.load32_lane(x + <usize>load<u32>(p, 12), v, 3);
}

/**
 * gather32 of 16-bit offsets into INPUT: two offsets a 32-bit load, split by
 * a mask and a shift, and INPUT's address in the lane loads' constant offset
 * (the loop is bound by both loads and instructions: 17% faster than a load
 * and an add per offset, on a 1024x1024 layer at 90% zeros).
 */
// @ts-ignore: decorator
@inline function gather16(p: usize): v128 {
  const a = load<u32>(p);
  const b = load<u32>(p, 4);
  let v = v128.load32_zero(a & 0xffff, INPUT);
  v = v128.load32_lane(a >> 16, v, 1, INPUT);
  v = v128.load32_lane(b & 0xffff, v, 2, INPUT);
  return v128.load32_lane(b >> 16, v, 3, INPUT);
}

// @ts-ignore: decorator
@inline function gather<T>(x: usize, p: usize): v128 {
  return sizeof<T>() == 2 ? gather16(p) : gather32(x, p);
}

/**
 * One input vector x [in] to y [out]: 4 nonzeros a vector, their inputs
 * gathered into it; 16 a step into 4 accumulators, so that the adds of
 * consecutive vectors do not wait for each other. With 16-bit offsets x is
 * INPUT (the argument is unused).
 */
// @ts-ignore: decorator
@inline function matVec<T>(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, y: usize, act: i32): void {
  // The rows are consecutive: one pointer walks the values, one the indices.
  let pv = val + ((<usize>load<u32>(rows)) << 2);
  let pi = idx + (<usize>load<u32>(rows)) * sizeof<T>();
  for (let o = 0; o < nOut; o++) {
    const end = val + ((<usize>load<u32>(rows + ((<usize>o + 1) << 2))) << 2);
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    let acc2 = f32x4.splat(0);
    let acc3 = f32x4.splat(0);
    for (; pv + 64 <= end; pv += 64, pi += 16 * sizeof<T>()) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(pv), gather<T>(x, pi)));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(pv, 16), gather<T>(x, pi + 4 * sizeof<T>())));
      acc2 = f32x4.add(acc2, f32x4.mul(v128.load(pv, 32), gather<T>(x, pi + 8 * sizeof<T>())));
      acc3 = f32x4.add(acc3, f32x4.mul(v128.load(pv, 48), gather<T>(x, pi + 12 * sizeof<T>())));
    }
    for (; pv < end; pv += 16, pi += 4 * sizeof<T>()) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(pv), gather<T>(x, pi)));
    }
    const s = load<f32>(bias + ((<usize>o) << 2)) + sum4(f32x4.add(f32x4.add(acc0, acc2), f32x4.add(acc1, acc3)));
    store<f32>(y + ((<usize>o) << 2), activate(s, act));
  }
}

/** matVec with 16-bit offsets; the input row is at {@link inputRow}. */
export function matVec16(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, y: usize, act: i32): void {
  matVec<u16>(rows, idx, val, bias, nOut, INPUT, y, act);
}

export function matVec32(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, y: usize, act: i32): void {
  matVec<u32>(rows, idx, val, bias, nOut, x, y, act);
}

// @ts-ignore: decorator
@inline function activate4(a: v128, act: i32): v128 {
  if (act == 0) return a;
  const zero = f32x4.splat(0);
  // a < 0 ? 0 : a, lane-wise: NaN (never < 0) stays NaN.
  let r = v128.bitselect(zero, a, f32x4.lt(a, zero));
  if (act == 2) {
    const six = f32x4.splat(6);
    r = v128.bitselect(six, r, f32x4.gt(r, six));
  }
  return r;
}

/**
 * Transposes the 4x4 block of floats whose rows start at src, src + srcStride,
 * ... (bytes) into dst, dst + dstStride, ...: column k of the source becomes
 * row k of the destination.
 */
// @ts-ignore: decorator
@inline function transpose4(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + srcStride);
  const r2 = v128.load(src + 2 * srcStride);
  const r3 = v128.load(src + 3 * srcStride);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + dstStride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Copies `n` (<= `width`) rows of x [*, nIn] from `x` into `dst` as [nIn][width]
 * (lane j of input i is row j's input i), zeros in the lanes past `n`. Full
 * blocks move by 4x4 SIMD transposes (a scalar copy took a fifth of a 1x1
 * convolution's time).
 */
// @ts-ignore: decorator
@inline function pack(x: usize, n: i32, nIn: i32, width: i32, dst: usize): void {
  let done = 0;
  if (n == width) {
    const rowBytes = (<usize>nIn) << 2;
    for (; done + 4 <= nIn; done += 4) {
      for (let j = 0; j < width; j += 4) {
        transpose4(x + <usize>j * rowBytes + ((<usize>done) << 2), rowBytes,
          dst + ((<usize>done * <usize>width + <usize>j) << 2), (<usize>width) << 2);
      }
    }
  } else {
    memory.fill(dst, 0, (<usize>nIn * <usize>width) << 2);
  }
  for (let j = 0; j < n; j++) {
    const row = x + ((<usize>j * <usize>nIn) << 2);
    const col = dst + ((<usize>j) << 2);
    for (let i = done; i < nIn; i++) {
      store<f32>(col + ((<usize>i * <usize>width) << 2), load<f32>(row + ((<usize>i) << 2)));
    }
  }
}

/** Copies lanes 0..n-1 of out [nOut][width] into rows y [n][nOut] (full blocks by 4x4 transposes). */
// @ts-ignore: decorator
@inline function unpack(out: usize, n: i32, nOut: i32, width: i32, y: usize): void {
  let done = 0;
  if (n == width) {
    const rowBytes = (<usize>nOut) << 2;
    for (; done + 4 <= nOut; done += 4) {
      for (let j = 0; j < width; j += 4) {
        transpose4(out + ((<usize>done * <usize>width + <usize>j) << 2), (<usize>width) << 2,
          y + <usize>j * rowBytes + ((<usize>done) << 2), rowBytes);
      }
    }
  }
  for (let j = 0; j < n; j++) {
    const row = y + ((<usize>j * <usize>nOut) << 2);
    const col = out + ((<usize>j) << 2);
    for (let o = done; o < nOut; o++) {
      store<f32>(row + ((<usize>o) << 2), load<f32>(col + ((<usize>o * <usize>width) << 2)));
    }
  }
}

/**
 * A block of `n` <= 16 rows of x, packed into xb [nIn][16], times W into out
 * [nOut][16]: each nonzero (padding skipped: `ends` [nOut] marks each row's
 * last real entry) is broadcast and multiplies its input's 16 lanes, one
 * 64-byte line, into 4 accumulators.
 */
// @ts-ignore: decorator
@inline function block16<T>(rows: usize, ends: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, out: usize, act: i32): void {
  for (let o = 0; o < nOut; o++) {
    const start = load<u32>(rows + ((<usize>o) << 2));
    const end = load<u32>(ends + ((<usize>o) << 2));
    const b = f32x4.splat(load<f32>(bias + ((<usize>o) << 2)));
    let a0 = b, a1 = b, a2 = b, a3 = b;
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(val + ((<usize>k) << 2)));
      const p = xb + ((<usize>load<T>(idx + (<usize>k) * sizeof<T>())) << 4);
      a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
      a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
      a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
      a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
    }
    const q = out + ((<usize>o) << 6);
    v128.store(q, activate4(a0, act));
    v128.store(q, activate4(a1, act), 16);
    v128.store(q, activate4(a2, act), 32);
    v128.store(q, activate4(a3, act), 48);
  }
}

/** As block16, for a block of <= 8 rows packed [nIn][8], into out [nOut][8]: 2 accumulators. */
// @ts-ignore: decorator
@inline function block8<T>(rows: usize, ends: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, out: usize, act: i32): void {
  for (let o = 0; o < nOut; o++) {
    const start = load<u32>(rows + ((<usize>o) << 2));
    const end = load<u32>(ends + ((<usize>o) << 2));
    const b = f32x4.splat(load<f32>(bias + ((<usize>o) << 2)));
    let a0 = b, a1 = b;
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(val + ((<usize>k) << 2)));
      const p = xb + ((<usize>load<T>(idx + (<usize>k) * sizeof<T>())) << 3);
      a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
      a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
    }
    const q = out + ((<usize>o) << 5);
    v128.store(q, activate4(a0, act));
    v128.store(q, activate4(a1, act), 16);
  }
}

/** As block16, for a block of <= 4 rows packed [nIn][4], into out [nOut][4]. */
// @ts-ignore: decorator
@inline function block4<T>(rows: usize, ends: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, out: usize, act: i32): void {
  for (let o = 0; o < nOut; o++) {
    const start = load<u32>(rows + ((<usize>o) << 2));
    const end = load<u32>(ends + ((<usize>o) << 2));
    let a = f32x4.splat(load<f32>(bias + ((<usize>o) << 2)));
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(val + ((<usize>k) << 2)));
      a = f32x4.add(a, f32x4.mul(w, v128.load(xb + ((<usize>load<T>(idx + (<usize>k) * sizeof<T>())) << 2))));
    }
    v128.store(out + ((<usize>o) << 4), activate4(a, act));
  }
}

/**
 * y [batch][nOut] = act(x [batch][nIn] W + bias), batch > 1: blocks of 16 rows,
 * then one of 8 (1.7-1.9x faster than two of 4 on a 1024x1024 layer at 70%
 * and 90% zeros), then blocks of 4. `scratch` holds (nIn + nOut) * 16 floats.
 */
// @ts-ignore: decorator
@inline function matMat<T>(rows: usize, ends: usize, idx: usize, val: usize, bias: usize, nIn: i32, nOut: i32,
  x: usize, batch: i32, y: usize, act: i32, scratch: usize): void {
  const xb = scratch;
  const out = scratch + ((<usize>nIn) << 6);
  let b = 0;
  for (; b + 16 <= batch; b += 16) {
    pack(x + ((<usize>b * <usize>nIn) << 2), 16, nIn, 16, xb);
    block16<T>(rows, ends, idx, val, bias, nOut, xb, out, act);
    unpack(out, 16, nOut, 16, y + ((<usize>b * <usize>nOut) << 2));
  }
  if (b + 8 <= batch) {
    pack(x + ((<usize>b * <usize>nIn) << 2), 8, nIn, 8, xb);
    block8<T>(rows, ends, idx, val, bias, nOut, xb, out, act);
    unpack(out, 8, nOut, 8, y + ((<usize>b * <usize>nOut) << 2));
    b += 8;
  }
  for (; b < batch; b += 4) {
    const n = min(4, batch - b);
    pack(x + ((<usize>b * <usize>nIn) << 2), n, nIn, 4, xb);
    block4<T>(rows, ends, idx, val, bias, nOut, xb, out, act);
    unpack(out, n, nOut, 4, y + ((<usize>b * <usize>nOut) << 2));
  }
}

export function matMat16(rows: usize, ends: usize, idx: usize, val: usize, bias: usize, nIn: i32, nOut: i32,
  x: usize, batch: i32, y: usize, act: i32, scratch: usize): void {
  matMat<u16>(rows, ends, idx, val, bias, nIn, nOut, x, batch, y, act, scratch);
}

export function matMat32(rows: usize, ends: usize, idx: usize, val: usize, bias: usize, nIn: i32, nOut: i32,
  x: usize, batch: i32, y: usize, act: i32, scratch: usize): void {
  matMat<u32>(rows, ends, idx, val, bias, nIn, nOut, x, batch, y, act, scratch);
}

/** Whether any of the `n` floats at x is NaN or infinite (x * 0 is NaN exactly for those). */
export function anyNonFinite(x: usize, n: i32): bool {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(x + ((<usize>i) << 2)), f32x4.splat(0)));
  let s = sum4(acc);
  for (; i < n; i++) s += load<f32>(x + ((<usize>i) << 2)) * 0;
  return s != s;
}

/**
 * Marks in `flags` [nIn] (u8) the non-finite entries of x [nIn]; returns how many.
 */
export function markNonFinite(x: usize, nIn: i32, flags: usize): i32 {
  let count = 0;
  for (let i = 0; i < nIn; i++) {
    const v = load<f32>(x + ((<usize>i) << 2));
    const bad = !isFinite<f32>(v);
    store<u8>(flags + <usize>i, bad ? 1 : 0);
    if (bad) count++;
  }
  return count;
}

/**
 * One input row x with `nBad` non-finite entries (marked by markNonFinite) as
 * a dense product would compute it: the nonzeros' sum, and NaN wherever a
 * non-finite input meets a zero weight (0 * Inf and 0 * NaN are NaN).
 */
// @ts-ignore: decorator
@inline function exactRow<T>(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, flags: usize, nBad: i32, y: usize, act: i32): void {
  let start = load<u32>(rows);
  for (let o = 0; o < nOut; o++) {
    const end = load<u32>(rows + ((<usize>o + 1) << 2));
    let s: f32 = load<f32>(bias + ((<usize>o) << 2));
    let met = 0;
    for (let k = start; k < end; k++) {
      const w = load<f32>(val + ((<usize>k) << 2));
      if (w == 0) continue; // padding
      const offset = <usize>load<T>(idx + (<usize>k) * sizeof<T>());
      s += w * load<f32>(x + offset);
      met += <i32>load<u8>(flags + (offset >> 2));
    }
    store<f32>(y + ((<usize>o) << 2), activate(met < nBad ? NaN : s, act));
    start = end;
  }
}

export function exactRow16(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, flags: usize, nBad: i32, y: usize, act: i32): void {
  exactRow<u16>(rows, idx, val, bias, nOut, x, flags, nBad, y, act);
}

export function exactRow32(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, flags: usize, nBad: i32, y: usize, act: i32): void {
  exactRow<u32>(rows, idx, val, bias, nOut, x, flags, nBad, y, act);
}
