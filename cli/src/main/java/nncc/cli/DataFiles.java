package nncc.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;

/**
 * Reads input data: {@code .npy} as it is, or MNIST-style IDX files (optionally gzipped): unsigned-byte image
 * files become float32 [N,1,H,W] scaled to [0,1] (pixel / 255, the bundled example's preprocessing), label
 * files become int64 [N].
 */
final class DataFiles {
    private DataFiles() {}

    static Tensor read(Path file) {
        byte[] b = ModelLoader.readAll(file);
        if (b.length >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B) b = gunzip(b, file);
        if (b.length >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0x08) return idx(b, file);
        return Npy.parse(b, file.toString());
    }

    private static byte[] gunzip(byte[] b, Path file) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "corrupt gzip data: " + e.getMessage());
        }
    }

    private static Tensor idx(byte[] b, Path file) {
        int rank = b[3];
        if (rank < 1 || rank > 4 || b.length < 4 + 4 * rank) throw new ModelException(file.toString(), null, "bad IDX header");
        ByteBuffer bb = ByteBuffer.wrap(b);
        long[] dims = new long[rank];
        long n = 1;
        for (int i = 0; i < rank; i++) { dims[i] = bb.getInt(4 + 4 * i) & 0xFFFFFFFFL; n *= dims[i]; }
        int start = 4 + 4 * rank;
        if (b.length - start < n) throw new ModelException(file.toString(), null, "truncated IDX data: need " + n + " bytes");
        if (rank == 1) {
            long[] labels = new long[(int) n];
            for (int i = 0; i < n; i++) labels[i] = b[start + i] & 0xFF;
            return Tensor.ofLongs(DType.I64, Shape.of(dims), labels);
        }
        float[] px = new float[(int) n];
        for (int i = 0; i < n; i++) px[i] = (b[start + i] & 0xFF) / 255f;
        long[] nchw = rank == 3 ? new long[] {dims[0], 1, dims[1], dims[2]} : dims;
        return Tensor.ofFloats(Shape.of(nchw), px);
    }
}
