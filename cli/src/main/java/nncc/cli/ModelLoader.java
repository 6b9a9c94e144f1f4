package nncc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.text.IrParser;
import nncc.onnx.OnnxImporter;

/** Loads a model file, telling ONNX, TFLite and .nnir apart by content rather than extension. */
final class ModelLoader {
    enum Format { ONNX, TFLITE, NNIR }

    private ModelLoader() {}

    static Graph load(Path file) {
        byte[] bytes = readAll(file);
        return switch (detect(bytes)) {
            case NNIR -> IrParser.parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
            case ONNX -> OnnxImporter.load(bytes, file.toString());
            case TFLITE -> nncc.tpu.TfliteImporter.load(bytes, file.toString());
        };
    }

    /** A TFLite file whose int8 ops compute in {@code int8Rounding} ({@link nncc.tpu.TfliteImporter#load(byte[], String, nncc.ir.Rounding)}). */
    static Graph loadTflite(Path file, nncc.ir.Rounding int8Rounding) {
        byte[] bytes = readAll(file);
        if (detect(bytes) != Format.TFLITE) throw new ModelException(file.toString(), null, "--tflite-arithmetic needs a .tflite model (no \"TFL3\" identifier at offset 4)");
        return nncc.tpu.TfliteImporter.load(bytes, file.toString(), int8Rounding);
    }

    /**
     * {@link #load}, then a pre-quantized ONNX model (QuantizeLinear/DequantizeLinear, QLinearConv...) lowered to
     * nncc's integer ops with its own parameters (pass lower-qdq), so it runs as nncc's own quantized models do.
     */
    static Graph loadLowered(Path file) {
        Graph g = load(file);
        if (detect(readAll(file)) == Format.ONNX) nncc.passes.quant.LowerQdqPass.lowerIfPreQuantized(g);
        return g;
    }

    static byte[] readAll(Path file) {
        try {
            if (Files.isDirectory(file)) throw new ModelException(file.toString(), null, "is a directory, not a model file");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file.toString(), null, "no such file");
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "cannot read: " + e.getMessage());
        }
    }

    /** TFLite files carry "TFL3" at offset 4; .nnir is text starting with a comment or "graph"; else ONNX. */
    static Format detect(byte[] b) {
        if (b.length >= 8 && b[4] == 'T' && b[5] == 'F' && b[6] == 'L' && b[7] == '3') return Format.TFLITE;
        int i = b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF ? 3 : 0; // UTF-8 BOM
        while (i < b.length && Character.isWhitespace(b[i])) i++;
        if (startsWith(b, i, "graph") || startsWith(b, i, "//")) return Format.NNIR;
        return Format.ONNX;
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        if (b.length - at < s.length()) return false;
        for (int k = 0; k < s.length(); k++) if (b[at + k] != s.charAt(k)) return false;
        return true;
    }
}
