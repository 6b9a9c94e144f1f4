package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nncc.cli.Main;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for the failures a mutation campaign found (issue 12): each malformed input in
 * {@code tests/src/test/resources/malformed/} (made by {@code scripts/make_malformed_inputs.java}) must give a
 * one-line error with exit 2 that names the problem, never a stack trace, exit 1 or a wrong result with exit 0.
 */
class MalformedInputTest {
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    static Result nncc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static String res(String f) { return TestPaths.root().resolve("tests/src/test/resources/malformed").resolve(f).toString(); }

    /** Exit 2, exactly one line on stderr naming every {@code mustMention}, no stack trace. */
    static void assertRefused(Result r, String... mustMention) {
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "one line expected, got: " + r.err());
        assertTrue(lines[0].startsWith("nncc: "), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception") || r.err().contains("Error:"), r.err());
        for (String m : mustMention) assertTrue(r.err().contains(m), "error should mention '" + m + "': " + r.err());
    }

    @Test
    void graphWithoutOutputsIsRefusedAtImport() {
        for (String cmd : new String[] {"inspect", "run"}) {
            String[] extra = cmd.equals("run") ? new String[] {"--input", res("calib4.npy"), "--output", tmp.resolve("y.npy").toString()} : new String[0];
            assertRefused(nncc(concat(new String[] {cmd, res("no_outputs.onnx")}, extra)), "no_outputs.onnx", "no outputs");
            assertRefused(nncc(concat(new String[] {cmd, res("no_outputs.nnir")}, extra)), "no_outputs.nnir", "no output");
        }
        assertRefused(nncc("compile", res("no_outputs.onnx"), "--target", "cpu", "-o", tmp.resolve("out").toString()), "no outputs");
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void padOf2pow40IsRefusedEverywhere() {
        assertRefused(nncc("inspect", res("pad_2pow40.onnx")), "Pad_0", "1099511627780 elements");
        assertRefused(nncc("run", res("pad_2pow40.onnx"), "--input", res("calib4.npy"), "--output", tmp.resolve("y.npy").toString()), "elements");
        assertRefused(nncc("quantize", res("pad_2pow40.onnx"), "--calib", res("calib4.npy"), "-o", tmp.resolve("q.nnir").toString()), "elements");
        assertEquals(0, tmp.toFile().list().length, "no output left");
    }

    @Test
    void tensorsOverMaxTensorBytesAreRefusedBeforeAllocating() {
        // calib4.npy holds 64 float32 (256 bytes); conv_batch1.onnx's largest weight is smaller than that
        Path y = tmp.resolve("y.npy");
        assertRefused(nncc("run", res("conv_batch1.onnx"), "--input", res("calib4.npy"), "--output", y.toString(),
                "--max-tensor-bytes", "255"), "calib4.npy", "256 bytes", "--max-tensor-bytes 255");
        assertFalse(Files.exists(y));
        assertEquals(0, nncc("run", res("conv_batch1.onnx"), "--input", res("calib4.npy"), "--output", y.toString(),
                "--max-tensor-bytes", "256").code());
        // before the subcommand too, and for a model's weights
        assertRefused(nncc("--max-tensor-bytes", "4", "inspect", res("conv_batch1.onnx")), "conv_batch1.onnx", "--max-tensor-bytes 4");
        assertEquals(0, nncc("inspect", res("conv_batch1.onnx")).code(), "the default (2G) is back for the next command");
        assertRefused(nncc("--max-tensor-bytes", "lots", "inspect", res("conv_batch1.onnx")), "not a byte size: 'lots'");
    }

    @Test
    void nnirConstantsWithOverflowingSizesAreRefused() {
        assertRefused(nncc("inspect", res("const_overflowing_shape.nnir")), ":4:", "more than 2^63 elements");
        assertRefused(nncc("inspect", res("const_bytes_wrap_to_zero.nnir")), ":4:", "more than 2^63 bytes");
    }

    @Test
    void npyHeaderLengthOf2pow31IsRefused() {
        assertRefused(nncc("run", res("conv_batch1.onnx"), "--input", res("npy_header_len_2pow31.npy"), "--output", tmp.resolve("y.npy").toString()),
                "npy_header_len_2pow31.npy", "header length 2147483647");
    }

    @Test
    void infiniteAndNanWeightsAreRefusedByName() {
        for (String f : new String[] {"inf_weight.onnx", "nan_weight.onnx"})
            assertRefused(nncc("quantize", res(f), "--calib", res("calib4.npy"), "-o", tmp.resolve("q.nnir").toString()),
                    f, "weight tensor 'w'", "element 5");
        assertFalse(Files.exists(tmp.resolve("q.nnir")));
    }

    @Test
    void nanCalibrationDataIsRefusedUnlessAllowed() {
        Path q = tmp.resolve("q.nnir");
        assertRefused(nncc("quantize", res("conv_batch1.onnx"), "--calib", res("calib4_nan.npy"), "-o", q.toString()),
                "calib4_nan.npy", "1 NaN value of 64", "--allow-nan-calib");
        assertFalse(Files.exists(q));
        Result ok = nncc("quantize", res("conv_batch1.onnx"), "--calib", res("calib4_nan.npy"), "--allow-nan-calib", "-o", q.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("warning") && ok.err().contains("1 NaN value"), ok.err());
    }

    @Test
    void allNanCalibrationDataIsRefusedEvenWhenAllowed() throws Exception {
        Path nan = tmp.resolve("nan.npy");
        float[] v = new float[4 * 16];
        Arrays.fill(v, Float.NaN);
        Files.write(nan, Npy.toBytes(Tensor.ofFloats(Shape.of(4, 1, 4, 4), v)));
        assertRefused(nncc("quantize", res("conv_batch1.onnx"), "--calib", nan.toString(), "--allow-nan-calib", "-o",
                tmp.resolve("q.nnir").toString()), "64 NaN values of 64");
    }

    @Test
    void evalNeverReportsAccuracyFromNanScores() throws Exception {
        Path nan = tmp.resolve("nan.npy"), labels = tmp.resolve("labels.npy");
        float[] v = new float[4 * 16];
        Arrays.fill(v, Float.NaN);
        Files.write(nan, Npy.toBytes(Tensor.ofFloats(Shape.of(4, 1, 4, 4), v)));
        Files.write(labels, Npy.toBytes(Tensor.ofLongs(DType.I64, Shape.of(4), new long[] {0, 0, 0, 0})));
        Result r = nncc("eval", res("conv_batch1.onnx"), "--data", nan.toString(), "--labels", labels.toString());
        assertRefused(r, "nan.npy", "NaN", "no accuracy");
        assertFalse(r.out().contains("top1="), r.out());
    }

    @Test
    void runWarnsWhenAnOutputHoldsNan() {
        Path y = tmp.resolve("y.npy");
        Result r = nncc("run", res("conv_batch1.onnx"), "--input", res("calib4_nan.npy"), "--output", y.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: output 'y' holds") && r.err().contains("NaN"), r.err());
        Result clean = nncc("run", res("conv_batch1.onnx"), "--input", res("calib4.npy"), "--output", y.toString());
        assertEquals("", clean.err());
    }

    @Test
    void fixedBatchOneModelCalibratesSampleBySample() {
        Result r = nncc("quantize", res("conv_batch1.onnx"), "--calib", res("calib4.npy"), "-o", tmp.resolve("q.nnir").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(tmp.resolve("q.nnir")));
    }

    @Test
    void cnnMixedOpsQuantizesWithItsOwnInput() {
        // PRelu used to copy its input's quantization plan to its output, which the verifier then rejected
        Path m = TestPaths.models();
        Result r = nncc("quantize", m.resolve("cnn_mixed_ops.onnx").toString(), "--calib", m.resolve("cnn_mixed_ops.input.npy").toString(),
                "-o", tmp.resolve("q.nnir").toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void usageErrorsAreOneLine() {
        assertRefused(nncc("run", "--bogus"), "MODEL", "nncc run --help");
        assertRefused(nncc("run", "m.onnx", "--input", "x.npy", "--output", "y.npy", "--bogus"), "--bogus", "nncc run --help");
        assertRefused(nncc("frobnicate"), "frobnicate");
    }

    @Test
    void longOpTypeIsEchoedShortened() throws Exception {
        // a 1 MB op_type: made here rather than stored (the file would be 1 MB)
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(Path.of(res("no_outputs.onnx"))));
        ModelProto.Builder b = m.toBuilder();
        b.getGraphBuilder().getNodeBuilder(0).setOpType("X".repeat(1 << 20));
        b.getGraphBuilder().addOutput(ValueInfoProto.newBuilder().setName("y"));
        Path f = tmp.resolve("long_op.onnx");
        Files.write(f, b.build().toByteArray());
        Result r = nncc("inspect", f.toString());
        assertRefused(r, "unsupported op", "1048576 characters");
        assertTrue(r.err().length() < 3000, "error line of " + r.err().length() + " characters");
    }

    @Test
    void unknownAttributesBadFlagsOpsetsAndDeclaredShapesAreRefusedByName() {
        assertRefused(nncc("inspect", res("unknown_attribute.onnx")), "Relu_0", "unknown attribute 'frobnicate'");
        assertRefused(nncc("inspect", res("maxpool_ceil_mode_5.onnx")), "MaxPool_0", "ceil_mode = 5");
        for (String o : new String[] {"0", "-13", "999"})
            assertRefused(nncc("inspect", res("opset_" + o + ".onnx")), "opset " + o, "supports opsets 1 to");
        assertRefused(nncc("inspect", res("wrong_output_shape.onnx")), "graph output 'y'", "dim 1 = 3", "f32[1,4]");
    }

    @Test
    void campaignCrashersAreOneLineErrorsWithoutExceptionNames() {
        assertRefused(nncc("inspect", res("input_dim_2pow63.onnx")), "value 'x'", "more than 2^63 elements");
        assertRefused(nncc("inspect", res("transpose_bad_perm.onnx")), "/Transpose", "perm [16, 0] is not a permutation of rank 2");
    }

    @Test
    void zeroPointOutsideItsTypeIsRefusedByTheVerifier() {
        assertRefused(nncc("inspect", res("zp_300_on_i8.nnir")), "zero point 300", "i8 [-128, 127]");
    }

    @Test
    void byteOrderMarkBeforeNnirIsAccepted() {
        Result r = nncc("inspect", res("bom.nnir"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Relu"), r.out());
    }

    @Test
    void tensorDeclaring2pow62ElementsIsRefusedQuickly() {
        assertRefused(nncc("inspect", res("declared_2pow62.onnx")), "tensor 'w'", "4611686018427387904");
    }

    @Test
    void weightsInALegitimateExternalFileRunLikeInlineOnes() throws Exception {
        ModelProto inline = ModelProto.parseFrom(Files.readAllBytes(Path.of(res("conv_batch1.onnx"))));
        ModelProto.Builder b = inline.toBuilder();
        var w = b.getGraphBuilder().getInitializerBuilderList().stream().filter(t -> t.getName().equals("w")).findFirst().orElseThrow();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(w.getFloatDataCount() * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : w.getFloatDataList()) bytes.putFloat(v);
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Files.write(dir.resolve("conv.weights"), bytes.array());
        w.clearFloatData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("conv.weights"));
        Path external = dir.resolve("external.onnx");
        Files.write(external, b.build().toByteArray());
        Path y1 = tmp.resolve("y1.npy"), y2 = tmp.resolve("y2.npy");
        assertEquals(0, nncc("run", res("conv_batch1.onnx"), "--input", res("calib4.npy"), "--output", y1.toString()).code());
        Result r = nncc("run", external.toString(), "--input", res("calib4.npy"), "--output", y2.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(y1), Files.readAllBytes(y2));
        // the same model pointing out of its folder is refused
        w.clearExternalData().addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../y1.npy"));
        Files.write(external, b.build().toByteArray());
        assertRefused(nncc("inspect", external.toString()), "tensor 'w'", "'../y1.npy'", "leaves the model's folder");
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
