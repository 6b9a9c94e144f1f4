package nncc.passes.tflite;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Requantize;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * uint8 graph edges for an int8 model, as TFLite's converter writes them for {@code inference_input_type = uint8}:
 * each int8 graph input becomes a uint8 input of the same name and scale with zero point + 128, read by an exact
 * Requantize by 1.0 into the int8 tensor the model computes on (the writer's QUANTIZE); each int8 graph output is
 * brought back to uint8 the same way. The real values do not change and neither does any integer inside.
 *
 * <pre>{@code
 * before: input %x : i8[1,28,28,1]{scale = 0.0039, zp = -128}      ... output %y (i8, zp = 12)
 * after:  input %x : u8[1,28,28,1]{scale = 0.0039, zp = 0}
 *         node @x/to_int8 = Requantize {inputZp = 0, multiplier = 1073741824, shift = 1, outputZp = -128, ...} (%x) -> (%x.i8 : i8[...])
 *         ...
 *         node @y/to_uint8 = Requantize {inputZp = 12, ..., outputZp = 140, outType = u8} (%y.i8) -> (%y : u8[1,10]{zp = 140})
 * }</pre>
 * Cost: one walk over the inputs, outputs and their readers, O(nodes).
 */
public final class TfliteUint8IoPass implements Pass {
    public static final String NAME = "tflite-uint8-io";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.REQUANT_INSERTED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("uint8 inputs", "uint8 outputs");
        FixedPoint.Multiplier one = FixedPoint.quantizeMultiplier(1.0, Rounding.SINGLE_ROUND);
        List<Node> head = new ArrayList<>();
        List<Value> inputs = new ArrayList<>();
        for (Value x : g.inputs()) {
            QuantParams q = x.type().quant();
            if (x.type().dtype() != DType.I8 || q == null || q.count() != 1) { inputs.add(x); continue; }
            Value int8 = new Value(g.freshName(x.name() + ".i8"), x.type());
            g.replaceAllUses(x, int8);
            Value uint8 = new Value(x.name(), new TensorType(DType.U8, x.type().shape(), QuantParams.perTensor(q.scale(0), q.zeroPoint(0) + 128)));
            head.add(new Node(g.freshName(x.name() + "/to_int8"), new Requantize(q.zeroPoint(0) + 128, one.multiplier(), one.shift(),
                    q.zeroPoint(0), q.scale(0), DType.I8, Rounding.SINGLE_ROUND), List.of(uint8), List.of(int8)));
            inputs.add(uint8);
            stats.inc("uint8 inputs");
        }
        g.setInputs(inputs);
        List<Node> nodes = new ArrayList<>(head);
        nodes.addAll(g.nodes());
        g.setNodes(nodes);
        List<Value> outputs = new ArrayList<>();
        for (Value y : List.copyOf(g.outputs())) {
            QuantParams q = y.type().quant();
            Node producer = g.producer(y);
            if (y.type().dtype() != DType.I8 || q == null || q.count() != 1 || producer == null) { outputs.add(y); continue; }
            Value int8 = new Value(g.freshName(y.name() + ".i8"), y.type());
            List<Value> produced = new ArrayList<>(producer.outputs());
            produced.replaceAll(v -> v.name().equals(y.name()) ? int8 : v);
            g.replaceNode(producer, List.of(producer.withOutputs(produced)));
            g.replaceAllUses(y, int8);
            Value uint8 = new Value(y.name(), new TensorType(DType.U8, y.type().shape(), QuantParams.perTensor(q.scale(0), q.zeroPoint(0) + 128)));
            g.addNode(new Node(g.freshName(y.name() + "/to_uint8"), new Requantize(q.zeroPoint(0), one.multiplier(), one.shift(),
                    q.zeroPoint(0) + 128, q.scale(0), DType.U8, Rounding.SINGLE_ROUND), List.of(int8), List.of(uint8)));
            outputs.add(uint8);
            stats.inc("uint8 outputs");
        }
        g.setOutputs(outputs);
        return stats.result();
    }
}
