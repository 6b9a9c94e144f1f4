package nncc.ir.text;

import nncc.ir.ModelException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * A place in a .nnir file, {@code file:line:col} (line and column 1-based), and the errors reported there.
 * The position is put in the {@link ModelException}'s file field, so the one-line message reads
 * {@code model.nnir:12:5: node 'Conv_0': unknown op 'Conv2'}.
 */
record SourcePosition(String file, int line, int column) {
    static SourcePosition of(String file, Token t) {
        return new SourcePosition(file, t.getLine(), t.getCharPositionInLine() + 1);
    }

    static SourcePosition of(String file, TerminalNode n) { return of(file, n.getSymbol()); }

    /** An error at this position, optionally at a node (null for none). */
    ModelException error(String node, String message) {
        return new ModelException(toString(), node, message);
    }

    ModelException error(String message) { return error(null, message); }

    @Override public String toString() { return file + ":" + line + ":" + column; }
}
