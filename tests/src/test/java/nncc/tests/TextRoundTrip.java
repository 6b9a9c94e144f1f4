package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import nncc.ir.Graph;
import nncc.ir.text.IrParser;
import nncc.ir.text.IrPrinter;

/** Asserts the text IR round trip (parse, print, parse, print gives identical text) for a model a test touches. */
final class TextRoundTrip {
    private TextRoundTrip() {}

    static void check(Graph g, String name) {
        String once = IrPrinter.print(g);
        String twice = IrPrinter.print(IrParser.parse(once, name + ".nnir"));
        assertEquals(once, twice, name + ": text IR does not round-trip");
        assertEquals(twice, IrPrinter.print(IrParser.parse(twice, name + ".nnir")), name + ": second round trip differs");
    }
}
