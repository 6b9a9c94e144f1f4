package nncc.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model: graph inputs, constants (initializers), nodes in topological order and graph outputs. Passes
 * edit a graph in place through the methods here; nodes and values themselves are immutable.
 */
public final class Graph {
    private String name;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final LinkedHashMap<String, Constant> constants = new LinkedHashMap<>();
    /** The nodes; a removed node leaves a null here until {@link #compact} (so removal is O(1) with the index). */
    private final List<Node> nodes = new ArrayList<>();
    private int removed;
    /** Bumped by every structural change; the use-def index is rebuilt when it is stale. */
    private int modCount;
    private UseDef useDef;
    private int useDefMod = -1;

    /**
     * The use-def index: the producer and the consumers of every value and every name in use, built in one O(n)
     * walk when first asked after a change and kept up to date by {@link #addNode} (the common append).
     */
    private static final class UseDef {
        final Map<String, Node> producer = new HashMap<>();
        final Map<String, List<Node>> consumers = new HashMap<>();
        final Set<String> names = new HashSet<>();
        final Map<String, Node> byName = new HashMap<>();
        /** Each node's index in the node list. */
        final Map<String, Integer> position = new HashMap<>();

        void add(Node n, int at) {
            names.add(n.name());
            byName.put(n.name(), n);
            position.put(n.name(), at);
            for (Value v : n.inputs()) {
                List<Node> c = consumers.computeIfAbsent(v.name(), k -> new ArrayList<>(2));
                if (c.isEmpty() || c.get(c.size() - 1) != n) c.add(n);
            }
            for (Value o : n.outputs()) { producer.put(o.name(), n); names.add(o.name()); }
        }

        /** Forgets node {@code n} (its name stays taken, so fresh names never reuse it). */
        void remove(Node n) {
            if (byName.get(n.name()) == n) { byName.remove(n.name()); position.remove(n.name()); }
            for (Value v : n.inputs()) {
                List<Node> c = consumers.get(v.name());
                if (c != null) c.remove(n);
            }
            for (Value o : n.outputs()) if (producer.get(o.name()) == n) producer.remove(o.name());
        }

        /** Indexes {@code n} at node-list index {@code at}, its place in each input's reader list by position. */
        void insert(Node n, int at) {
            names.add(n.name());
            byName.put(n.name(), n);
            position.put(n.name(), at);
            for (Value v : n.inputs()) {
                List<Node> c = consumers.computeIfAbsent(v.name(), k -> new ArrayList<>(2));
                if (c.contains(n)) continue;
                int k = c.size();
                while (k > 0 && position.get(c.get(k - 1).name()) > at) k--;
                c.add(k, n);
            }
            for (Value o : n.outputs()) { producer.put(o.name(), n); names.add(o.name()); }
        }
    }

    private UseDef index() {
        if (useDef == null || useDefMod != modCount) {
            compact();
            UseDef u = new UseDef();
            for (Value v : inputs) u.names.add(v.name());
            u.names.addAll(constants.keySet());
            for (int i = 0; i < nodes.size(); i++) u.add(nodes.get(i), i);
            useDef = u;
            useDefMod = modCount;
        }
        return useDef;
    }

    /** A constant value and its data. */
    public record Constant(Value value, Tensor data) {
        public Constant {
            if (value.type().dtype() != data.dtype() || !value.type().shape().equals(data.shape()))
                throw new IllegalArgumentException("constant %" + value.name() + " declared " + value.type()
                        + " but holds " + data);
        }
    }

    public Graph(String name) { this.name = name; }

    public String name() { return name; }

    public void setName(String n) { name = n; }

    public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

    public List<Value> outputs() { return Collections.unmodifiableList(outputs); }

    public List<Node> nodes() {
        compact();
        return Collections.unmodifiableList(nodes);
    }

    /** Drops the places of removed nodes (O(n), once per batch of removals); node positions in the index follow. */
    private void compact() {
        if (removed == 0) return;
        boolean current = useDef != null && useDefMod == modCount;
        nodes.removeIf(java.util.Objects::isNull);
        removed = 0;
        if (current) for (int i = 0; i < nodes.size(); i++) useDef.position.put(nodes.get(i).name(), i);
    }

    public List<Constant> constants() { return List.copyOf(constants.values()); }

    public void addInput(Value v) { inputs.add(v); modCount++; }

    public void addOutput(Value v) { outputs.add(v); }

    public void setInputs(List<Value> vs) { inputs.clear(); inputs.addAll(vs); modCount++; }

    public void setOutputs(List<Value> vs) { outputs.clear(); outputs.addAll(vs); }

    /** Adds a constant and returns its value (typed from the data, plus {@code quant} if given). */
    public Value addConstant(String valueName, Tensor data, QuantParams quant) {
        Value v = new Value(valueName, new TensorType(data.dtype(), data.shape(), quant));
        constants.put(valueName, new Constant(v, data));
        if (useDef != null && useDefMod == modCount) useDef.names.add(valueName);
        return v;
    }

    public Value addConstant(String valueName, Tensor data) { return addConstant(valueName, data, null); }

    /** Removes a constant; the use-def index stays current (its name stays taken, so fresh names never reuse it). */
    public void removeConstant(String valueName) {
        boolean current = useDef != null && useDefMod == modCount;
        constants.remove(valueName);
        modCount++;
        if (current) useDefMod = modCount;
    }

    public boolean isConstant(Value v) { return constants.containsKey(v.name()); }

    /** The data of a constant value, or null when {@code v} is not a constant. */
    public Tensor constantData(Value v) {
        Constant c = constants.get(v.name());
        return c == null ? null : c.data();
    }

    public Constant constant(String valueName) { return constants.get(valueName); }

    public void addNode(Node n) {
        nodes.add(n);
        if (useDef != null && useDefMod == modCount) { useDef.add(n, nodes.size() - 1); modCount++; useDefMod = modCount; }
        else modCount++;
    }

    public void setNodes(List<Node> ns) { nodes.clear(); nodes.addAll(ns); removed = 0; modCount++; }

    /**
     * Replaces node {@code old} (by identity of name) with {@code replacement}s, in place. O(readers and inputs of
     * the nodes involved) when the replacement is one node, else O(n).
     */
    public void replaceNode(Node old, List<Node> replacement) {
        UseDef u = index();
        int i = indexOf(old);
        Node was = nodes.get(i);
        if (replacement.size() == 1) {
            Node m = replacement.get(0);
            nodes.set(i, m);
            u.remove(was);
            u.insert(m, i);
            modCount++;
            useDefMod = modCount; // kept up to date above
            return;
        }
        compact();
        i = indexOf(old);
        nodes.remove(i);
        nodes.addAll(i, replacement);
        modCount++;
    }

    /** Removes node {@code n} (by name): O(its inputs and outputs) with the index; the list closes up lazily. */
    public void removeNode(Node n) {
        UseDef u = index();
        int i = indexOf(n);
        Node was = nodes.get(i);
        nodes.set(i, null);
        removed++;
        u.remove(was);
        modCount++;
        useDefMod = modCount; // kept up to date above
    }

    /** The node-list index of the node named like {@code n}, through the index. */
    private int indexOf(Node n) {
        Integer i = index().position.get(n.name());
        if (i == null || nodes.get(i) == null || !nodes.get(i).name().equals(n.name()))
            throw new IllegalArgumentException("node '" + n.name() + "' is not in graph " + name);
        return i;
    }

    /** The node producing {@code v}, or null for graph inputs and constants (through the use-def index). */
    public Node producer(Value v) { return index().producer.get(v.name()); }

    /** Nodes that read {@code v}, in graph order, each once (through the use-def index). */
    public List<Node> consumers(Value v) { return List.copyOf(index().consumers.getOrDefault(v.name(), List.of())); }

    /** Every value by name: inputs, constants and node outputs. */
    public Map<String, Value> valuesByName() {
        Map<String, Value> m = new LinkedHashMap<>();
        for (Value v : inputs) m.put(v.name(), v);
        for (Constant c : constants.values()) m.put(c.value().name(), c.value());
        for (Node n : nodes()) for (Value o : n.outputs()) m.put(o.name(), o);
        return m;
    }

    /**
     * Makes every reference to a value named {@code from.name()} point to {@code to}: node inputs and graph
     * outputs. Used when a pass replaces a value or changes its type.
     */
    public void replaceAllUses(Value from, Value to) {
        UseDef u = index();
        List<Node> readers = List.copyOf(u.consumers.getOrDefault(from.name(), List.of()));
        // O(readers): each reader is rewritten in place and the index follows, so a pass that retypes every value
        // in turn stays linear in the graph size
        for (Node n : readers) {
            int i = u.position.get(n.name());
            List<Value> in = new ArrayList<>(n.inputs());
            in.replaceAll(v -> v.name().equals(from.name()) ? to : v);
            Node m = n.withInputs(in);
            nodes.set(i, m);
            u.byName.put(m.name(), m);
            for (Value o : m.outputs()) u.producer.put(o.name(), m);
            for (Value v : n.inputs()) {
                List<Node> c = u.consumers.get(v.name());
                if (c != null) c.replaceAll(x -> x == n ? m : x);
            }
            if (!from.name().equals(to.name())) {
                u.consumers.get(from.name()).remove(m);
                List<Node> c = u.consumers.computeIfAbsent(to.name(), k -> new ArrayList<>(2));
                if (!c.contains(m)) {
                    int at = 0;
                    while (at < c.size() && u.position.get(c.get(at).name()) < i) at++;
                    c.add(at, m);
                }
            }
        }
        outputs.replaceAll(v -> v.name().equals(from.name()) ? to : v);
        u.names.add(to.name());
        modCount++;
        useDefMod = modCount; // the index above is up to date
    }

    /** Removes constants no node or output reads. Returns how many were removed. */
    public int removeUnusedConstants() {
        Set<String> used = new HashSet<>();
        for (Node n : nodes()) for (Value v : n.inputs()) used.add(v.name());
        for (Value v : outputs) used.add(v.name());
        List<String> dead = constants.keySet().stream().filter(k -> !used.contains(k)).toList();
        boolean current = useDef != null && useDefMod == modCount;
        dead.forEach(constants::remove);
        if (!dead.isEmpty()) { modCount++; if (current) useDefMod = modCount; }
        return dead.size();
    }

    /** A name not yet used by any value or node, built from {@code base}. */
    public String freshName(String base) {
        Set<String> taken = index().names;
        if (!taken.contains(base)) return base;
        for (int i = 1; ; i++) if (!taken.contains(base + "_" + i)) return base + "_" + i;
    }

    /** Re-orders nodes topologically (stable for an already sorted graph); fails on a cycle or missing value. */
    public void sortTopologically() {
        Set<String> ready = new HashSet<>();
        inputs.forEach(v -> ready.add(v.name()));
        constants.keySet().forEach(ready::add);
        List<Node> pending = new ArrayList<>(nodes());
        List<Node> sorted = new ArrayList<>();
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (int i = 0; i < pending.size(); i++) {
                Node n = pending.get(i);
                if (n.inputs().stream().allMatch(v -> ready.contains(v.name()))) {
                    sorted.add(n);
                    n.outputs().forEach(v -> ready.add(v.name()));
                    pending.remove(i--);
                    progress = true;
                }
            }
            if (!progress)
                throw pending.get(0).error("inputs never produced (cycle or missing value): " + pending.get(0).inputs());
        }
        setNodes(sorted);
    }

    /** A deep-enough copy: the lists are new, nodes, values and tensors are shared (they are immutable). */
    public Graph copy() {
        Graph g = new Graph(name);
        g.inputs.addAll(inputs);
        g.outputs.addAll(outputs);
        g.constants.putAll(constants);
        g.nodes.addAll(nodes());
        return g;
    }

    /** Nodes by name, a read-only view through the use-def index (O(1) after one O(n) build per change). */
    public Map<String, Node> nodesByName() { return Collections.unmodifiableMap(index().byName); }
}
