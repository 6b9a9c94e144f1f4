package nncc.onnx;

/** Imports one ONNX node of a given op type into the graph being built, emitting IR nodes through {@link OnnxNode}. */
@FunctionalInterface
interface OpImporter {
    void importNode(OnnxNode node);
}
