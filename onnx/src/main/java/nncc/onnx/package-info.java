/**
 * ONNX import. {@link nncc.onnx.OnnxImporter} turns a ModelProto into a verified IR graph: each ONNX op is mapped
 * by one importer in {@code OpImporters} onto an IR op record (opset differences resolved to the record's explicit
 * attributes), and {@code ConstantFolder} evaluates constant and symbolic-shape computations at import time so that
 * exporter shape chains (Shape, Gather, Concat, Reshape...) leave a single Reshape. {@link nncc.onnx.OnnxTensors}
 * decodes TensorProtos, including the backend test suite's data files.
 */
package nncc.onnx;
