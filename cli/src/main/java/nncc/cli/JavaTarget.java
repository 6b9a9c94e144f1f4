package nncc.cli;

import java.nio.file.Path;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.javagen.JavaTargetGenerator;

/** {@code compile --target java}: the generated Java source and parameter resource of a lowered graph. */
final class JavaTarget {
    private JavaTarget() {}

    static Map<String, byte[]> generate(Graph lowered, Path model, String className) {
        JavaTargetGenerator.Options options;
        try {
            options = new JavaTargetGenerator.Options(className);
        } catch (IllegalArgumentException e) {
            throw new CliException("--java-class: " + e.getMessage());
        }
        try {
            return JavaTargetGenerator.generate(lowered, options).files();
        } catch (ModelException e) {
            throw e.file() != null ? e : new ModelException(model.toString(), e.node(), e.getRawMessage(), e);
        }
    }
}
