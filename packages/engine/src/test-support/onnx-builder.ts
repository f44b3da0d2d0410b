/**
 * Test helper (not built into dist): writes small ONNX models byte by byte (protobuf), for
 * graphs that break the e2v contract (wrong input / outputs, an unknown operator).
 * @module
 */

/** A tensor type: element type name and dims (numbers or symbolic names). */
export interface ValueSpec {
  name: string;
  elemType?: 'float32' | 'int64';
  shape: (number | string)[];
}

/** A node: op type, input and output names. */
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
}

const ELEM = { float32: 1, int64: 7 } as const;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function key(field: number, wire: number): number[] {
  return varint(field * 8 + wire);
}

function bytesField(field: number, body: Uint8Array | number[]): number[] {
  return [...key(field, 2), ...varint(body.length), ...body];
}

function stringField(field: number, s: string): number[] {
  return bytesField(field, [...new TextEncoder().encode(s)]);
}

function intField(field: number, n: number): number[] {
  return [...key(field, 0), ...varint(n)];
}

function valueInfo(v: ValueSpec): number[] {
  const dims = v.shape.flatMap((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  const tensorType = [...intField(1, ELEM[v.elemType ?? 'float32']), ...bytesField(2, dims)];
  return [...stringField(1, v.name), ...bytesField(2, bytesField(1, tensorType))];
}

/**
 * Encodes a ModelProto (IR version 8, default opset 17).
 * @returns the bytes of a .onnx file
 */
export function buildOnnx(graph: { inputs: ValueSpec[]; outputs: ValueSpec[]; nodes: NodeSpec[] }): Uint8Array {
  const g: number[] = [];
  graph.nodes.forEach((n, i) => {
    const node = [
      ...n.inputs.flatMap((s) => stringField(1, s)),
      ...n.outputs.flatMap((s) => stringField(2, s)),
      ...stringField(3, `n${i}`),
      ...stringField(4, n.op),
    ];
    if (n.domain !== undefined) node.push(...stringField(7, n.domain));
    g.push(...bytesField(1, node));
  });
  g.push(...stringField(2, 'test'));
  for (const v of graph.inputs) g.push(...bytesField(11, valueInfo(v)));
  for (const v of graph.outputs) g.push(...bytesField(12, valueInfo(v)));
  const model = [...intField(1, 8), ...bytesField(8, [...stringField(1, ''), ...intField(2, 17)]), ...bytesField(7, g)];
  return Uint8Array.from(model);
}
