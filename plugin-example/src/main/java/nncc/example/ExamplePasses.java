package nncc.example;

import java.util.Map;
import nncc.passes.PassProvider;
import nncc.passes.PassRegistry;

/** The example plugin's passes, listed in META-INF/services/nncc.passes.PassProvider. */
public final class ExamplePasses implements PassProvider {
    @Override public Map<String, PassRegistry.Factory> passes() {
        return Map.of(PrefixNodeNamesPass.NAME, (options, context) -> new PrefixNodeNamesPass(options.string("prefix", "x_")));
    }
}
