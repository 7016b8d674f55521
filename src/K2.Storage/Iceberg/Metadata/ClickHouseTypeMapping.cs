using System.Globalization;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// The Iceberg type of a hot-store column: String, LowCardinality(String) and Enum8 become <c>string</c>, Decimal(P,S)
/// <c>decimal(P,S)</c>, DateTime64(6,'UTC') <c>timestamptz</c>, Int64 <c>long</c>, Int32 <c>int</c>, Array(String) a
/// list of strings; Nullable(T) makes the column optional, anything else is required.
/// </summary>
public static class ClickHouseTypeMapping
{
    /// <summary>
    /// The schema field for column <paramref name="name"/> of ClickHouse type <paramref name="clickHouseType"/>. A list
    /// takes <paramref name="nextNestedId"/> for its element and advances it.
    /// </summary>
    /// <exception cref="ArgumentException">A type the cold tier has no mapping for.</exception>
    public static SchemaField ToField(int id, string name, string clickHouseType, ref int nextNestedId)
    {
        var (inner, nullable) = Unwrap(clickHouseType.Trim(), "Nullable");
        return new SchemaField(id, name, !nullable, ToType(inner, clickHouseType, ref nextNestedId));
    }

    private static IcebergType ToType(string type, string original, ref int nextNestedId)
    {
        type = Unwrap(type, "LowCardinality").Inner;
        if (type == "String" || type.StartsWith("Enum8(", StringComparison.Ordinal))
        {
            return PrimitiveType.String;
        }

        switch (type)
        {
            case "Int64":
                return PrimitiveType.Long;
            case "Int32":
                return PrimitiveType.Int;
            case "Date" or "Date32":
                return PrimitiveType.Date;
            case "DateTime64(6, 'UTC')":
                return PrimitiveType.Timestamptz;
        }

        if (Unwrap(type, "Decimal") is (var arguments, true) && arguments.Split(',') is [var p, var s]
            && int.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
            && int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var scale))
        {
            return new DecimalType(precision, scale);
        }

        if (Unwrap(type, "Array") is (var element, true))
        {
            var (elementType, elementNullable) = Unwrap(element, "Nullable");
            var elementId = nextNestedId++;
            return new ListType(elementId, !elementNullable, ToType(elementType, original, ref nextNestedId));
        }

        throw new ArgumentException($"ClickHouse type '{original}' has no Iceberg mapping in the cold tier.", nameof(original));
    }

    /// <summary>The argument of <c>Wrapper(...)</c> and true, or the type itself and false.</summary>
    private static (string Inner, bool Wrapped) Unwrap(string type, string wrapper) =>
        type.StartsWith(wrapper + "(", StringComparison.Ordinal) && type.EndsWith(')')
            ? (type[(wrapper.Length + 1)..^1].Trim(), true)
            : (type, false);
}
