package nncc.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX external data (issue 12): weights in a file beside the model are read; locations that are absolute,
 * climb out with "..", or leave the folder through a symbolic link are refused, as are offsets and lengths the
 * file cannot back and absurd declared sizes, each before anything large is allocated.
 */
class ExternalDataTest {
    @TempDir Path tmp;

    static final float[] W = {0.5f, -1.25f, 3f, 7.5f};

    /** A model y = x + w whose w (f32[4]) lives in external data with the given keys. */
    static ModelProto model(long dim, String location, String... moreKeys) {
        TensorProto.Builder w = TensorProto.newBuilder().setName("w").setDataType(1).addDims(dim)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
        for (int i = 0; i < moreKeys.length; i += 2)
            w.addExternalData(StringStringEntryProto.newBuilder().setKey(moreKeys[i]).setValue(moreKeys[i + 1]));
        var b = new TestModel(13).input("x", DType.F32, 4).output("y").node("Add", "x,w->y").proto().toBuilder();
        b.getGraphBuilder().addInitializer(w);
        return b.build();
    }

    static byte[] weightBytes(int padBefore) {
        ByteBuffer b = ByteBuffer.allocate(padBefore + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.position(padBefore);
        for (float v : W) b.putFloat(v);
        return b.array();
    }

    private Path write(Path dir, ModelProto m) throws Exception {
        Files.createDirectories(dir);
        Path f = dir.resolve("model.onnx");
        Files.write(f, m.toByteArray());
        return f;
    }

    private String refused(Path model) {
        ModelException e = assertThrows(ModelException.class, () -> OnnxImporter.load(model));
        return e.getMessage();
    }

    @Test void weightsBesideTheModelAreRead() throws Exception {
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("data/weights.bin"), weightBytes(8));
        Graph g = OnnxImporter.load(write(dir, model(4, "data/weights.bin", "offset", "8", "length", "16")));
        assertArrayEquals(W, g.constant("w").data().toFloats());
    }

    @Test void escapesAreRefused() throws Exception {
        Path dir = tmp.resolve("m");
        Files.write(tmp.resolve("outside.bin"), weightBytes(0));
        String m = refused(write(dir, model(4, "../outside.bin")));
        assertTrue(m.contains("tensor 'w'") && m.contains("'../outside.bin'") && m.contains("leaves the model's folder"), m);
        m = refused(write(dir, model(4, "data/../../outside.bin")));
        assertTrue(m.contains("leaves the model's folder"), m);
        m = refused(write(dir, model(4, tmp.resolve("outside.bin").toString())));
        assertTrue(m.contains("is an absolute path"), m);
        Files.createSymbolicLink(dir.resolve("link.bin"), tmp.resolve("outside.bin"));
        m = refused(write(dir, model(4, "link.bin")));
        assertTrue(m.contains("'link.bin'") && m.contains("link leading outside"), m);
        Files.createSymbolicLink(dir.resolve("up"), tmp);
        m = refused(write(dir, model(4, "up/outside.bin")));
        assertTrue(m.contains("link leading outside"), m);
    }

    @Test void offsetsAndLengthsAreCheckedAgainstTheFile() throws Exception {
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir);
        Files.write(dir.resolve("w.bin"), weightBytes(0));
        String m = refused(write(dir, model(4, "w.bin", "offset", "4")));
        assertTrue(m.contains("holds 16 bytes; offset 4 + 16 bytes runs past its end"), m);
        m = refused(write(dir, model(4, "w.bin", "offset", "9223372036854775807")));
        assertTrue(m.contains("runs past its end"), m);
        m = refused(write(dir, model(4, "w.bin", "length", "12")));
        assertTrue(m.contains("declares 16 bytes but its external data length is 12"), m);
        m = refused(write(dir, model(4, "w.bin", "offset", "-3")));
        assertTrue(m.contains("offset '-3' is not a byte count"), m);
        m = refused(write(dir, model(4, "missing.bin")));
        assertTrue(m.contains("'missing.bin' does not exist"), m);
    }

    @Test void aTensorDeclaring2pow62ElementsIsRefusedBeforeReading() throws Exception {
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir);
        Files.write(dir.resolve("w.bin"), weightBytes(0));
        String m = refused(write(dir, model(1L << 62, "w.bin")));
        assertTrue(m.contains("tensor 'w' declares f32[4611686018427387904]") && m.contains("more elements than nncc supports"), m);
    }
}
