/**
 * Silero v5 with only its 16 kHz graph. The published model computes `If (sr == 16000)` and carries a
 * whole network for each rate (16 kHz in `then_branch`, 8 kHz in `else_branch`); the widget only ever
 * runs it at 16 kHz. This keeps the bytes of the 16 kHz branch's nodes as they are, puts them in the main
 * graph in place of the `If`, and leaves the `sr` input declared (unused) so callers feed it as before.
 * Pure and deterministic: the same input bytes give the same output bytes.
 */
import { concatBytes, lengthDelimited, readFields, readVarint, text, type WireField } from "./protobuf-wire.ts";

// Field numbers of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { name: 1, t: 5, g: 6 } as const;
const TENSOR = { dataType: 2, int64Data: 7, rawData: 9 } as const;
const VALUE_INFO_NAME = 1;
const INT64 = 7;

/** The sample rate whose branch is kept, Hz. */
export const SILERO_RATE = 16_000;

interface Node {
  fields: WireField[];
  opType: string;
  inputs: string[];
  outputs: string[];
}

/** Returns the `.onnx` bytes of `model` (Silero v5 as vad-web ships it) reduced to its 16 kHz graph. */
export function silero16k(model: Uint8Array): Uint8Array {
  const modelFields = readFields(model);
  const graphFields = readFields(one(modelFields, MODEL_GRAPH, "ModelProto.graph").value);
  const nodes = graphFields.filter((f) => f.number === GRAPH.node).map(node);
  const constant = onlyOp(nodes, "Constant");
  const equal = onlyOp(nodes, "Equal");
  const branch = onlyOp(nodes, "If");
  if (
    int64Value(constant) !== SILERO_RATE ||
    !sameList(equal.inputs, ["sr", constant.outputs[0]!]) ||
    !sameList(branch.inputs, [equal.outputs[0]!])
  ) {
    throw new Error(`silero16k: the model's If does not test sr == ${SILERO_RATE}`);
  }
  const then = readFields(one(attribute(branch, "then_branch"), ATTRIBUTE.g, "then_branch.g").value);
  if (then.some((f) => f.number === GRAPH.input || f.number === GRAPH.initializer))
    throw new Error("silero16k: then_branch has inputs or initializers");
  const thenOutputs = then
    .filter((f) => f.number === GRAPH.output)
    .map((f) => text(one(readFields(f.value), VALUE_INFO_NAME, "ValueInfoProto.name")));
  if (thenOutputs.length !== branch.outputs.length) throw new Error("silero16k: then_branch's outputs do not match the If's");
  const renamed = new Map(branch.outputs.map((name, i) => [name, thenOutputs[i]!]));

  const rest = nodes.filter((n) => n !== constant && n !== equal && n !== branch);
  const dropped = new Set([...constant.outputs, ...equal.outputs]);
  if (rest.some((n) => n.inputs.some((name) => dropped.has(name)))) throw new Error("silero16k: another node reads the sample-rate test");
  const newNodes = [
    ...then.filter((f) => f.number === GRAPH.node).map((f) => f.bytes),
    ...rest.map((n) =>
      withInputs(
        n,
        n.inputs.map((name) => renamed.get(name) ?? name),
      ),
    ),
  ];

  const firstNode = graphFields.findIndex((f) => f.number === GRAPH.node);
  const graph = graphFields.flatMap((f, i) => (i === firstNode ? newNodes : f.number === GRAPH.node ? [] : [f.bytes]));
  return concatBytes(modelFields.map((f) => (f.number === MODEL_GRAPH ? lengthDelimited(MODEL_GRAPH, concatBytes(graph)) : f.bytes)));
}

function node(field: WireField): Node {
  const fields = readFields(field.value);
  const strings = (n: number) => fields.filter((f) => f.number === n).map(text);
  return { fields, opType: strings(NODE.opType)[0] ?? "", inputs: strings(NODE.input), outputs: strings(NODE.output) };
}

function withInputs(n: Node, inputs: string[]): Uint8Array {
  const at = n.fields.findIndex((f) => f.number === NODE.input);
  const fields = n.fields.flatMap((f, i) =>
    i === at ? inputs.map((name) => lengthDelimited(NODE.input, name)) : f.number === NODE.input ? [] : [f.bytes],
  );
  return lengthDelimited(GRAPH.node, concatBytes(fields));
}

function attribute(n: Node, name: string): WireField[] {
  for (const f of n.fields.filter((f) => f.number === NODE.attribute)) {
    const fields = readFields(f.value);
    if (fields.some((a) => a.number === ATTRIBUTE.name && text(a) === name)) return fields;
  }
  throw new Error(`silero16k: ${n.opType} has no attribute ${name}`);
}

function int64Value(n: Node): number | undefined {
  const tensor = readFields(one(attribute(n, "value"), ATTRIBUTE.t, "Constant.value").value);
  if (tensor.find((f) => f.number === TENSOR.dataType)?.value[0] !== INT64) return undefined;
  const data = tensor.find((f) => f.number === TENSOR.int64Data);
  if (data) return readVarint(data.value, 0)[0];
  const raw = tensor.find((f) => f.number === TENSOR.rawData)?.value;
  return raw?.length === 8 ? Number(new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true)) : undefined;
}

function one(fields: WireField[], number: number, what: string): WireField {
  const found = fields.filter((f) => f.number === number);
  if (found.length !== 1) throw new Error(`silero16k: expected one ${what}, found ${found.length}`);
  return found[0]!;
}

function onlyOp(nodes: Node[], opType: string): Node {
  const found = nodes.filter((n) => n.opType === opType);
  if (found.length !== 1)
    throw new Error(`silero16k: expected one ${opType} node in the main graph, found ${found.length} (not Silero v5 as vad-web ships it?)`);
  return found[0]!;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
