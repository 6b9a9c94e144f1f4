package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * An operation: an immutable record of its attributes. Backends switch exhaustively over this sealed type,
 * so an op a backend forgot is a compile error. The text IR prints and parses every record generically from
 * its components, so a new op only needs its record, its {@link #inferTypes} and a line in the {@code permits}
 * clause of its family: {@link FloatOp}, {@link DataMovementOp}, {@link BoundaryOp}, {@link LoweredOp},
 * {@link HybridOp} or {@link OnnxQuantOp}. A backend that reads lowered graphs switches over
 * {@link LoweredOp}, {@link DataMovementOp} and {@link BoundaryOp} only.
 */
public sealed interface Op permits FloatOp, DataMovementOp, BoundaryOp, LoweredOp, HybridOp, OnnxQuantOp {

    /** Every op record class, walking the sealed families, sorted by simple name. */
    static java.util.List<Class<? extends Op>> recordClasses() {
        java.util.List<Class<? extends Op>> out = new java.util.ArrayList<>();
        java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>(java.util.List.of(Op.class));
        while (!todo.isEmpty())
            for (Class<?> c : todo.pop().getPermittedSubclasses()) {
                if (c.isRecord()) out.add(c.asSubclass(Op.class));
                else todo.add(c);
            }
        out.sort(java.util.Comparator.comparing(Class::getSimpleName));
        return java.util.List.copyOf(out);
    }

    /** The op's name in the text IR and in messages: the record's simple name. */
    default String opName() { return getClass().getSimpleName(); }

    /** Input count bounds, checked by the verifier before {@link #inferTypes}. */
    int minInputs();

    int maxInputs();

    /**
     * Output types from input types. Throws {@link nncc.ir.ModelException} (without node; callers add it)
     * when the inputs do not fit the op, naming the offending values.
     */
    List<TensorType> inferTypes(List<TensorType> inputs);
}
