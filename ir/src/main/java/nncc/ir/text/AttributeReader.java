package nncc.ir.text;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.op.Op;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Builds op records (and nested records and quantization parameters) from parsed attribute blocks, generically:
 * the op is found by its record's simple name among {@code Op}'s permitted subclasses, each attribute is
 * converted to its record component's generic type, and the record is made through its canonical constructor
 * so its own validation runs. Every error names the file position, the node and the attribute.
 */
final class AttributeReader {
    /** Op records by name, from the sealed hierarchy (no classpath scanning). */
    private static final Map<String, Class<?>> OPS = opClasses();

    private final String file;

    AttributeReader(String file) { this.file = file; }

    /** The names of all ops the text form knows, sorted. */
    static List<String> opNames() { return List.copyOf(OPS.keySet()); }

    /** The op {@code name} with the attributes in {@code dict} (null for none), for node {@code node}. */
    Op readOp(String name, NnirParser.AttrDictContext dict, ParserRuleContext opToken, String node) {
        Class<?> c = OPS.get(name);
        if (c == null) throw at(opToken).error(node, "unknown op '" + name + "'");
        return (Op) readRecord(c, dict, name, opToken, node);
    }

    /** Quantization parameters from {@code {scale = s, zp = z}} or {@code {axis = a, scale = [..], zp = [..]}}. */
    QuantParams readQuant(NnirParser.AttrDictContext dict, String node) {
        String what = "quantization parameters";
        Map<String, NnirParser.AttrContext> given = attributesByName(dict, what, List.of("axis", "scale", "zp"), node);
        if (!given.containsKey("scale") || !given.containsKey("zp"))
            throw at(dict).error(node, what + " need scale and zp, got " + dict.getText());
        try {
            if (given.containsKey("axis")) {
                int axis = (int) read(int.class, given.get("axis").attrValue(), what + " axis", node);
                List<Object> scales = readList(Float.class, given.get("scale").attrValue(), what + " scale", node);
                List<Object> zps = readList(Long.class, given.get("zp").attrValue(), what + " zp", node);
                float[] s = new float[scales.size()];
                long[] z = new long[zps.size()];
                for (int i = 0; i < s.length; i++) s[i] = (Float) scales.get(i);
                for (int i = 0; i < z.length; i++) z[i] = (Long) zps.get(i);
                return QuantParams.perAxis(axis, s, z);
            }
            float scale = (float) read(float.class, given.get("scale").attrValue(), what + " scale", node);
            long zp = (long) read(long.class, given.get("zp").attrValue(), what + " zp", node);
            return QuantParams.perTensor(scale, zp);
        } catch (IllegalArgumentException e) {
            throw at(dict).error(node, "bad " + what + " " + dict.getText() + ": " + e.getMessage());
        }
    }

    /** Any record (for example a nested attribute record) from a {@code {...}} block, named by its simple name. */
    Object readRecord(Class<?> type, NnirParser.AttrDictContext dict) {
        return readRecord(type, dict, type.getSimpleName(), dict, null);
    }

    private Object readRecord(Class<?> type, NnirParser.AttrDictContext dict, String owner, ParserRuleContext where,
                              String node) {
        RecordComponent[] comps = type.getRecordComponents();
        List<String> names = Arrays.stream(comps).map(RecordComponent::getName).toList();
        Map<String, NnirParser.AttrContext> given = attributesByName(dict, owner, names, node);
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            NnirParser.AttrContext a = given.get(comps[i].getName());
            nncc.ir.op.Default d = comps[i].getAnnotation(nncc.ir.op.Default.class);
            if (a == null && d != null) {
                args[i] = defaultValue(comps[i].getType(), d.value());
                types[i] = comps[i].getType();
                continue;
            }
            if (a == null)
                throw at(dict != null ? dict : where).error(node, owner + " is missing attribute '" + comps[i].getName()
                        + "' (attributes: " + String.join(", ", names) + ")");
            args[i] = read(comps[i].getGenericType(), a.attrValue(), owner + " attribute '" + comps[i].getName() + "'", node);
            types[i] = comps[i].getType();
        }
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            String msg = cause instanceof ModelException m ? m.getMessage() : String.valueOf(cause.getMessage());
            throw at(dict != null ? dict : where).error(node, owner + ": " + msg);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct record " + type.getName(), e);
        }
    }

    /** A {@link nncc.ir.op.Default} text as a value of a scalar attribute type. */
    private static Object defaultValue(Class<?> type, String text) {
        if (type.isEnum()) {
            for (Object c : type.getEnumConstants())
                if (((Enum<?>) c).name().equalsIgnoreCase(text)) return c;
            throw new IllegalStateException("default '" + text + "' is not a constant of " + type.getSimpleName());
        }
        if (type == boolean.class) return Boolean.parseBoolean(text);
        if (type == int.class) return Integer.parseInt(text);
        if (type == long.class) return Long.parseLong(text);
        if (type == float.class) return Float.parseFloat(text);
        if (type == double.class) return Double.parseDouble(text);
        if (type == String.class) return text;
        if (type == java.util.List.class && text.equals("[]")) return java.util.List.of();
        throw new IllegalStateException("no default support for attribute type " + type.getSimpleName());
    }

    /** The attributes of a block by name; rejects unknown and repeated names. */
    private Map<String, NnirParser.AttrContext> attributesByName(NnirParser.AttrDictContext dict, String owner,
                                                                 List<String> allowed, String node) {
        Map<String, NnirParser.AttrContext> given = new LinkedHashMap<>();
        if (dict == null) return given;
        for (NnirParser.AttrContext a : dict.attr()) {
            String name = a.ident().getText();
            if (!allowed.contains(name))
                throw at(a).error(node, "unknown attribute '" + name + "' for " + owner
                        + (allowed.isEmpty() ? " (it has no attributes)" : " (attributes: " + String.join(", ", allowed) + ")"));
            if (given.put(name, a) != null) throw at(a).error(node, "attribute '" + name + "' given twice for " + owner);
        }
        return given;
    }

    /** Converts one attribute value to {@code type}. */
    private Object read(Type type, NnirParser.AttrValueContext v, String what, String node) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class)
            return readList(p.getActualTypeArguments()[0], v, what, node);
        if (!(type instanceof Class<?> c))
            throw at(v).error(node, what + " has type " + type + ", which the text form does not support");
        try {
            if (c == int.class || c == Integer.class) return Math.toIntExact(integer(v, what, node));
            if (c == long.class || c == Long.class) return integer(v, what, node);
            if (c == short.class || c == Short.class) return (short) checkRange(integer(v, what, node), Short.MIN_VALUE, Short.MAX_VALUE);
            if (c == byte.class || c == Byte.class) return (byte) checkRange(integer(v, what, node), Byte.MIN_VALUE, Byte.MAX_VALUE);
        } catch (ArithmeticException e) {
            throw at(v).error(node, what + ": " + v.getText() + " is out of range for " + c.getSimpleName());
        }
        if (c == float.class || c == Float.class) return Lexemes.parseFloat(number(v, what, node));
        if (c == double.class || c == Double.class) return Lexemes.parseDouble(number(v, what, node));
        if (c == boolean.class || c == Boolean.class) {
            String t = v.ident() != null ? v.ident().getText() : "";
            if (!t.equals("true") && !t.equals("false")) throw mismatch(v, what, "true or false", node);
            return t.equals("true");
        }
        if (c == String.class) {
            if (v.STRING() == null) throw mismatch(v, what, "a quoted string", node);
            return unquote(v, what, node);
        }
        if (c == DType.class) {
            if (v.ident() == null) throw mismatch(v, what, "an element type such as i8", node);
            try {
                return DType.parse(v.ident().getText());
            } catch (IllegalArgumentException e) {
                throw at(v).error(node, what + ": " + e.getMessage());
            }
        }
        if (c.isEnum()) return enumConstant(c, v, what, node);
        if (c == QuantParams.class) {
            if (v.attrDict() == null) throw mismatch(v, what, "quantization parameters {scale = .., zp = ..}", node);
            return readQuant(v.attrDict(), node);
        }
        if (c.isRecord()) {
            if (v.attrDict() == null) throw mismatch(v, what, "a block {...} of " + c.getSimpleName(), node);
            return readRecord(c, v.attrDict(), what, v, node);
        }
        throw at(v).error(node, what + " has type " + c.getSimpleName() + ", which the text form does not support");
    }

    /** A list attribute whose items convert to {@code element}; the result is immutable. */
    private List<Object> readList(Type element, NnirParser.AttrValueContext v, String what, String node) {
        if (v.attrList() == null) throw mismatch(v, what, "a list [...]", node);
        List<Object> items = new ArrayList<>();
        for (NnirParser.AttrValueContext item : v.attrList().attrValue()) items.add(read(element, item, what, node));
        return List.copyOf(items);
    }

    private Object enumConstant(Class<?> c, NnirParser.AttrValueContext v, String what, String node) {
        List<String> options = new ArrayList<>();
        for (Object e : c.getEnumConstants()) {
            String name = ((Enum<?>) e).name();
            if (name.equalsIgnoreCase(v.getText())) return e;
            options.add(name.toLowerCase(java.util.Locale.ROOT));
        }
        throw mismatch(v, what, "one of " + String.join(", ", options), node);
    }

    private long integer(NnirParser.AttrValueContext v, String what, String node) {
        if (v.number() == null || v.number().INT() == null) throw mismatch(v, what, "an integer", node);
        try {
            return Long.parseLong(v.getText());
        } catch (NumberFormatException e) {
            throw new ArithmeticException("out of range");
        }
    }

    private static long checkRange(long value, long min, long max) {
        if (value < min || value > max) throw new ArithmeticException("out of range");
        return value;
    }

    private String number(NnirParser.AttrValueContext v, String what, String node) {
        if (v.number() == null) throw mismatch(v, what, "a number", node);
        return v.getText();
    }

    private String unquote(NnirParser.AttrValueContext v, String what, String node) {
        try {
            return Lexemes.unquote(v.STRING().getText());
        } catch (IllegalArgumentException e) {
            throw at(v).error(node, what + ": " + e.getMessage());
        }
    }

    private ModelException mismatch(NnirParser.AttrValueContext v, String what, String expected, String node) {
        return at(v).error(node, what + " expects " + expected + ", got '" + v.getText() + "'");
    }

    private SourcePosition at(ParserRuleContext ctx) { return SourcePosition.of(file, ctx.getStart()); }

    private static Map<String, Class<?>> opClasses() {
        Map<String, Class<?>> m = new TreeMap<>();
        addRecords(Op.class, m);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Walks the sealed hierarchy: records are ops, sealed sub-interfaces are walked in turn. */
    private static void addRecords(Class<?> sealed, Map<String, Class<?>> into) {
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isRecord()) into.put(c.getSimpleName(), c);
            else if (c.isSealed()) addRecords(c, into);
        }
    }
}
