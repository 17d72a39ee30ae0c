/**
 * Building small ONNX models in tests: the graphs of the generated Piper voice, Kokoro model and turn detector are
 * written with these, so each model file is what onnxruntime-node loads for real.
 */
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

// onnx-proto is CommonJS: its namespace is a property of the default export at run time.
const proto = onnxProto.onnx;

export const FLOAT = proto.TensorProto.DataType.FLOAT;
export const INT64 = proto.TensorProto.DataType.INT64;
export const BOOL = proto.TensorProto.DataType.BOOL;

export type { onnx };

/** A scalar initializer, float unless said otherwise. */
export function scalar(name: string, value: number, dataType: number = FLOAT): onnx.ITensorProto {
  return dataType === FLOAT ? { name, dataType, dims: [], floatData: [value] } : { name, dataType, dims: [], int64Data: [value] };
}

/** A node named after its one output. */
export function node(opType: string, input: string[], output: string, attribute: onnx.IAttributeProto[] = []): onnx.INodeProto {
  return { opType, input, output: [output], name: output, attribute };
}

export const intAttribute = (name: string, i: number): onnx.IAttributeProto => ({ name, type: proto.AttributeProto.AttributeType.INT, i });
export const castTo = (to: number): onnx.IAttributeProto => intAttribute('to', to);

/** A tensor's type and shape; a string dimension is symbolic. */
export function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** Opset 15, IR 8: a version pair the onnxruntime-node in package.json is known to load. */
export function encodeModel(graph: onnx.IGraphProto): Uint8Array {
  const model = proto.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 15 }], producerName: 's2s-gateway-test', graph });
  return proto.ModelProto.encode(model).finish();
}
