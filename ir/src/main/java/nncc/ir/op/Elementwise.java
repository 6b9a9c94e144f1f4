package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/** Type rules of elementwise ops. */
final class Elementwise {
    private Elementwise() {}

    static List<TensorType> same(List<TensorType> in) {
        return List.of(TensorType.of(in.get(0).dtype(), in.get(0).shape()));
    }

    static List<TensorType> broadcast(List<TensorType> in) {
        Shapes.requireSameDType(in.get(0), in.get(1));
        return List.of(TensorType.of(in.get(0).dtype(), Shapes.broadcast(in.get(0).shape(), in.get(1).shape())));
    }
}
