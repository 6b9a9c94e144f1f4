package nncc.ir.text;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nncc.ir.DType;
import nncc.ir.QuantParams;
import nncc.ir.op.Op;

/**
 * Prints op attributes generically: an op record's components, in declaration order, as
 * {@code {name = value, ...}}; values by their runtime kind (numbers, booleans, enums lower-case, DType by its
 * text, strings quoted, lists, quantization parameters, nested records). {@link AttributeReader} is the inverse.
 */
final class AttributePrinter {
    private AttributePrinter() {}

    /** The attribute block of an op, with a leading space, or "" for an op without attributes. */
    static String attributes(Op op) {
        String block = record((Record) op);
        return block.equals("{}") ? "" : " " + block;
    }

    /** A record as {@code {a = 1, b = [2, 3]}}. */
    static String record(Record r) {
        List<String> parts = new ArrayList<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v = componentValue(r, c);
            if (v == null)
                throw new IllegalArgumentException(r.getClass().getSimpleName() + "." + c.getName()
                        + " is null; the text form has no null attribute values");
            String text = value(v);
            nncc.ir.op.Default d = c.getAnnotation(nncc.ir.op.Default.class);
            if (d != null && d.value().equals(text)) continue;
            parts.add(c.getName() + " = " + text);
        }
        return "{" + String.join(", ", parts) + "}";
    }

    /** One attribute value. */
    static String value(Object v) {
        return switch (v) {
            case Float f -> Lexemes.formatFloat(f);
            case Double d -> Lexemes.formatDouble(d);
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Short s -> s.toString();
            case Byte b -> b.toString();
            case Boolean b -> b.toString();
            case DType d -> d.text();
            case Enum<?> e -> e.name().toLowerCase(Locale.ROOT);
            case String s -> Lexemes.quote(s);
            case QuantParams q -> quant(q);
            case Record r -> record(r);
            case List<?> l -> {
                List<String> items = new ArrayList<>(l.size());
                for (Object o : l) items.add(value(o));
                yield "[" + String.join(", ", items) + "]";
            }
            default -> throw new IllegalArgumentException("the text form cannot print attribute value " + v
                    + " of " + v.getClass().getName());
        };
    }

    /** {@code {scale = 0.25, zp = -128}} or {@code {axis = 0, scale = [..], zp = [..]}}. */
    static String quant(QuantParams q) {
        if (!q.isPerAxis())
            return "{scale = " + Lexemes.formatFloat(q.scale(0)) + ", zp = " + q.zeroPoint(0) + "}";
        List<String> scales = new ArrayList<>(), zps = new ArrayList<>();
        for (int i = 0; i < q.count(); i++) {
            scales.add(Lexemes.formatFloat(q.scale(i)));
            zps.add(Long.toString(q.zeroPoint(i)));
        }
        return "{axis = " + q.axis() + ", scale = [" + String.join(", ", scales) + "], zp = ["
                + String.join(", ", zps) + "]}";
    }

    private static Object componentValue(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("record " + r.getClass().getName() + " is not accessible", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("accessor " + c.getName() + " of " + r.getClass().getName() + " failed",
                    e.getCause());
        }
    }
}
