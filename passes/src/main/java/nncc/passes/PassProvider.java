package nncc.passes;

import java.util.Map;

/**
 * The service interface of pass plugins: a jar named by {@code --plugin JAR} lists its implementations in
 * {@code META-INF/services/nncc.passes.PassProvider}, and each adds passes by kebab-case name. The registry
 * loads only the providers of the named jars (never the class path), parses their options the same way as the
 * built-in passes' ({@code name{key=value,flag}}) and places them wherever {@code --passes} names them.
 */
public interface PassProvider {
    /** The passes this provider adds: name to factory. A name may not repeat a built-in or another plugin's. */
    Map<String, PassRegistry.Factory> passes();
}
