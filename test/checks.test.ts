import { expect } from 'chai';
import { checkOptions, toFloat32Array } from '../src/checks';

describe('toFloat32Array', () => {
  it('returns a Float32Array as it is, without a copy', () => {
    const values = Float32Array.from([1, 2]);
    expect(toFloat32Array(values, 'values')).to.equal(values);
  });

  it('converts other typed arrays and arrays of numbers to float32', () => {
    for (const values of [Float64Array.from([0.1, -2]), Int8Array.from([0, -2]), Uint16Array.from([0, 2]), [0.1, -2], Buffer.from([0, 2])]) {
      const converted = toFloat32Array(values, 'values');
      expect(converted).to.be.instanceOf(Float32Array);
      expect(Array.from(converted)).to.deep.equal(Array.from(Float32Array.from(values as ArrayLike<number>)));
    }
  });

  it('rejects anything else with a TypeError naming the argument, what is allowed and what was received', () => {
    expect(() => toFloat32Array('1', 'values')).to.throw(TypeError, 'values must be a typed array or an array of numbers; received string "1"');
    expect(() => toFloat32Array(undefined, 'values')).to.throw(TypeError, 'values must be a typed array or an array of numbers; received undefined');
    expect(() => toFloat32Array(new BigInt64Array(2), 'w')).to.throw(TypeError, 'w must be a typed array or an array of numbers; received a BigInt64Array');
    expect(() => toFloat32Array(new DataView(new ArrayBuffer(4)), 'w')).to.throw(TypeError, 'received a DataView');
    expect(() => toFloat32Array([1, '2'], 'w', 'flat weights')).to.throw(TypeError, 'w must be flat weights; received an array holding string "2" at index 1');
  });
});

describe('checkOptions', () => {
  it('accepts objects and rejects null, arrays and primitives, saying what was received', () => {
    const usage = 'f: options must be an object {a?}';
    expect(() => checkOptions({}, usage)).to.not.throw();
    expect(() => checkOptions(null, usage)).to.throw(TypeError, 'f: options must be an object {a?}; received null.');
    expect(() => checkOptions([], usage)).to.throw(TypeError, 'f: options must be an object {a?}; received an array.');
    expect(() => checkOptions('a', usage)).to.throw(TypeError, 'f: options must be an object {a?}; received string "a".');
    expect(() => checkOptions(undefined, usage)).to.throw(TypeError, 'f: options must be an object {a?}; received undefined.');
  });
});
