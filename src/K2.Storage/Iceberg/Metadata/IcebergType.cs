using System.Globalization;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// A column type of an Iceberg schema, as the spec's Appendix C serializes it. K2's cold tables need primitives and
/// lists only, so structs and maps inside a column are not modelled (a schema containing them is refused on read).
/// </summary>
public abstract record IcebergType;

/// <summary>A primitive type named by its canonical JSON string (<c>long</c>, <c>timestamptz</c>, <c>fixed[16]</c>...).</summary>
public sealed record PrimitiveType : IcebergType
{
    private static readonly HashSet<string> Names =
    [
        "boolean", "int", "long", "float", "double", "date", "time", "timestamp", "timestamptz", "timestamp_ns",
        "timestamptz_ns", "string", "uuid", "binary",
    ];

    private PrimitiveType(string name) => Name = name;

    public static PrimitiveType Boolean { get; } = new("boolean");
    public static PrimitiveType Int { get; } = new("int");
    public static PrimitiveType Long { get; } = new("long");
    public static PrimitiveType Date { get; } = new("date");
    public static PrimitiveType Timestamptz { get; } = new("timestamptz");
    public static PrimitiveType String { get; } = new("string");

    public string Name { get; }

    /// <summary>The primitive named <paramref name="name"/>, or null when Iceberg has no such primitive.</summary>
    public static PrimitiveType? FromName(string name)
    {
        if (Names.Contains(name))
        {
            return new PrimitiveType(name);
        }

        return name.StartsWith("fixed[", StringComparison.Ordinal) && name.EndsWith(']')
            && int.TryParse(name.AsSpan(6, name.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0
            ? new PrimitiveType($"fixed[{length}]")
            : null;
    }

    public override string ToString() => Name;
}

/// <summary><c>decimal(P,S)</c>: a fixed-point number of at most 38 digits, <see cref="Scale"/> of them after the point.</summary>
public sealed record DecimalType : IcebergType
{
    public DecimalType(int precision, int scale)
    {
        if (precision is < 1 or > 38 || scale < 0 || scale > precision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), $"decimal({precision},{scale}) is not a valid Iceberg decimal (precision 1-38, 0 <= scale <= precision).");
        }

        Precision = precision;
        Scale = scale;
    }

    public int Precision { get; }
    public int Scale { get; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision},{Scale})");
}

/// <summary>A list column; its element has a field id of its own, which Parquet files carry on the element node.</summary>
public sealed record ListType(int ElementId, bool ElementRequired, IcebergType Element) : IcebergType;
