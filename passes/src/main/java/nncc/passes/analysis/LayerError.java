package nncc.passes.analysis;

/**
 * The error of one quantized value against its float counterpart over the measured samples: signal-to-noise ratio
 * in dB (+infinity when exact), the largest absolute error, the root-mean-square error and how many elements were
 * compared.
 */
public record LayerError(double sqnrDb, double maxAbsError, double rmsError, long elements) {}
