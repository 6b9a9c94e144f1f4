package nncc.tpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Rounding;
import nncc.ir.Verifier;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.SubGraph;

/**
 * Imports a TFLite flatbuffer (int8 or 16x8 quantized; the main subgraph) into nncc's lowered integer IR, so
 * the CPU reference runs it with TFLite's reference arithmetic: every multiplier, shift and clamp is derived as
 * TFLite's Prepare derives it ({@link TflitePrepare}) and written into the op records.
 *
 * <p>Layout: the graph's inputs and outputs keep TFLite's shapes (NHWC for images), so the same bytes feed both;
 * inside, rank-4 activations are NCHW as the IR's conv and pool records expect ({@link TfliteGraphBuilder}).
 * Filters are transposed once at import (OHWI to OIHW, depthwise [1,H,W,C*M] to [C*M,1,H,W]); PAD, MEAN,
 * CONCATENATION, SOFTMAX and STRIDED_SLICE map their axes; RESHAPE, TRANSPOSE and FULLY_CONNECTED read their input
 * back in NHWC order (a Transpose, or a Reshape when the memory order is the same), and binary ops expand a
 * lower-rank operand to rank 4 first, so broadcasting means what it meant in NHWC.
 *
 * <p>Malformed files (offsets or lengths outside the file, buffer sizes that disagree with shapes, shapes that
 * overflow) are one-line {@link ModelException}s; an unsupported op names its index, builtin code and version.
 */
public final class TfliteImporter {
    private TfliteImporter() {}

    /** Whether {@code bytes} carry the TFLite file identifier "TFL3" at offset 4. */
    public static boolean isTflite(byte[] bytes) {
        return bytes.length >= 8 && bytes[4] == 'T' && bytes[5] == 'F' && bytes[6] == 'L' && bytes[7] == '3';
    }

    /** Imports the model in {@code bytes} with TFLite's reference rounding; {@code file} names it in errors. */
    public static Graph load(byte[] bytes, String file) { return load(bytes, file, Rounding.DOUBLE_ROUND); }

    /**
     * Imports the model in {@code bytes}, its int8 ops requantizing with {@code int8Rounding}: DOUBLE_ROUND as TFLite's
     * reference kernels (and TFLite Micro), SINGLE_ROUND as TFLite built with TFLITE_SINGLE_ROUNDING, ruy, and
     * (up to float32 ties) XNNPACK. ONNX_FLOAT32 reads the arithmetic of the TFLite runtime with its XNNPACK delegate:
     * conv, depthwise and fully connected layers requantize in float32, int8 ADD/SUB are XNNPACK's fixed-point add
     * (TFLite's double rounding where XNNPACK refuses the scales), a spatial MEAN is XNNPACK's float32 global average
     * pooling ({@link XnnpackPrepare}), other int8 ops round once.
     * The file itself holds no rounding mode; 16-bit ops keep TFLite's Q15 form.
     */
    public static Graph load(byte[] bytes, String file, Rounding int8Rounding) {
        StringBuilder reading = new StringBuilder("the model header");
        try {
            return importModel(bytes, file, reading, int8Rounding);
        } catch (ModelException e) {
            throw e.file() == null ? e.inFile(file) : e;
        } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException
                 | NegativeArraySizeException e) {
            throw new ModelException(file, null, "malformed TFLite flatbuffer: reading " + reading
                    + " went outside the file's " + bytes.length + " bytes");
        }
    }

    /**
     * A flatbuffer vector's declared length, refused (before anything is allocated for it) when it is negative or its
     * 4-byte entries could not fit in the file.
     */
    static int vectorLength(int n, int fileBytes, String what) {
        if (n < 0 || (long) n * 4 > fileBytes)
            throw new ModelException("malformed TFLite flatbuffer: " + n + " " + what + " declared in a file of " + fileBytes + " bytes");
        return n;
    }

    private static Graph importModel(byte[] bytes, String file, StringBuilder reading, Rounding int8Rounding) {
        if (!isTflite(bytes)) throw new ModelException(file, null, "not a TFLite flatbuffer (no \"TFL3\" identifier at offset 4)");
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int root = bb.getInt(0);
        if (root < 8 || root > bytes.length - 4) throw new ModelException(file, null, "malformed TFLite flatbuffer: root offset " + root + " outside the file");
        Model model = Model.getRootAsModel(bb);
        if (model.subgraphsLength() < 1) throw new ModelException(file, null, "the model has no subgraph");
        SubGraph g = model.subgraphs(0);
        TfliteTensors.Info[] tensors = new TfliteTensors.Info[vectorLength(g.tensorsLength(), bytes.length, "tensors")];
        for (int i = 0; i < tensors.length; i++) {
            reading.setLength(0);
            reading.append("tensor ").append(i);
            tensors[i] = TfliteTensors.read(model, g, i);
        }
        String name = g.name() == null || g.name().isEmpty() ? stem(file) : g.name();
        TfliteGraphBuilder b = new TfliteGraphBuilder(new Graph(name), tensors);
        b.int8Rounding = int8Rounding;
        for (int i = 0; i < g.inputsLength(); i++) b.addGraphInput(g.inputs(i));
        for (int i = 0; i < g.operatorsLength(); i++) {
            reading.setLength(0);
            reading.append("op ").append(i);
            Operator op = g.operators(i);
            long opcode = op.opcodeIndex();
            if (opcode < 0 || opcode >= model.operatorCodesLength())
                throw new ModelException(file, null, "op " + i + ": opcode index " + opcode + " outside [0, " + model.operatorCodesLength() + ")");
            OperatorCode oc = model.operatorCodes((int) opcode);
            int code = Math.max(oc.builtinCode(), oc.deprecatedBuiltinCode());
            String opName = code >= 0 && code < 256 ? safeName(code) : "?";
            b.opLabel = "op " + i + " (" + opName + " v" + oc.version() + ")";
            if (code == BuiltinOperator.CUSTOM)
                throw new ModelException(file, null, "op " + i + ": unsupported custom op '" + oc.customCode() + "' (builtin code 32, version " + oc.version() + ")");
            if (op.outputsLength() < 1 || op.inputsLength() < 1) throw new ModelException(file, null, b.opLabel + ": no inputs or outputs");
            for (int k = 0; k < op.inputsLength(); k++) if (op.inputs(k) >= 0) b.info(op.inputs(k));
            for (int k = 0; k < op.outputsLength(); k++) b.info(op.outputs(k));
            if (!TfliteOpLowering.lower(b, code, op))
                throw new ModelException(file, null, "op " + i + ": unsupported op " + opName + " (builtin code " + code + ", version " + oc.version() + ")");
        }
        for (int i = 0; i < g.outputsLength(); i++) b.addGraphOutput(g.outputs(i));
        b.graph.removeUnusedConstants();
        Verifier.verify(b.graph);
        return b.graph;
    }

    private static String safeName(int code) {
        try {
            return BuiltinOperator.name(code);
        } catch (RuntimeException e) {
            return "builtin " + code;
        }
    }

    private static String stem(String file) {
        String f = java.nio.file.Path.of(file).getFileName().toString();
        int dot = f.lastIndexOf('.');
        return (dot > 0 ? f.substring(0, dot) : f).replaceAll("[^A-Za-z0-9_]", "_");
    }
}
