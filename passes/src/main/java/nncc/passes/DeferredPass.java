package nncc.passes;

import java.util.function.Function;
import nncc.ir.Graph;

/**
 * A pass whose real form depends on the graph it runs on (calibration and bias correction open their data
 * against the graph's inputs): built when it runs, with the name and stages known up front.
 * Cost: building the pass from the graph (opening its data source), then the built pass's own cost.
 */
final class DeferredPass implements Pass {
    private final String name;
    private final Stage requires;
    private final Stage produces;
    private final Function<Graph, Pass> make;

    DeferredPass(String name, Stage requires, Stage produces, Function<Graph, Pass> make) {
        this.name = name;
        this.requires = requires;
        this.produces = produces;
        this.make = make;
    }

    @Override public String name() { return name; }

    @Override public Stage requires() { return requires; }

    @Override public Stage produces() { return produces; }

    @Override public PassResult run(Graph graph) { return make.apply(graph).run(graph); }
}
