package nncc.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Tensor;
import nncc.ir.Verifier;
import org.junit.jupiter.api.Test;

/**
 * Imports every model of the ONNX backend test suite (Debian package libonnx-testdata) whose ops are all ones
 * the importer handles: each must import and verify, or be rejected with a message naming a feature that is
 * explicitly unsupported. Models using other ops are counted, not imported.
 */
class BackendSuiteImportTest {
    private static final Path ROOT = Path.of("/usr/share/libonnx-testdata/data");
    private static final List<String> DIRS = List.of("node", "pytorch-converted", "pytorch-operator", "simple");

    /** Rejections that name a feature the importer deliberately does not support. */
    private static final Map<String, Pattern> ACCEPTED_REJECTIONS = Map.of(
            "training mode", Pattern.compile("training-mode (BatchNormalization|Dropout) is not supported"),
            "Pow on integer tensors or with a run-time exponent of another type", Pattern.compile("Pow \\(opset \\d+\\): (a run-time exponent of type \\w+ \\(base \\w+\\) is not supported|Pow input X must be a float tensor, got i(32|64)\\[)"),
            "LayerNormalization statistics outputs", Pattern.compile("LayerNormalization \\(opset \\d+\\): output [12] \\('[^']*', a training statistic\\) is not supported"),
            "non-tensor type", Pattern.compile("non-tensor type (sequence|optional|map)"),
            "string tensor", Pattern.compile("string tensors are not supported"),
            "integer or mixed-type Pow", Pattern.compile("Pow (on integer tensors|with a run-time exponent of another type) is not supported"),
            "unsupported element type", Pattern.compile("unsupported tensor data type (UINT16|UINT32|UINT64|COMPLEX|FLOAT8)"),
            "fold-only op on run-time data", Pattern.compile("op (Cast|Slice|Range|ConstantOfShape|Shape) is only supported when it folds to a constant"),
            "run-time operand that must be constant", Pattern.compile("run-time [A-Za-z_ ]+ \\(input '[^']*'\\) is not supported; it must (be|fold to) a constant"));

    /** Rejections for operands that arrive as graph inputs; the test retries these with the inputs bound as constants. */
    private static final Set<String> RETRY_WITH_BOUND_INPUTS = Set.of("fold-only op on run-time data",
            "run-time operand that must be constant");

    @Test
    void importsEverySupportedModel() throws IOException {
        assertTrue(Files.isDirectory(ROOT), ROOT + " is missing: install the Debian package libonnx-testdata");
        Set<String> handled = OpImporters.supportedOps();
        int inScope = 0, imported = 0, importedBound = 0, outOfScope = 0;
        Map<String, Integer> rejected = new TreeMap<>();
        Map<String, Integer> stillRejected = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (String dir : DIRS) {
            List<Path> cases;
            try (Stream<Path> s = Files.list(ROOT.resolve(dir))) {
                cases = s.filter(p -> Files.exists(p.resolve("model.onnx"))).sorted().toList();
            }
            assertTrue(!cases.isEmpty(), "no test cases under " + ROOT.resolve(dir));
            for (Path c : cases) {
                Path file = c.resolve("model.onnx");
                if (!handled.containsAll(opsOf(file))) { outOfScope++; continue; }
                inScope++;
                String name = dir + "/" + c.getFileName();
                try {
                    Verifier.verify(OnnxImporter.load(file));
                    imported++;
                    continue;
                } catch (ModelException e) {
                    String reason = reason(e);
                    if (reason == null) { failures.add(name + ": " + e.getMessage()); continue; }
                    rejected.merge(reason, 1, Integer::sum);
                    if (!RETRY_WITH_BOUND_INPUTS.contains(reason)) continue;
                } catch (RuntimeException e) {
                    failures.add(name + ": unexpected " + e);
                    continue;
                }
                // operands that arrive as graph inputs: bind test_data_set_0 as constants and import again
                try {
                    Verifier.verify(OnnxImporter.load(Files.readAllBytes(file), file.toString(), testInputs(c)));
                    importedBound++;
                } catch (ModelException again) {
                    String reason = reason(again);
                    if (reason == null) failures.add(name + " (inputs bound): " + again.getMessage());
                    else stillRejected.merge(reason, 1, Integer::sum);
                }
            }
        }
        int rejectedTotal = rejected.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("ONNX backend suite: " + inScope + " models in scope: imported " + imported + "; rejected "
                + rejectedTotal + " " + rejected + ", of which " + importedBound
                + " import with test_data_set_0 inputs bound as constants (still rejected then: " + stillRejected
                + "); failed " + failures.size() + "; out of scope (ops outside the list) " + outOfScope);
        failures.forEach(f -> System.out.println("  FAILED " + f));
        if (!failures.isEmpty()) fail(failures.size() + " in-scope models failed to import:\n" + String.join("\n", failures));
        assertTrue(imported > 250, "only " + imported + " models imported");
        assertEquals(0, failures.size());
    }

    private static String reason(ModelException e) {
        return ACCEPTED_REJECTIONS.entrySet().stream().filter(r -> r.getValue().matcher(e.getMessage()).find())
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /** The test case's input_k.pb tensors by graph input name (the k-th non-initializer input). */
    private static Map<String, Tensor> testInputs(Path testCase) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(testCase.resolve("model.onnx")));
        Set<String> inits = new TreeSet<>();
        m.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
        List<String> inputs = m.getGraph().getInputList().stream().map(v -> v.getName()).filter(n -> !inits.contains(n)).toList();
        Map<String, Tensor> bound = new TreeMap<>();
        for (int k = 0; k < inputs.size(); k++) {
            Path pb = testCase.resolve("test_data_set_0").resolve("input_" + k + ".pb");
            if (Files.exists(pb)) bound.put(inputs.get(k), OnnxTensors.read(pb));
        }
        return bound;
    }

    private static Set<String> opsOf(Path model) throws IOException {
        Set<String> ops = new TreeSet<>();
        for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(model)).getGraph().getNodeList())
            ops.add(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType() : n.getDomain() + "." + n.getOpType());
        return ops;
    }
}
