package nncc.passes;

/**
 * How far a graph has come through the pipeline, in order. A pass needs a stage and may advance it; the
 * {@link PassManager} keeps the current stage and refuses a pass whose stage has not been reached.
 */
public enum Stage {
    IMPORTED, SHAPES_INFERRED, BN_FOLDED, RANGES_ANNOTATED, SCALES_FOLDED, REQUANT_INSERTED, LOWERED;

    /** The kebab-case spelling, e.g. {@code bn-folded}. */
    public String text() { return name().toLowerCase().replace('_', '-'); }
}
