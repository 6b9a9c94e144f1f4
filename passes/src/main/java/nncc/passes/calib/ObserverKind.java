package nncc.passes.calib;

import java.util.Arrays;
import java.util.stream.Collectors;
import nncc.ir.DType;
import nncc.ir.ModelException;

/** The observers a calibration can use, by their command-line names, and how to make one for a target type. */
public enum ObserverKind {
    MINMAX("minmax"), MOVING_AVERAGE("moving-average"), PERCENTILE("percentile"), ENTROPY("entropy"), MSE("mse");

    private final String text;

    ObserverKind(String text) { this.text = text; }

    /** The kebab-case name, e.g. {@code moving-average}. */
    public String text() { return text; }

    /** Passes over the data this observer needs. */
    public int passes() { return this == MINMAX || this == MOVING_AVERAGE ? 1 : 2; }

    /**
     * A new observer of this kind for activations quantized to {@code target} (I8, U8 or I16); the bit width
     * and symmetry follow {@link QuantChoice#forActivation}. {@code percentile} is used by PERCENTILE only.
     */
    public Observer create(DType target, double percentile) {
        if (target != DType.I8 && target != DType.U8 && target != DType.I16)
            throw new IllegalArgumentException("activations quantize to i8, u8 or i16, not " + target.text());
        return switch (this) {
            case MINMAX -> new MinMaxObserver();
            case MOVING_AVERAGE -> new MovingAverageObserver();
            case PERCENTILE -> new PercentileObserver(percentile);
            case ENTROPY -> new EntropyObserver(target.bits());
            case MSE -> new MseObserver(target.bits(), target == DType.I16);
        };
    }

    /** The kind named {@code text}; an unknown name is a ModelException listing the known ones. */
    public static ObserverKind parse(String text) {
        for (ObserverKind k : values()) if (k.text.equals(text)) return k;
        throw new ModelException("unknown observer '" + text + "'; known: "
                + Arrays.stream(values()).map(ObserverKind::text).collect(Collectors.joining(", ")));
    }
}
